package uplink_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"motcua/clock/clocktest"
	"motcua/kiosk"
	"motcua/kiosk/config"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/queue"
	"motcua/kiosk/uplink"
	"motcua/receiver"
	"motcua/uplinkproto"
)

const testToken = "unit-token-0123456789"

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type unitEnv struct {
	cfg  *config.Config
	log  *eventlog.Log
	room *kiosk.Room
	clk  *clocktest.Clock
}

func newUnit(t testing.TB) *unitEnv {
	t.Helper()
	cfg := config.Demo()
	cfg.Server.DataDir = t.TempDir()
	log, err := eventlog.Open(cfg.Server.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	clk := clocktest.New(time.Date(2026, 11, 26, 8, 0, 0, 0, cfg.Location))
	room, err := kiosk.OpenRoom(context.Background(), cfg, log, clk)
	if err != nil {
		t.Fatal(err)
	}
	return &unitEnv{cfg: cfg, log: log, room: room, clk: clk}
}

func (u *unitEnv) issue(t testing.TB, n int) {
	t.Helper()
	for range n {
		if _, err := u.room.Do(func(e *queue.Engine) ([]queue.Event, error) { return e.Issue("dat-dai", false) }); err != nil {
			t.Fatal(err)
		}
	}
}

type recvEnv struct {
	srv   *receiver.Server
	ts    *httptest.Server
	store string // the receiver's store URL
	url   string
}

func newReceiver(t testing.TB, unit string, mod ...func(*receiver.Options)) *recvEnv {
	t.Helper()
	store := newStore(t)
	o := receiver.Options{Store: store, Tokens: map[string]string{testToken: unit}, Logger: testLogger(t)}
	for _, m := range mod {
		m(&o)
	}
	srv, err := receiver.Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		srv.Close()
		ts.Close()
	})
	return &recvEnv{srv: srv, ts: ts, store: store, url: "ws" + strings.TrimPrefix(ts.URL, "http") + "/ingest"}
}

// acks collects acknowledged seqs from a client.
type acks struct {
	mu   sync.Mutex
	seq  int64
	wake chan struct{}
}

func newAcks() *acks { return &acks{wake: make(chan struct{}, 1)} }

func (a *acks) on(seq int64) {
	a.mu.Lock()
	a.seq = max(a.seq, seq)
	a.mu.Unlock()
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// waitFor waits until seq is acknowledged.
func (a *acks) waitFor(t testing.TB, seq int64) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		a.mu.Lock()
		got := a.seq
		a.mu.Unlock()
		if got >= seq {
			return
		}
		select {
		case <-a.wake:
		case <-deadline:
			t.Fatalf("acknowledged up to %d, want %d", got, seq)
		}
	}
}

func startClient(t testing.TB, u *unitEnv, url string, mod func(*uplink.Options)) (*uplink.Client, *acks) {
	t.Helper()
	a := newAcks()
	o := uplink.Options{URL: url, Token: testToken, Unit: u.cfg.Unit.ID, OnAck: a.on, Logger: testLogger(t), BackoffMin: 10 * time.Millisecond, BackoffMax: 100 * time.Millisecond, Location: u.cfg.Location}
	if mod != nil {
		mod(&o)
	}
	c := uplink.New(u.log, u.room, o)
	u.log.OnCommit = c.Notify
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return c, a
}

// storedSeqs returns the seqs and data the receiver stored for unit.
func storedSeqs(t testing.TB, store, unit string) ([]int64, [][]byte) {
	t.Helper()
	return readStore(t, store, unit)
}

func TestEndToEnd(t *testing.T) {
	u := newUnit(t)
	u.issue(t, 50) // before the client starts: caught up on connect
	r := newReceiver(t, u.cfg.Unit.ID)
	c, a := startClient(t, u, r.url, nil)
	u.issue(t, 150) // while connected
	a.waitFor(t, u.log.Durable())
	// The device status "uplink: connected" is an event too.
	last := u.log.Durable()
	a.waitFor(t, last)

	st := c.Status(context.Background())
	if st.LagEvents != 0 || st.Acked != last {
		t.Errorf("status: got acked %d lag %d, want %d and 0", st.Acked, st.LagEvents, last)
	}
	units := r.srv.Units()
	if len(units) != 1 || units[0].Ack != last || !units[0].Connected {
		t.Fatalf("receiver units: got %+v, want one connected unit at %d", units, last)
	}
	// The receiver's store holds exactly the unit's log.
	var want [][]byte
	u.log.Since(context.Background(), 0, 0, func(rec eventlog.Record) error {
		want = append(want, rec.Data)
		return nil
	})
	seqs, data := storedSeqs(t, r.store, u.cfg.Unit.ID)
	if len(seqs) != int(last) {
		t.Fatalf("receiver stored %d events, want %d", len(seqs), last)
	}
	for i, s := range seqs {
		if s != int64(i+1) || string(data[i]) != string(want[i]) {
			t.Fatalf("event %d: got seq %d %s, want %d %s", i, s, data[i], i+1, want[i])
		}
	}
}

