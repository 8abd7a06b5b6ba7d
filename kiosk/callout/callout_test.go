package callout

import (
	"fmt"
	"strings"
	"testing"

	"motcua/display"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/queue"
)

// shown records what a display was told.
type shown struct{ log []string }

func (s *shown) Call(c display.Content) { s.log = append(s.log, "call "+c.Text) }
func (s *shown) Set(c display.Content)  { s.log = append(s.log, "set "+c.Text) }

func rec(ev queue.Event) eventlog.Record { return eventlog.Record{Seq: ev.Seq, Event: &ev} }

func TestObserve(t *testing.T) {
	one, two := 1, 2
	d1, d2 := &shown{}, &shown{}
	var said []string
	c := New(map[int][]Display{1: {d1}, 2: {d2}}, func(n string, id int) { said = append(said, fmt.Sprint(n, "@", id)) })
	c.Observe([]eventlog.Record{
		rec(queue.Event{Name: queue.TicketIssued, Ticket: &queue.Ticket{Number: "A001"}}),
		rec(queue.Event{Name: queue.TicketCalled, Ticket: &queue.Ticket{Number: "A001", Counter: &one}}),
		rec(queue.Event{Name: queue.TicketCalled, Ticket: &queue.Ticket{Number: "B001", Counter: &two}}),
		rec(queue.Event{Name: queue.TicketRecalled, Ticket: &queue.Ticket{Number: "A001", Counter: &one}}),
		rec(queue.Event{Name: queue.TicketDone, Ticket: &queue.Ticket{Number: "A001", Counter: &one}}),
		rec(queue.Event{Name: queue.CounterClosed, Counter: &queue.Counter{ID: 1}}),
		{Seq: 9}, // read back from the log: no event, ignored
		rec(queue.Event{Name: queue.DayStarted}),
	})
	tests := []struct {
		name, got, want string
	}{
		{"counter 1", strings.Join(d1.log, ", "), "call A001, call A001, set , set "},
		{"counter 2", strings.Join(d2.log, ", "), "call B001, set "},
		{"voice", strings.Join(said, ", "), "A001@1, B001@2, A001@1"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

func TestStartShowsWhatCountersServe(t *testing.T) {
	d1, d2 := &shown{}, &shown{}
	c := New(map[int][]Display{1: {d1}, 2: {d2}}, nil)
	c.Start(&queue.State{Counters: []*queue.Counter{
		{ID: 1, State: queue.Open, Serving: &queue.Ticket{Number: "C007"}},
		{ID: 2, State: queue.Closed},
	}})
	if got := strings.Join(append(d1.log, d2.log...), ", "); got != "set C007, set " {
		t.Errorf("got %q, want %q", got, "set C007, set ")
	}
}
