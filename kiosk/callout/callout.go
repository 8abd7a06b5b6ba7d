// Package callout turns calls into what people see and hear: the number on
// the counter's display, blinking for a new call, and the voice call.
//
// It follows the committed events, so a display shows only what is
// durable, in order. Its callees must not block: a supervised display takes
// the latest content and retries by itself, an announcer queues the call.
package callout

import (
	"motcua/display"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/queue"
)

// Display is a counter display as callout drives it; [display.Supervised]
// is one.
type Display interface {
	// Call shows c and blinks it for a while: a new call.
	Call(c display.Content)
	// Set shows c without blinking.
	Set(c display.Content)
}

// Announce says a call aloud; it must not block.
type Announce func(number string, counter int)

// Callout drives the counters' displays and the voice.
type Callout struct {
	displays map[int][]Display
	announce Announce
}

// New returns a callout for the displays of each counter (by counter id)
// and an announcer (nil: silent).
func New(displays map[int][]Display, announce Announce) *Callout {
	return &Callout{displays: displays, announce: announce}
}

// Start shows what each counter serves in st, without blinking or voice:
// after a restart the displays come back as they were.
func (c *Callout) Start(st *queue.State) {
	for _, ctr := range st.Counters {
		content := display.Content{Counter: ctr.ID}
		if ctr.Serving != nil && ctr.State != queue.Closed {
			content.Text = ctr.Serving.Number
		}
		c.set(ctr.ID, content)
	}
}

// Observe follows committed events; it is a log subscriber.
func (c *Callout) Observe(recs []eventlog.Record) {
	for _, r := range recs {
		ev := r.Event
		if ev == nil {
			continue
		}
		switch ev.Name {
		case queue.TicketCalled, queue.TicketRecalled:
			if ev.Ticket == nil || ev.Ticket.Counter == nil {
				continue
			}
			id := *ev.Ticket.Counter
			for _, d := range c.displays[id] {
				d.Call(display.Content{Counter: id, Text: ev.Ticket.Number})
			}
			if c.announce != nil {
				c.announce(ev.Ticket.Number, id)
			}
		case queue.CounterClosed:
			c.set(ev.Counter.ID, display.Content{Counter: ev.Counter.ID})
		case queue.DayStarted:
			for id := range c.displays {
				c.set(id, display.Content{Counter: id})
			}
		}
	}
}

func (c *Callout) set(id int, content display.Content) {
	for _, d := range c.displays[id] {
		d.Set(content)
	}
}