func TestLiveQueueOnReceiver(t *testing.T) {
	u := newUnit(t)
	r := newReceiver(t, u.cfg.Unit.ID)
	_, a := startClient(t, u, r.url, func(o *uplink.Options) { o.SnapshotEvery = time.Hour })
	u.issue(t, 3)
	if _, err := u.room.Do(func(e *queue.Engine) ([]queue.Event, error) { return e.Open(1, "Nguyễn Văn A") }); err != nil {
		t.Fatal(err)
	}
	if _, err := u.room.Do(func(e *queue.Engine) ([]queue.Event, error) { return e.Next(1) }); err != nil {
		t.Fatal(err)
	}
	a.waitFor(t, u.log.Durable())
	want, _ := kiosk.View(u.room, (*queue.Engine).State)
	// The snapshot follows the events it includes, so the receiver may
	// take it in after acknowledging them: wait for it.
	var got *uplinkproto.State
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if un := r.srv.Units(); len(un) == 1 && un[0].State != nil && un[0].State.Seq >= want.Seq {
			got = un[0].State
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("receiver has no live state at seq %d: %+v", want.Seq, r.srv.Units())
		}
	}
	if got.Seq != want.Seq {
		t.Errorf("live seq: got %d, want %d", got.Seq, want.Seq)
	}
	var gotWaiting, wantWaiting []string
	for _, s := range got.Services {
		for _, w := range s.Waiting {
			gotWaiting = append(gotWaiting, w.Number)
		}
	}
	for _, s := range want.Services {
		for _, w := range s.Waiting {
			wantWaiting = append(wantWaiting, w.Number)
		}
	}
	if strings.Join(gotWaiting, ",") != strings.Join(wantWaiting, ",") {
		t.Errorf("waiting: got %v, want %v", gotWaiting, wantWaiting)
	}
	if got.Counters[0].Serving == nil || got.Counters[0].Serving.Number != "A001" {
		t.Errorf("counter 1 serves %+v, want A001", got.Counters[0].Serving)
	}
}

func TestCommands(t *testing.T) {
	u := newUnit(t)
	r := newReceiver(t, u.cfg.Unit.ID)
	_, a := startClient(t, u, r.url, nil)
	u.issue(t, 2)
	a.waitFor(t, u.log.Durable())
	ctx := context.Background()
	unit := u.cfg.Unit.ID

	tests := []struct {
		name, cmd, reason string
		counter           int
		ok                bool
		code              string
		check             func(m map[string]json.RawMessage) string
	}{
		{name: "next on a closed counter", cmd: uplinkproto.CmdNext, counter: 1, code: "counter_closed"},
		{name: "unknown counter", cmd: uplinkproto.CmdNext, counter: 99, code: "unknown_counter"},
		{name: "unknown command", cmd: "counter.explode", counter: 1, code: "unknown_command"},
		{name: "recall with nothing served", cmd: uplinkproto.CmdRecall, counter: 1, code: "not_serving"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := r.srv.Command(ctx, unit, tt.cmd, tt.counter, tt.reason)
			if err != nil {
				t.Fatal(err)
			}
			if m.OK || m.Error == nil || m.Error.Code != tt.code {
				t.Errorf("got %s, want error %s", m.Raw, tt.code)
			}
		})
	}
	if _, err := u.room.Do(func(e *queue.Engine) ([]queue.Event, error) { return e.Open(1, "Trần Thị B") }); err != nil {
		t.Fatal(err)
	}
	m, err := r.srv.Command(ctx, unit, uplinkproto.CmdNext, 1, "")
	if err != nil {
		t.Fatal(err)
	}
	var tk queue.Ticket
	if !m.OK || json.Unmarshal(m.Ticket, &tk) != nil || tk.Number != "A001" || tk.Status != queue.Called {
		t.Fatalf("next: got %s, want ticket A001 called", m.Raw)
	}
	m, err = r.srv.Command(ctx, unit, uplinkproto.CmdRecall, 1, "")
	if err != nil {
		t.Fatal(err)
	}
	if !m.OK || json.Unmarshal(m.Ticket, &tk) != nil || tk.Calls != 2 {
		t.Fatalf("recall: got %s, want calls 2", m.Raw)
	}
	m, err = r.srv.Command(ctx, unit, uplinkproto.CmdPause, 1, "họp giao ban")
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Counter queue.Counter `json:"counter"`
	}
	if !m.OK || json.Unmarshal(m.Raw, &res) != nil || res.Counter.State != queue.Paused || res.Counter.Reason != "họp giao ban" {
		t.Fatalf("pause: got %s, want counter paused with the reason", m.Raw)
	}
	c, _ := kiosk.View(u.room, func(e *queue.Engine) *queue.Counter { c, _ := e.Counter(1); return c })
	if c.State != queue.Paused {
		t.Errorf("room's counter 1: got %s, want paused", c.State)
	}
}
