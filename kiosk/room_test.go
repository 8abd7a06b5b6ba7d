package kiosk_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"motcua/clock"
	"motcua/clock/clocktest"
	"motcua/kiosk"
	"motcua/kiosk/config"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/queue"
)

// openRoom opens the demo office's room on a new log in dir.
func openRoom(t *testing.T, dir string, clk clock.Dated) (*kiosk.Room, *eventlog.Log) {
	t.Helper()
	log, err := eventlog.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	room, err := kiosk.OpenRoom(context.Background(), config.Demo(), log, clk)
	if err != nil {
		t.Fatal(err)
	}
	return room, log
}

func newClock() *clocktest.Clock {
	return clocktest.New(time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC))
}

func act(t *testing.T, room *kiosk.Room, a kiosk.Action) []queue.Event {
	t.Helper()
	evs, err := room.Act(a)
	if err != nil {
		t.Fatalf("%s: %v", a.Name, err)
	}
	return evs
}

// The room rebuilds the day's queue from its log: a room opened again on
// the same directory has the same tickets and counters, and numbers on.
func TestRoomRebuildsFromTheLog(t *testing.T) {
	dir := t.TempDir()
	clk := newClock()
	room, log := openRoom(t, dir, clk)
	for range 2 {
		if _, err := room.Do(func(e *queue.Engine) ([]queue.Event, error) { return e.Issue("dat-dai", false) }); err != nil {
			t.Fatal(err)
		}
	}
	act(t, room, kiosk.Action{Name: "open", Counter: 1, Officer: "Lê Văn C"})
	act(t, room, kiosk.Action{Name: "next", Counter: 1})
	if err := log.Close(); err != nil {
		t.Fatal(err)
	}
	again, _ := openRoom(t, dir, clk)
	st, err := kiosk.View(again, (*queue.Engine).State)
	if err != nil {
		t.Fatal(err)
	}
	if s := st.Counters[0].Serving; s == nil || s.Number != "A001" {
		t.Errorf("counter 1 serves %+v, want A001", s)
	}
	evs, err := again.Do(func(e *queue.Engine) ([]queue.Event, error) { return e.Issue("dat-dai", false) })
	if err != nil {
		t.Fatal(err)
	}
	if n := evs[len(evs)-1].Ticket.Number; n != "A003" {
		t.Errorf("next ticket after reopening: got %s, want A003", n)
	}
	if _, err := again.Ticket(context.Background(), "no-such-id"); !errors.Is(err, kiosk.ErrNoTicket) {
		t.Errorf("unknown ticket: got %v, want ErrNoTicket", err)
	}
}

// Every counter action goes through one dispatch; an unknown one is
// refused and changes nothing.
func TestActions(t *testing.T) {
	room, _ := openRoom(t, t.TempDir(), newClock())
	room.Do(func(e *queue.Engine) ([]queue.Event, error) { return e.Issue("dat-dai", false) })
	tests := []struct {
		a    kiosk.Action
		want string // the last event's name
	}{
		{kiosk.Action{Name: "open", Counter: 1, Officer: "Lê Văn C"}, queue.CounterOpened},
		{kiosk.Action{Name: "next", Counter: 1}, queue.TicketCalled},
		{kiosk.Action{Name: "recall", Counter: 1}, queue.TicketRecalled},
		{kiosk.Action{Name: "done", Counter: 1}, queue.TicketDone},
		{kiosk.Action{Name: "rating", Counter: 1, Score: 4}, queue.TicketRated},
		{kiosk.Action{Name: "pause", Counter: 1, Reason: "họp"}, queue.CounterPaused},
		{kiosk.Action{Name: "resume", Counter: 1}, queue.CounterResumed},
		{kiosk.Action{Name: "close", Counter: 1}, queue.CounterClosed},
	}
	for _, tt := range tests {
		evs := act(t, room, tt.a)
		if got := evs[len(evs)-1].Name; got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.a.Name, got, tt.want)
		}
	}
	evs, err := room.Act(kiosk.Action{Name: "explode", Counter: 1})
	if !errors.Is(err, kiosk.ErrUnknownAction) || len(evs) != 0 {
		t.Errorf("unknown action: got %v %v, want ErrUnknownAction and no events", evs, err)
	}
}

// A rating keypad's score counts for the ticket done last at its counter,
// only within the window after it was done, on the injected clock.
func TestRatingWindow(t *testing.T) {
	clk := newClock()
	room, _ := openRoom(t, t.TempDir(), clk)
	r := kiosk.NewRatings(room, clk)
	room.Log().OnCommit = r.Observe
	if err := r.Rate(1, 4, time.Minute); !errors.Is(err, kiosk.ErrRatingWindow) {
		t.Errorf("nothing done yet: got %v, want ErrRatingWindow", err)
	}
	room.Do(func(e *queue.Engine) ([]queue.Event, error) { return e.Issue("dat-dai", false) })
	room.Do(func(e *queue.Engine) ([]queue.Event, error) { return e.Issue("dat-dai", false) })
	act(t, room, kiosk.Action{Name: "open", Counter: 1, Officer: "Lê Văn C"})
	act(t, room, kiosk.Action{Name: "next", Counter: 1})
	act(t, room, kiosk.Action{Name: "done", Counter: 1})
	clk.Add(59 * time.Second)
	if err := r.Rate(1, 3, time.Minute); err != nil {
		t.Errorf("within the window: %v", err)
	}
	act(t, room, kiosk.Action{Name: "next", Counter: 1})
	act(t, room, kiosk.Action{Name: "done", Counter: 1})
	clk.Add(61 * time.Second)
	if err := r.Rate(1, 3, time.Minute); !errors.Is(err, kiosk.ErrRatingWindow) {
		t.Errorf("after the window: got %v, want ErrRatingWindow", err)
	}
	if err := r.Rate(2, 3, time.Hour); !errors.Is(err, kiosk.ErrRatingWindow) {
		t.Errorf("another counter: got %v, want ErrRatingWindow", err)
	}
}

// The priority button arms exactly the next ticket of its kiosk.
func TestPriorityArmsTheNextTicket(t *testing.T) {
	var p kiosk.Priority
	if p.Take("") {
		t.Error("armed before any press")
	}
	p.Arm("")
	p.Arm("")
	p.Arm("sanh-b")
	if !p.Take("") {
		t.Error("not armed after a press")
	}
	if p.Take("") {
		t.Error("still armed for the ticket after")
	}
	if !p.Take("sanh-b") {
		t.Error("kiosk sanh-b: not armed after its press")
	}
	if p.Take("sanh-b") || p.Take("tang-2") {
		t.Error("armed without a press at that kiosk")
	}
}
