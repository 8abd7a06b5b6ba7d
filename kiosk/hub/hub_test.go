package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"motcua/kiosk/eventlog"
)

// memLog is a Source kept in memory.
type memLog struct {
	mu   sync.Mutex
	recs []eventlog.Record
}

func (m *memLog) add(n int) []eventlog.Record {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []eventlog.Record
	for range n {
		seq := int64(len(m.recs) + 1)
		r := eventlog.Record{Seq: seq, Data: fmt.Appendf(nil, `{"type":"event","seq":%d}`, seq)}
		m.recs = append(m.recs, r)
		out = append(out, r)
	}
	return out
}

func (m *memLog) Snapshot(context.Context) (int64, []byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return int64(len(m.recs)), []byte(`{}`), nil
}

func (m *memLog) Since(_ context.Context, seq int64, limit int, fn func(eventlog.Record) error) (int64, error) {
	m.mu.Lock()
	recs := append([]eventlog.Record(nil), m.recs[min(int(seq), len(m.recs)):]...)
	m.mu.Unlock()
	for i, r := range recs {
		if limit > 0 && i == limit {
			break
		}
		if err := fn(r); err != nil {
			return seq, err
		}
		seq = r.Seq
	}
	return seq, nil
}

func (m *memLog) First(context.Context) (int64, error) { return 1, nil }

func newHub(t testing.TB) (*Hub, *memLog, string) {
	t.Helper()
	src := &memLog{}
	h := New(src, 0, Options{CheckOrigin: func(*http.Request) bool { return true }})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		since := int64(-1)
		fmt.Sscan(r.URL.Query().Get("since"), &since)
		h.Serve(w, r, since)
	}))
	t.Cleanup(func() {
		h.Close()
		srv.Close()
	})
	return h, src, "ws" + strings.TrimPrefix(srv.URL, "http")
}

func dial(t testing.TB, url string) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// next reads c's next message; its time limit catches a hang, not a
// slow machine.
func next(t testing.TB, c *websocket.Conn) string {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	_, msg, err := c.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return string(msg)
}

func TestSnapshotThenEventsInOrder(t *testing.T) {
	h, src, url := newHub(t)
	h.Publish(src.add(2))
	c := dial(t, url)
	if got := next(t, c); got != `{"type":"snapshot","seq":2,"state":{}}` {
		t.Fatalf("first frame: got %s", got)
	}
	h.Publish(src.add(3))
	for seq := 3; seq <= 5; seq++ {
		if got, want := next(t, c), fmt.Sprintf(`{"type":"event","seq":%d}`, seq); got != want {
			t.Fatalf("got %s, want %s", got, want)
		}
	}
	// A client resuming from 1 gets 2..5 from the log, then live ones.
	r := dial(t, url+"?since=1")
	for seq := 2; seq <= 5; seq++ {
		if got, want := next(t, r), fmt.Sprintf(`{"type":"event","seq":%d}`, seq); got != want {
			t.Fatalf("resume: got %s, want %s", got, want)
		}
	}
	h.Publish(src.add(1))
	if got := next(t, r); got != `{"type":"event","seq":6}` {
		t.Fatalf("resume, live: got %s", got)
	}
}

