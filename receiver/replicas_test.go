package receiver

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// replica opens a second receiver on e's PostgreSQL database.
func (e *env) replica() *env {
	e.t.Helper()
	r := &env{t: e.t, dir: e.t.TempDir(), store: e.store, clk: e.clk}
	r.open()
	return r
}

// Several receivers on one PostgreSQL act as one: a unit may connect to
// any, nothing is stored twice, and any shows any unit's live queue.
func TestReplicasActAsOne(t *testing.T) {
	if pg == nil {
		t.Skip("several receivers share a PostgreSQL database: this test runs in the PostgreSQL pass")
	}
	a := newEnv(t)
	b := a.replica()

	c, _ := a.connect(tokenA, unitA, 1, 14)
	for i := int64(1); i <= 10; i++ {
		c.send(event(i, ""))
	}
	c.send(`{"type":"snapshot","seq":10,"state":`+liveState+`}`,
		ticketEvent(11, "ticket.issued", "t1", "A001", "waiting", 0),
		ticketEvent(12, "ticket.issued", "t2", "A002", "waiting", 0))
	c.waitAck(12)

	// B follows A's unit within a poll.
	deadline := time.Now().Add(wait)
	for {
		if st := statusOf(b, unitA); st.Ack == 12 && st.State != nil && waiting(st.State) == "A001 A002|" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica B shows %+v, want unit-a at 12 with A001 A002 waiting", statusOf(b, unitA))
		}
		b.clk.Advance(b.srv.o.PollEvery)
		time.Sleep(5 * time.Millisecond)
	}

	// A ticket served and done on A: B's citizen page shows it done.
	c.send(strings.Replace(ticketEvent(13, "ticket.done", "t0", "A000", "done", 1), `"day":"2026-11-26"}`, `"day":"2026-11-26","public":"pubid-of-a000-0123456789"}`, 1))
	c.waitAck(13)
	for deadline := time.Now().Add(wait); ; {
		resp, body := b.do("GET", "/api/v1/public/unit-a/pubid-of-a000-0123456789", "")
		if resp.StatusCode == 200 && strings.Contains(body, `"status":"done"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("B's citizen page of a ticket done on A: %d %s", resp.StatusCode, body)
		}
		b.clk.Advance(b.srv.o.PollEvery)
		time.Sleep(5 * time.Millisecond)
	}

	// The unit moves to B: B welcomes it at A's ack.
	c.ws.Close()
	c, ack := b.connect(tokenA, unitA, 1, 15)
	if ack != 13 {
		t.Fatalf("welcome on B: got %d, want 13", ack)
	}
	c.send(ticketEvent(14, "ticket.called", "t1", "A001", "called", 1), ticketEvent(15, "ticket.issued", "t3", "B001", "waiting", 0))
	c.waitAck(15)
	if st := b.status(unitA).State; st == nil || waiting(st) != "A002|B001" || serving(st) != "open:A001 closed:-" {
		t.Errorf("B's live queue: %v", st)
	}

	// A connection that lingers on A while the unit is on B cannot
	// store on a stale ack: it ends, and the unit, back on A, is welcomed
	// at B's ack.
	old, ack := a.connect(tokenA, unitA, 1, 17)
	if ack != 15 {
		t.Fatalf("welcome on A: got %d, want 15", ack)
	}
	c.send(event(16, ""))
	c.waitAck(16)
	old.send(event(16, ""), event(17, ""))
	if ce := old.closed(); ce == nil || ce.Code != websocket.CloseInternalServerErr {
		t.Fatalf("stale connection on A: got close %v, want it ended", ce)
	}
	c2, ack := a.connect(tokenA, unitA, 1, 17)
	if ack != 16 {
		t.Fatalf("welcome on A again: got %d, want 16", ack)
	}
	c2.send(event(17, ""))
	c2.waitAck(17)
	if got := a.stored(unitA); !slices.Equal(got, seqRange(1, 17)) {
		t.Errorf("stored %v, want 1..17 once each", got)
	}
}

// Two connections of one unit, on two receivers, sending the same
// events at once: each event is stored once, and what is acknowledged is
// stored.
func TestReplicasRace(t *testing.T) {
	if pg == nil {
		t.Skip("several receivers share a PostgreSQL database: this test runs in the PostgreSQL pass")
	}
	a := newEnv(t)
	b := a.replica()
	const n = 300
	var wg sync.WaitGroup
	acked := make([]int64, 2)
	for i, e := range []*env{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Like a unit that reconnects whenever it is dropped.
			for try := 0; try < 50 && acked[i] < n; try++ {
				ack, done := raceSession(e)
				acked[i] = max(acked[i], ack)
				if done {
					return
				}
			}
		}()
	}
	wg.Wait()
	if got := a.stored(unitA); !slices.Equal(got, seqRange(1, n)) {
		t.Fatalf("stored %d events (%v...), want 1..%d once each", len(got), got[:min(len(got), 5)], n)
	}
	if acked[0] != n && acked[1] != n {
		t.Errorf("acknowledged %v, want one connection at %d", acked, n)
	}
}

// raceSession connects to e and sends the events from its welcome's ack
// up to 300, reading acks until the connection ends; it returns the last
// ack read and whether it reached 300.
func raceSession(e *env) (int64, bool) {
	const n = 300
	d := websocket.Dialer{Subprotocols: []string{"motcua.uplink.v1"}, HandshakeTimeout: wait}
	ws, _, err := d.Dial(e.url(), map[string][]string{"Authorization": {"Bearer " + tokenA}})
	if err != nil {
		return 0, false
	}
	defer ws.Close()
	ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"hello","unit":"unit-a","protocol":1,"first":1,"last":300}`))
	ws.SetReadDeadline(time.Now().Add(wait))
	var m struct {
		Type string `json:"type"`
		Ack  int64  `json:"ack"`
		Seq  int64  `json:"seq"`
	}
	if ws.ReadJSON(&m) != nil || m.Type != "welcome" {
		return 0, false
	}
	ack := m.Ack
	go func() {
		for i := m.Ack + 1; i <= n; i++ {
			if ws.WriteMessage(websocket.TextMessage, []byte(event(i, ""))) != nil {
				return
			}
		}
	}()
	for ack < n {
		var a struct {
			Seq int64 `json:"seq"`
		}
		if ws.ReadJSON(&a) != nil {
			return ack, false
		}
		ack = a.Seq
	}
	return ack, true
}

// statusOf is a unit's status on e, or the zero status.
func statusOf(e *env, unit string) UnitStatus {
	for _, u := range e.srv.Units() {
		if u.Unit == unit {
			return u
		}
	}
	return UnitStatus{}
}
