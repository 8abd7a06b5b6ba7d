package receiver

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestLiveStateAndRestart(t *testing.T) {
	e := newEnv(t)
	c, _ := e.connect(tokenA, unitA, 1, 14)
	for i := int64(1); i <= 10; i++ {
		c.send(event(i, ""))
	}
	c.send(`{"type":"snapshot","seq":10,"state":`+liveState+`}`,
		ticketEvent(11, "ticket.issued", "t1", "A001", "waiting", 0),
		ticketEvent(12, "ticket.issued", "t2", "A002", "waiting", 0),
		ticketEvent(13, "ticket.issued", "t3", "B001", "waiting", 0),
		ticketEvent(14, "ticket.called", "t1", "A001", "called", 1))
	c.waitAck(14)
	check := func(when string) {
		t.Helper()
		st := e.status(unitA).State
		if st == nil {
			t.Fatalf("%s: no live state", when)
		}
		if got, want := waiting(st), "A002|B001"; got != want {
			t.Errorf("%s: waiting %q, want %q", when, got, want)
		}
		if got, want := serving(st), "open:A001 closed:-"; got != want {
			t.Errorf("%s: counters %q, want %q", when, got, want)
		}
		if st.Seq != 14 || st.Unit.Name != "UBND" {
			t.Errorf("%s: state at seq %d of %q, want 14 of UBND", when, st.Seq, st.Unit.Name)
		}
	}
	check("live")
	c.ws.Close()
	// The live queue is rebuilt from the stored snapshot and the events
	// after it.
	e.restart()
	check("after a restart")
	// /api/units shows the same.
	_, raw := e.do("GET", "/api/units", "", asOperator...)
	var body struct {
		Units []UnitStatus `json:"units"`
	}
	if err := json.Unmarshal([]byte(raw), &body); err != nil || len(body.Units) != 1 || body.Units[0].Ack != 14 || waiting(body.Units[0].State) != "A002|B001" {
		t.Errorf("/api/units: got %+v, %v", body, err)
	}
}

func TestGapRecorded(t *testing.T) {
	e := newEnv(t)
	// The unit lost 1..4 before sending them (its disk was full).
	c, ack := e.connect(tokenA, unitA, 5, 7)
	if ack != 0 {
		t.Fatalf("welcome: got %d, want 0", ack)
	}
	c.send(`{"type":"gap","from":1,"to":4}`, event(5, ""), event(6, ""), event(7, ""))
	c.waitAck(7)
	if got := e.stored(unitA); !slices.Equal(got, seqRange(5, 7)) {
		t.Fatalf("stored %v, want 5..7", got)
	}
	if st := e.status(unitA); st.Lost != 4 || st.Ack != 7 {
		t.Errorf("status: got lost %d ack %d, want 4 and 7", st.Lost, st.Ack)
	}
	c.ws.Close()
	e.restart()
	if st := e.status(unitA); st.Lost != 4 || st.Ack != 7 {
		t.Errorf("after a restart: got lost %d ack %d, want 4 and 7", st.Lost, st.Ack)
	}
}

func TestPage(t *testing.T) {
	e := newEnv(t)
	get := func() string {
		t.Helper()
		resp, body := e.do("GET", "/", "", asOperator...)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Fatalf("page: got %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		return body
	}
	if p := get(); !strings.Contains(p, "No unit has connected yet") {
		t.Errorf("empty page: %s", p)
	}
	c, _ := e.connect(tokenA, unitA, 1, 12)
	for i := int64(1); i <= 10; i++ {
		c.send(event(i, ""))
	}
	c.send(`{"type":"snapshot","seq":10,"state":`+liveState+`}`,
		ticketEvent(11, "ticket.issued", "t1", "A001", "waiting", 0),
		ticketEvent(12, "ticket.issued", "t2", "<b>B001", "waiting", 0))
	c.waitAck(12)
	p := get()
	for _, want := range []string{"unit-a", "connected", "A001", "Quầy 1", "&lt;b&gt;B001"} {
		if !strings.Contains(p, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}
