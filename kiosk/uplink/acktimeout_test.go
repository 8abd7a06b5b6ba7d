package uplink_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"motcua/kiosk/eventlog"
	"motcua/kiosk/uplink"
	"motcua/uplinkproto"
)

// ackPolicy is when the stand-in receiver acknowledges an event.
type ackPolicy int

const (
	ackEach    ackPolicy = iota // each event as it comes
	ackNone                     // never
	ackLagging                  // the event before the one that came: one always outstanding
)

// standInConn is what the stand-in saw on one connection.
type standInConn struct {
	welcome int64     // the ack its welcome carried
	seqs    []int64   // the events' seqs, in the order they came
	lastAck time.Time // when the stand-in last wrote an ack on it
	closed  time.Time // when the unit hung up; zero while open
}

// standIn is a receiver over a real websocket on loopback. Like the real
// receiver it stores events by seq, ignoring one it already has, and
// acknowledges only a seq below which it holds every event; when it
// acknowledges is its policy, which the test may change mid-connection.
type standIn struct {
	t    testing.TB
	unit string
	url  string

	mu        sync.Mutex
	policy    ackPolicy // for the current connection
	onConnect ackPolicy // the policy each new connection starts with
	stored    map[int64][]byte
	contig    int64 // every seq up to contig is stored
	acked     int64 // highest seq acknowledged, on any connection
	conns     []*standInConn
	live      []*websocket.Conn
	changed   chan struct{} // an event came or a connection ended (cap 1)
	hangup    chan struct{} // a connection ended (cap 1)
	wg        sync.WaitGroup
}

func newStandIn(t testing.TB, unit string, p ackPolicy) *standIn {
	t.Helper()
	s := &standIn{t: t, unit: unit, policy: p, onConnect: p, stored: map[int64][]byte{},
		changed: make(chan struct{}, 1), hangup: make(chan struct{}, 1)}
	ts := httptest.NewServer(http.HandlerFunc(s.serve))
	s.url = "ws" + strings.TrimPrefix(ts.URL, "http") + "/ingest"
	t.Cleanup(func() {
		// Registered before the client's cleanup, so this runs after the
		// client stopped: no new connection can come.
		ts.Close()
		s.mu.Lock()
		for _, c := range s.live {
			c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return s
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

func (s *standIn) serve(w http.ResponseWriter, r *http.Request) {
	s.wg.Add(1)
	defer s.wg.Done()
	if r.Header.Get("Authorization") != "Bearer "+testToken {
		s.t.Errorf("stand-in: got Authorization %q, want the bearer token", r.Header.Get("Authorization"))
		http.Error(w, "bad token", http.StatusUnauthorized)
		return
	}
	up := websocket.Upgrader{Subprotocols: []string{uplinkproto.Subprotocol}}
	c, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer c.Close()
	_, data, err := c.ReadMessage()
	if err != nil {
		return
	}
	if m, err := uplinkproto.DecodeClient(data); err != nil || m.Type != uplinkproto.TypeHello || m.Unit != s.unit {
		s.t.Errorf("stand-in: first message %s (%v), want the hello of unit %s", data, err, s.unit)
		return
	}
	s.mu.Lock()
	conn := &standInConn{welcome: s.acked}
	s.conns = append(s.conns, conn)
	s.live = append(s.live, c)
	s.policy = s.onConnect
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		conn.closed = time.Now()
		s.mu.Unlock()
		signal(s.changed)
		signal(s.hangup)
	}()
	if err := c.WriteMessage(websocket.TextMessage, uplinkproto.Welcome(conn.welcome)); err != nil {
		return
	}
	for {
		_, data, err := c.ReadMessage()
		if err != nil {
			return
		}
		m, err := uplinkproto.DecodeClient(data)
		if err != nil {
			s.t.Errorf("stand-in: %v", err)
			return
		}
		switch m.Type {
		case uplinkproto.TypeEvent:
		case uplinkproto.TypeSnapshot:
			continue
		default:
			s.t.Errorf("stand-in: got %s, want only events and snapshots", data)
			continue
		}
		s.mu.Lock()
		conn.seqs = append(conn.seqs, m.Seq)
		if _, ok := s.stored[m.Seq]; !ok {
			s.stored[m.Seq] = data
		}
		for s.stored[s.contig+1] != nil {
			s.contig++
		}
		var ack int64
		switch s.policy {
		case ackEach:
			ack = m.Seq
		case ackLagging:
			ack = m.Seq - 1
		}
		ack = min(ack, s.contig)
		send := ack > s.acked
		if send {
			s.acked = ack
			conn.lastAck = time.Now()
		}
		s.mu.Unlock()
		if send {
			if err := c.WriteMessage(websocket.TextMessage, uplinkproto.Ack(ack)); err != nil {
				return
			}
		}
		signal(s.changed)
	}
}

// stopAcking makes the stand-in acknowledge nothing more on the current
// connection; it returns the highest seq acknowledged so far.
func (s *standIn) stopAcking() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.policy = ackNone
	return s.acked
}

// await waits until cond, called with the stand-in locked, holds.
func (s *standIn) await(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		s.mu.Lock()
		ok := cond()
		s.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-s.changed:
		case <-deadline:
			t.Fatalf("stand-in: waited 20s for %s", what)
		}
	}
}

