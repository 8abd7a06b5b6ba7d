package uplinkproto

import (
	"fmt"
	"time"
)

// The wire types below are a unit's queue as events and snapshots carry
// it (docs/api.md, "Events"): the fields a receiver needs to follow the
// live queue. Fields a unit sends that are not listed here are kept in
// the stored event but not parsed.

// Ticket is a ticket as an event or a snapshot carries it.
type Ticket struct {
	ID          string     `json:"id"`
	Number      string     `json:"number"`
	Service     string     `json:"service"`
	Priority    bool       `json:"priority"`
	Status      string     `json:"status"`
	Counter     *int       `json:"counter"`
	Calls       int        `json:"calls"`
	IssuedAt    time.Time  `json:"issued_at"`
	CalledAt    *time.Time `json:"called_at"`
	DoneAt      *time.Time `json:"done_at"`
	Ahead       int        `json:"ahead"`
	WaitSeconds int        `json:"estimated_wait_s"`
	Officer     string     `json:"officer,omitempty"`
	Rating      int        `json:"rating,omitempty"`
	Day         string     `json:"day"`
	Appointment string     `json:"appointment,omitempty"`
	// Public is the id of the citizen's own page of the ticket.
	Public string `json:"public,omitempty"`
	// Category is why a priority ticket is one.
	Category string `json:"category,omitempty"`
}

// The ticket statuses a receiver's live view acts on.
const (
	StatusWaiting = "waiting"
	StatusCalled  = "called"
)

// Counter is a counter as an event or a snapshot carries it.
type Counter struct {
	ID       int       `json:"id"`
	Name     string    `json:"name"`
	State    string    `json:"state"`
	Officer  string    `json:"officer"`
	Reason   string    `json:"reason,omitempty"`
	Services []string  `json:"services"`
	Serving  *Ticket   `json:"serving"`
	Served   int       `json:"served_today"`
	Waiting  []*Ticket `json:"waiting,omitempty"`
}

// Service is a service and the tickets waiting for it, in calling order.
type Service struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Prefix  string    `json:"prefix"`
	Waiting []*Ticket `json:"waiting"`
}

// Device is the status of one of a unit's devices.
type Device struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Detail string `json:"detail"`
}

// Unit names a unit.
type Unit struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// State is a unit's whole queue at one seq: a snapshot's "state".
type State struct {
	Seq      int64      `json:"seq"`
	Day      string     `json:"day"`
	Unit     Unit       `json:"unit"`
	Services []*Service `json:"services"`
	Counters []*Counter `json:"counters"`
	Devices  []Device   `json:"devices"`
}

// Event is one event as a unit sends it. At is its time as sent (RFC
// 3339).
type Event struct {
	Type    string   `json:"type"`
	Seq     int64    `json:"seq"`
	At      string   `json:"at"`
	Name    string   `json:"event"`
	Day     string   `json:"day"`
	Ticket  *Ticket  `json:"ticket,omitempty"`
	Counter *Counter `json:"counter,omitempty"`
	Device  *Device  `json:"device,omitempty"`
}

// Names of the events a receiver's live view treats specially.
const (
	EventDayStarted   = "day.started"
	EventDeviceStatus = "device.status"
)

// Limits of the fields a unit sends, in bytes: generous bounds that no
// real unit reaches, so that a faulty or hostile one cannot make a
// receiver store or show without end.
const (
	MaxID   = 128  // ids, event and device names, statuses, days
	MaxText = 2048 // names, officers, reasons, details, ticket numbers
	// MaxCounterID is the largest counter id.
	MaxCounterID = 1 << 20
)

// checker collects the first problem found while checking a value.
type checker struct{ err error }

func (c *checker) fail(format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf(format, args...)
	}
}

// str checks a text's presence and length; JSON decoding has made it
// valid UTF-8 already.
func (c *checker) str(what, s string, maxLen int, required bool) {
	switch {
	case required && s == "":
		c.fail("%s is empty", what)
	case len(s) > maxLen:
		c.fail("%s is %d bytes, more than %d", what, len(s), maxLen)
	}
}