func TestPingIsAnswered(t *testing.T) {
	_, _, url := newHub(t)
	c := dial(t, url)
	next(t, c)
	pong := make(chan string, 1)
	c.SetPongHandler(func(data string) error { pong <- data; return nil })
	if err := c.WriteControl(websocket.PingMessage, []byte("chào"), time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	go c.ReadMessage() // control frames are handled while reading
	select {
	case got := <-pong:
		if got != "chào" {
			t.Errorf("pong: got %q, want the ping's payload", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no pong")
	}
}

func TestCloseIsEchoed(t *testing.T) {
	h, _, url := newHub(t)
	c := dial(t, url)
	next(t, c)
	msg := websocket.FormatCloseMessage(4001, "tạm biệt")
	if err := c.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _, err := c.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != 4001 {
		t.Fatalf("got %v, want the close frame 4001 echoed", err)
	}
	for deadline := time.Now().Add(5 * time.Second); h.Clients() != 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("clients: %d after the close", h.Clients())
		}
	}
}

func TestOversizedMessageCloses1009(t *testing.T) {
	h, src, url := newHub(t)
	c := dial(t, url)
	next(t, c)
	other := dial(t, url)
	next(t, other)
	// A data message the hub ignores, then one over the limit.
	c.WriteMessage(websocket.TextMessage, []byte("xin chào"))
	c.WriteMessage(websocket.TextMessage, bytes.Repeat([]byte("x"), readLimit+1))
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _, err := c.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseMessageTooBig {
		t.Fatalf("got %v, want close 1009", err)
	}
	// The other client still gets events.
	h.Publish(src.add(1))
	if got := next(t, other); got != `{"type":"event","seq":1}` {
		t.Errorf("other client: got %s", got)
	}
}

// TestCloseSendsGoingAway closes the hub while a client waits for events
// and while its snapshot may still be on the way (its writer busy): it
// gets 1001 either way.
func TestCloseSendsGoingAway(t *testing.T) {
	for _, read := range []bool{true, false} {
		for range 20 {
			h, _, url := newHub(t)
			c := dial(t, url)
			if read {
				next(t, c)
			}
			h.Close()
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			var err error
			for err == nil {
				_, _, err = c.ReadMessage()
			}
			var ce *websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway {
				t.Fatalf("snapshot read first %v: got %v, want close 1001 on shutdown", read, err)
			}
		}
	}
}

// TestBurstBeforeClientIsNotQueued: a client that connects after a burst
// of events was published, but before the publisher queued it, has the
// burst in its history; queueing it too overflowed the client's queue and
// dropped it at once.
func TestBurstBeforeClientIsNotQueued(t *testing.T) {
	h, src, url := newHub(t)
	h.mu.Lock()
	h.running = true // the publisher waits until the client is in
	h.mu.Unlock()
	h.Publish(src.add(10 * queueLen))
	c := dial(t, url)
	if got, want := next(t, c), fmt.Sprintf(`{"type":"snapshot","seq":%d,"state":{}}`, 10*queueLen); got != want {
		t.Fatalf("first frame: got %s, want %s", got, want)
	}
	go h.run()
	h.Publish(src.add(1))
	if got, want := next(t, c), fmt.Sprintf(`{"type":"event","seq":%d}`, 10*queueLen+1); got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	if n := h.Clients(); n != 1 {
		t.Errorf("%d clients, want 1", n)
	}
}

// addBig adds n events of about size bytes each to m.
func (m *memLog) addBig(n, size int) []eventlog.Record {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []eventlog.Record
	for range n {
		seq := int64(len(m.recs) + 1)
		data := fmt.Appendf(nil, `{"type":"event","seq":%d,"pad":"%s"}`, seq, strings.Repeat("x", size))
		r := eventlog.Record{Seq: seq, Data: data}
		m.recs = append(m.recs, r)
		out = append(out, r)
	}
	return out
}

// seqOf returns the seq of an event frame and checks that it is whole.
func seqOf(t testing.TB, msg []byte) int64 {
	t.Helper()
	var ev struct {
		Type string `json:"type"`
		Seq  int64  `json:"seq"`
	}
	if err := json.Unmarshal(msg, &ev); err != nil || ev.Type != "event" {
		t.Fatalf("not a whole event frame (%v): %.60s...", err, msg)
	}
	return ev.Seq
}

// TestSlowClientIsDroppedAndResumes: a client that stops reading while
// 16 MB of events go out (more than its socket and its queue hold) is
// disconnected, without holding up a client that reads; what it got
// before is whole frames in order, and with ?since it gets the rest from
// the log, then live events.
func TestSlowClientIsDroppedAndResumes(t *testing.T) {
	h, src, url := newHub(t)
	slow := dial(t, url)
	next(t, slow)
	fast := dial(t, url)
	next(t, fast)

	// Published as fast as the reading client takes them.
	const n, size = 256, 64 << 10
	for want := int64(1); want <= n; want++ {
		h.Publish(src.addBig(1, size))
		fast.SetReadDeadline(time.Now().Add(30 * time.Second))
		_, msg, err := fast.ReadMessage()
		if err != nil {
			t.Fatalf("the reading client, event %d: %v", want, err)
		}
		if got := seqOf(t, msg); got != want {
			t.Fatalf("the reading client: got event %d, want %d", got, want)
		}
	}

	// The slow client reads what reached it, then finds itself dropped.
	var last int64
	for {
		slow.SetReadDeadline(time.Now().Add(30 * time.Second))
		_, msg, err := slow.ReadMessage()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("the slow client was not disconnected (read up to %d)", last)
			}
			break
		}
		if got := seqOf(t, msg); got != last+1 {
			t.Fatalf("the slow client: got event %d after %d", got, last)
		}
		last++
		if last == n {
			t.Fatalf("the slow client got all %d events: it was never behind", n)
		}
	}

	again := dial(t, fmt.Sprintf("%s?since=%d", url, last))
	for want := last + 1; want <= n; want++ {
		again.SetReadDeadline(time.Now().Add(30 * time.Second))
		_, msg, err := again.ReadMessage()
		if err != nil {
			t.Fatalf("resumed from %d, event %d: %v", last, want, err)
		}
		if got := seqOf(t, msg); got != want {
			t.Fatalf("resumed from %d: got event %d, want %d", last, got, want)
		}
	}
	h.Publish(src.add(1))
	if got, want := next(t, again), fmt.Sprintf(`{"type":"event","seq":%d}`, n+1); got != want {
		t.Fatalf("resumed, live: got %s, want %s", got, want)
	}
	if got := next(t, fast); got != fmt.Sprintf(`{"type":"event","seq":%d}`, n+1) {
		t.Fatalf("the reading client, live: got %s", got)
	}
}