// connections returns copies of what the stand-in saw on each connection.
func (s *standIn) connections() []standInConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]standInConn, len(s.conns))
	for i, c := range s.conns {
		out[i] = *c
		out[i].seqs = slices.Clone(c.seqs)
	}
	return out
}

// errLog records the errors a client logs (attribute "err") and passes
// every record on to the test's log.
type errLog struct {
	mu   *sync.Mutex
	errs *[]error
	next slog.Handler
}

func newErrLog(t testing.TB) *errLog {
	return &errLog{mu: new(sync.Mutex), errs: new([]error), next: testLogger(t).Handler()}
}

func (h *errLog) Enabled(context.Context, slog.Level) bool { return true }

func (h *errLog) Handle(ctx context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if err, ok := a.Value.Any().(error); ok && a.Key == "err" {
			h.mu.Lock()
			*h.errs = append(*h.errs, err)
			h.mu.Unlock()
		}
		return true
	})
	return h.next.Handle(ctx, r)
}

func (h *errLog) WithAttrs(as []slog.Attr) slog.Handler {
	return &errLog{mu: h.mu, errs: h.errs, next: h.next.WithAttrs(as)}
}

func (h *errLog) WithGroup(name string) slog.Handler {
	return &errLog{mu: h.mu, errs: h.errs, next: h.next.WithGroup(name)}
}

func (h *errLog) all() []error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(*h.errs)
}

// checkRun reports seqs that are not from, from+1, ... in order.
func checkRun(t testing.TB, what string, seqs []int64, from int64) {
	t.Helper()
	for i, s := range seqs {
		if s != from+int64(i) {
			t.Errorf("%s: event %d has seq %d, want %d (all: %v)", what, i, s, from+int64(i), seqs)
			return
		}
	}
}