func (c *checker) day(what, s string) {
	if s == "" {
		return
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		c.fail("%s %q is not a date YYYY-MM-DD", what, clip(s))
	}
}

func (c *checker) counterID(what string, id int) {
	if id <= 0 || id > MaxCounterID {
		c.fail("%s %d is not a counter id", what, id)
	}
}

func (c *checker) ticket(what string, t *Ticket) {
	if t == nil {
		c.fail("%s is null", what)
		return
	}
	c.str(what+" id", t.ID, MaxID, true)
	c.str(what+" number", t.Number, MaxText, false)
	c.str(what+" service", t.Service, MaxID, false)
	c.str(what+" status", t.Status, MaxID, true)
	c.str(what+" officer", t.Officer, MaxText, false)
	c.str(what+" appointment", t.Appointment, MaxText, false)
	c.str(what+" public", t.Public, MaxID, false)
	c.str(what+" category", t.Category, MaxID, false)
	c.day(what+" day", t.Day)
	if t.Counter != nil {
		c.counterID(what+" counter", *t.Counter)
	}
	if t.Calls < 0 || t.Ahead < 0 || t.WaitSeconds < 0 || t.Rating < 0 {
		c.fail("%s has a negative count", what)
	}
}

func (c *checker) counter(what string, k *Counter) {
	if k == nil {
		c.fail("%s is null", what)
		return
	}
	c.counterID(what+" id", k.ID)
	c.str(what+" name", k.Name, MaxText, false)
	c.str(what+" state", k.State, MaxID, false)
	c.str(what+" officer", k.Officer, MaxText, false)
	c.str(what+" reason", k.Reason, MaxText, false)
	for _, s := range k.Services {
		c.str(what+" service", s, MaxID, true)
	}
	if k.Serving != nil {
		c.ticket(what+" serving", k.Serving)
	}
	if k.Served < 0 {
		c.fail("%s served_today %d is negative", what, k.Served)
	}
	for _, t := range k.Waiting {
		c.ticket(what+" waiting ticket", t)
	}
}

func (c *checker) device(what string, d *Device) {
	c.str(what+" name", d.Name, MaxID, true)
	c.str(what+" status", d.Status, MaxID, false)
	c.str(what+" detail", d.Detail, MaxText, false)
}

// Check reports the first problem of a state, or nil: every list
// element present, ids and names within their limits.
func (st *State) Check() error {
	var c checker
	c.day("day", st.Day)
	c.str("unit id", st.Unit.ID, MaxID, false)
	c.str("unit name", st.Unit.Name, MaxText, false)
	for _, s := range st.Services {
		if s == nil {
			c.fail("a service is null")
			break
		}
		c.str("service id", s.ID, MaxID, true)
		c.str("service name", s.Name, MaxText, false)
		c.str("service prefix", s.Prefix, MaxText, false)
		for _, t := range s.Waiting {
			c.ticket("waiting ticket", t)
		}
	}
	for _, k := range st.Counters {
		c.counter("counter", k)
	}
	for i := range st.Devices {
		c.device("device", &st.Devices[i])
	}
	return c.err
}

// Check reports the first problem of an event, or nil.
func (ev *Event) Check() error {
	var c checker
	if ev.Seq <= 0 {
		c.fail("seq %d is not positive", ev.Seq)
	}
	c.str("event", ev.Name, MaxID, true)
	if _, err := time.Parse(time.RFC3339Nano, ev.At); err != nil {
		c.fail("at %q is not an RFC 3339 time", clip(ev.At))
	}
	c.day("day", ev.Day)
	if ev.Ticket != nil {
		c.ticket("ticket", ev.Ticket)
	}
	if ev.Counter != nil {
		c.counter("counter", ev.Counter)
	}
	if ev.Device != nil {
		c.device("device", ev.Device)
	}
	return c.err
}
