package hub

import (
	"bytes"
	"context"
	"errors"
	"fmt"
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