// TestNoAckReconnects: a receiver that takes events and stops
// acknowledging them is dropped after Options.AckTimeout, and the
// unacknowledged events go again on the next connection, from the seq
// after the last ack.
func TestNoAckReconnects(t *testing.T) {
	const timeout = 300 * time.Millisecond
	u := newUnit(t)
	u.issue(t, 5)
	s := newStandIn(t, u.cfg.Unit.ID, ackEach)
	logs := newErrLog(t)
	c, a := startClient(t, u, s.url, func(o *uplink.Options) {
		o.AckTimeout = timeout
		o.Logger = slog.New(logs)
	})
	a.waitFor(t, 5)
	acked := s.stopAcking()
	// Events keep coming while the receiver stalls; each wakes the
	// client, so it notices the timeout within timeout/10.
	tick := time.NewTicker(timeout / 10)
	deadline := time.After(20 * time.Second)
	issued := 0
	for dropped := false; !dropped; {
		select {
		case <-tick.C:
			u.issue(t, 1)
			issued++
		case <-s.hangup:
			dropped = true
		case <-deadline:
			t.Fatalf("the client kept a connection that acknowledged nothing for 20s (%d events issued meanwhile)", issued)
		}
	}
	tick.Stop()
	last := u.log.Durable()
	// The second connection acknowledges everything; the first must have
	// ended for it to exist.
	a.waitFor(t, last)
	s.await(t, "the first connection to end", func() bool { return !s.conns[0].closed.IsZero() })

	conns := s.connections()
	if len(conns) != 2 {
		t.Fatalf("connections: got %d, want 2 (one dropped for not acking, one that acks)", len(conns))
	}
	first, second := conns[0], conns[1]
	checkRun(t, "first connection", first.seqs, 1)
	if n := len(first.seqs); n == 0 || first.seqs[n-1] <= acked {
		t.Errorf("first connection: got seqs %v, want some after the last ack %d before the drop", first.seqs, acked)
	}
	if held := first.closed.Sub(first.lastAck); held < timeout {
		t.Errorf("first connection dropped %s after the last ack, want at least the ack timeout %s", held, timeout)
	}
	if second.welcome != acked {
		t.Fatalf("second welcome: got ack %d, want %d", second.welcome, acked)
	}
	checkRun(t, "second connection", second.seqs, acked+1)
	if n := len(second.seqs); n == 0 || second.seqs[n-1] != last {
		t.Errorf("second connection: got seqs %v, want %d..%d", second.seqs, acked+1, last)
	}

	errs := logs.all()
	if len(errs) != 1 || !errors.Is(errs[0], uplink.ErrNoAck) {
		t.Errorf("logged errors: got %v, want one %v", errs, uplink.ErrNoAck)
	}
	st := c.Status(context.Background())
	if st.Reconnects != 1 || !st.Connected || st.Acked != last || st.LagEvents != 0 {
		t.Errorf("status: got reconnects %d connected %v acked %d lag %d, want 1 true %d 0", st.Reconnects, st.Connected, st.Acked, st.LagEvents, last)
	}
	// An event counts as sent once its write returned, which can be just
	// after the stand-in read it: wait for the count to catch up.
	want := int64(len(first.seqs) + len(second.seqs))
	for deadline := time.Now().Add(30 * time.Second); st.Sent < want && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
		st = c.Status(context.Background())
	}
	if st.Sent != want {
		t.Errorf("status: got %d sent, want %d, resends included", st.Sent, want)
	}

	// The stand-in holds every seq exactly once, as the unit logged it.
	s.mu.Lock()
	stored := s.stored
	s.mu.Unlock()
	if int64(len(stored)) != last {
		t.Errorf("stand-in stored %d events, want %d", len(stored), last)
	}
	var n int64
	if _, err := u.log.Since(context.Background(), 0, 0, func(r eventlog.Record) error {
		n++
		if r.Seq != n || string(stored[r.Seq]) != string(r.Data) {
			t.Errorf("event %d: stand-in stored %s, want %s", r.Seq, stored[r.Seq], r.Data)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n != last {
		t.Errorf("log: got %d events, want %d", n, last)
	}
}

// TestAckingReceiverKept: the ack timeout counts from the last ack that
// moved, and only while events are outstanding. A receiver that always
// has an event outstanding but acknowledges steadily, and a quiet one
// with nothing outstanding, both keep their connection for several
// timeouts.
func TestAckingReceiverKept(t *testing.T) {
	tests := []struct {
		name    string
		timeout time.Duration
		policy  ackPolicy
		busy    bool // issue events every timeout/20 through the test
	}{
		{name: "acks lagging one event behind", timeout: 800 * time.Millisecond, policy: ackLagging, busy: true},
		{name: "quiet with nothing outstanding", timeout: 500 * time.Millisecond, policy: ackEach},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := newUnit(t)
			u.issue(t, 5)
			s := newStandIn(t, u.cfg.Unit.ID, tt.policy)
			logs := newErrLog(t)
			c, a := startClient(t, u, s.url, func(o *uplink.Options) {
				o.AckTimeout = tt.timeout
				o.Logger = slog.New(logs)
			})
			if tt.busy {
				a.waitFor(t, 4) // the ack of 4 came when 5 did
			} else {
				a.waitFor(t, u.log.Durable())
			}
			s.mu.Lock()
			ackedBefore := s.acked
			s.mu.Unlock()
			window := time.NewTimer(4 * tt.timeout)
			defer window.Stop()
			var tick <-chan time.Time
			if tt.busy {
				tk := time.NewTicker(tt.timeout / 20)
				defer tk.Stop()
				tick = tk.C
			}
			issued := 0
		watch:
			for {
				select {
				case <-s.hangup:
					t.Fatalf("the connection ended %d events into a window of %s: %v", issued, 4*tt.timeout, logs.all())
				case <-tick:
					u.issue(t, 1)
					issued++
				case <-window.C:
					break watch
				}
			}
			st := c.Status(context.Background())
			if st.Reconnects != 0 || !st.Connected {
				t.Errorf("status: got reconnects %d connected %v, want 0 true", st.Reconnects, st.Connected)
			}
			if errs := logs.all(); len(errs) != 0 {
				t.Errorf("logged errors: got %v, want none", errs)
			}
			if n := len(s.connections()); n != 1 {
				t.Errorf("connections: got %d, want 1", n)
			}
			if tt.busy {
				// The acks moved all along, one event behind.
				last := u.log.Durable()
				s.await(t, "the last event", func() bool { return s.contig >= last })
				s.mu.Lock()
				acked := s.acked
				s.mu.Unlock()
				if issued < 40 || acked != last-1 || acked-ackedBefore < int64(issued) {
					t.Errorf("busy window: %d events issued, acks from %d to %d of %d, want at least 40 events, all but the last acknowledged", issued, ackedBefore, acked, last)
				}
			} else if st.LagEvents != 0 {
				t.Errorf("quiet window: got lag %d, want 0", st.LagEvents)
			}
		})
	}
}

// TestQuickAcks: an ack that comes back before the unit's write of the
// event returned is no protocol error. The unit used to count an event as
// sent only after the write, so a receiver on loopback that acks at once
// was often dropped for acknowledging "an event this unit never sent".
func TestQuickAcks(t *testing.T) {
	u := newUnit(t)
	s := newStandIn(t, u.cfg.Unit.ID, ackEach)
	logs := newErrLog(t)
	c, a := startClient(t, u, s.url, func(o *uplink.Options) { o.Logger = slog.New(logs) })
	u.issue(t, 200)
	last := u.log.Durable()
	a.waitFor(t, last)
	if errs := logs.all(); len(errs) != 0 {
		t.Errorf("logged errors: got %v, want none", errs)
	}
	if st := c.Status(context.Background()); st.Reconnects != 0 || st.Acked != last {
		t.Errorf("status: got reconnects %d acked %d, want 0 and %d", st.Reconnects, st.Acked, last)
	}
	if conns := s.connections(); len(conns) != 1 {
		t.Errorf("connections: got %d, want 1", len(conns))
	} else {
		checkRun(t, "connection", conns[0].seqs, 1)
	}
}
