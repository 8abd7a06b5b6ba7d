package queue

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"motcua/clock"
	"motcua/kiosk/config"
)

// recentTimes is how many recent service times per service feed the wait
// estimate.
const recentTimes = 20

// Engine holds the queue state and applies commands to it. It is not safe
// for concurrent use: its owner serialises calls.
type Engine struct {
	cfg   *config.Config
	clock clock.Dated

	seq    int64
	lastAt time.Time
	day    string
	// kiosk is the kiosk of the command in progress (see [Engine.At]).
	kiosk string

	services map[string]*service
	counters map[int]*counter
	tickets  map[string]*Ticket // today's tickets by id
	order    map[string]int64   // ticket id -> seq of its ticket.issued event
	pinned   map[int][]*Ticket  // waiting tickets transferred to a counter, by counter
	devices  []Device
	// issuedMono and calledMono are monotonic readings of this run's
	// issues and calls, by ticket id (see [clock.Monotonic]); not rebuilt by
	// replay, so a restart falls back to event times.
	issuedMono map[string]time.Duration
	calledMono map[string]time.Duration

	// appts are the bookings of today and later days, by code; held
	// counts those that count against each limit (see bookingKeys).
	appts map[string]*Appointment
	held  map[string]int
	carry int // about the JSON size of appts (see MaxCarry)
	// slot is the moment a checked-in booking's ticket waits from (its
	// From time), by ticket id; other tickets wait from their issue.
	slot map[string]time.Time
	// random draws public ids (see [Engine.SetRandom]); nil: crypto/rand.
	random io.Reader
	// mark is, for each waiting normal ticket, its service's prioCalls
	// when it began waiting there (see [Engine.overdue]).
	mark map[string]int
}

type service struct {
	cfg    config.Service
	next   int
	prio   []*Ticket // waiting priority tickets, oldest first
	normal []*Ticket // waiting normal tickets, oldest first
	times  []time.Duration
	// prioCalls counts today's calls of this service's priority tickets.
	prioCalls int
}

type counter struct {
	cfg        config.Counter
	state      CounterState
	officer    string
	reason     string
	serving    *Ticket
	lastServed *Ticket
	prioRun    int // priority tickets called in a row
	served     int
}

// New returns an engine for cfg with an empty log, on clk: the engine
// reads its time and whether its date is trusted, never waits on it, and
// measures waits and service times on its monotonic reading when clk is a
// [clock.Monotonic]. Rebuild its state from the log with [Engine.Apply].
func New(cfg *config.Config, clk clock.Dated) *Engine {
	e := &Engine{clock: clk}
	e.tickets = map[string]*Ticket{}
	e.order = map[string]int64{}
	e.pinned = map[int][]*Ticket{}
	e.issuedMono = map[string]time.Duration{}
	e.calledMono = map[string]time.Duration{}
	e.appts = map[string]*Appointment{}
	e.held = map[string]int{}
	e.slot = map[string]time.Time{}
	e.mark = map[string]int{}
	e.services = map[string]*service{}
	e.counters = map[int]*counter{}
	e.Reconfigure(cfg)
	return e
}

// Reconfigure changes the services and counters, keeping the queue:
// waiting tickets, numbering and counters that still exist keep their state.
func (e *Engine) Reconfigure(cfg *config.Config) {
	e.cfg = cfg
	for _, sc := range cfg.Services {
		if s, ok := e.services[sc.ID]; ok {
			s.cfg = sc
			continue
		}
		e.services[sc.ID] = &service{cfg: sc}
	}
	for _, cc := range cfg.Counters {
		if c, ok := e.counters[cc.ID]; ok {
			c.cfg = cc
			continue
		}
		e.counters[cc.ID] = &counter{cfg: cc, state: Closed}
	}
}

// Seq is the sequence number of the last event applied.
func (e *Engine) Seq() int64 { return e.seq }

// Day is the current queue day, "YYYY-MM-DD", or "" before the first event.
func (e *Engine) Day() string { return e.day }

// Apply applies an event from the log. Events must come in sequence.
func (e *Engine) Apply(ev Event) error {
	if ev.Seq != e.seq+1 {
		return fmt.Errorf("%w: got %d after %d", ErrBadSeq, ev.Seq, e.seq)
	}
	e.apply(&ev)
	return nil
}

func (e *Engine) apply(ev *Event) {
	e.seq = ev.Seq
	if ev.At.After(e.lastAt) {
		e.lastAt = ev.At
	}
	switch ev.Name {
	case DayStarted:
		e.startDay(ev.Day)
		clear(e.appts)
		clear(e.held)
		e.carry = 0
		for _, a := range ev.Appointments {
			e.setAppointment(a)
		}
	case TicketIssued:
		t := e.keep(ev.Ticket)
		e.order[t.ID] = ev.Seq
		if s := e.services[t.Service]; s != nil && ev.N >= s.next {
			s.next = ev.N + 1
		}
		if t.Appointment != "" {
			e.checkedIn(t)
		}
		e.enqueue(t)
	case TicketCalled, TicketRecalled:
		t := e.keep(ev.Ticket)
		e.dequeue(t.ID)
		if c := e.counterOf(t); c != nil {
			c.serving = t
			if ev.Name == TicketCalled {
				if t.Priority {
					c.prioRun++
					if s := e.services[t.Service]; s != nil {
						s.prioCalls++
					}
				} else {
					c.prioRun = 0
				}
			}
		}
	case TicketDone, TicketNoShow:
		t := e.keep(ev.Ticket)
		if c := e.counterOf(t); c != nil {
			if c.serving != nil && c.serving.ID == t.ID {
				c.serving = nil
			}
			if ev.Name == TicketDone {
				c.lastServed = t
				c.served++
			}
		}
		if s := e.services[t.Service]; s != nil && ev.Name == TicketDone && t.CalledAt != nil && t.DoneAt != nil {
			d := t.DoneAt.Sub(*t.CalledAt)
			if ev.ServiceMS > 0 {
				d = time.Duration(ev.ServiceMS) * time.Millisecond
			}
			s.times = append(s.times, d)
			if len(s.times) > recentTimes {
				s.times = s.times[1:]
			}
		}
	case TicketTransferred:
		t := e.keep(ev.Ticket)
		if ev.From != nil && ev.From.Counter != nil {
			if c := e.counters[*ev.From.Counter]; c != nil && c.serving != nil && c.serving.ID == t.ID {
				c.serving = nil
			}
		}
		e.enqueue(t)
	case TicketRated, TicketDossierLinked:
		e.keep(ev.Ticket)
	case CounterOpened, CounterPaused, CounterResumed, CounterClosed:
		if c := e.counters[ev.Counter.ID]; c != nil {
			c.state = ev.Counter.State
			c.officer = ev.Counter.Officer
			c.reason = ev.Counter.Reason
			if c.state == Closed {
				c.serving = nil
				c.prioRun = 0
			}
		}
	case DeviceStatus:
		e.setDevice(*ev.Device)
	case AppointmentBooked, AppointmentCancelled, AppointmentExpired:
		e.applyAppointment(ev)
	}
}

// keep stores a copy of an event's ticket as today's ticket and returns it.
// A waiting ticket keeps its place in the lines: the lines point at the
// stored ticket, which is updated in place.
func (e *Engine) keep(t *Ticket) *Ticket {
	cp := *t
	cp.Ahead, cp.WaitSeconds = 0, 0
	if old, ok := e.tickets[t.ID]; ok {
		*old = cp
		return old
	}
	e.tickets[t.ID] = &cp
	return &cp
}

func (e *Engine) counterOf(t *Ticket) *counter {
	if t.Counter == nil {
		return nil
	}
	return e.counters[*t.Counter]
}

func (e *Engine) startDay(day string) {
	e.day = day
	clear(e.tickets)
	clear(e.order)
	clear(e.pinned)
	clear(e.issuedMono)
	clear(e.calledMono)
	clear(e.slot)
	clear(e.mark)
	for _, s := range e.services {
		s.next, s.prio, s.normal, s.times, s.prioCalls = 0, nil, nil, nil, 0
	}
	for _, c := range e.counters {
		c.state, c.officer, c.reason = Closed, "", ""
		c.serving, c.lastServed, c.prioRun, c.served = nil, nil, 0, 0
	}
}

// waitsFrom is the moment ticket t waits from: a checked-in booking's From
// time, else its issue.
func (e *Engine) waitsFrom(t *Ticket) time.Time {
	if at, ok := e.slot[t.ID]; ok {
		return at
	}
	return t.IssuedAt
}

// before reports whether waiting ticket a is called before b when both are
// heads of lines a counter looks at: the one that has waited longest, then
// by the order of arrival.
func (e *Engine) before(a, b *Ticket) bool {
	if sa, sb := e.waitsFrom(a), e.waitsFrom(b); !sa.Equal(sb) {
		return sa.Before(sb)
	}
	return e.order[a.ID] < e.order[b.ID]
}

// insert puts t into line in calling order. New tickets go to the end; a
// transferred ticket keeps its original issue time and so its place.
func (e *Engine) insert(line []*Ticket, t *Ticket) []*Ticket {
	i := len(line)
	for i > 0 && e.before(t, line[i-1]) {
		i--
	}
	return slices.Insert(line, i, t)
}

func (e *Engine) enqueue(t *Ticket) {
	if t.Status != Waiting {
		return
	}
	s := e.services[t.Service]
	if s != nil && !t.Priority {
		e.mark[t.ID] = s.prioCalls
	}
	if t.Counter != nil {
		e.pinned[*t.Counter] = e.insert(e.pinned[*t.Counter], t)
		return
	}
	if s == nil {
		return
	}
	if t.Priority {
		s.prio = e.insert(s.prio, t)
	} else {
		s.normal = e.insert(s.normal, t)
	}
}

func remove(line []*Ticket, id string) []*Ticket {
	return slices.DeleteFunc(line, func(t *Ticket) bool { return t.ID == id })
}

func (e *Engine) dequeue(id string) {
	for _, s := range e.services {
		s.prio = remove(s.prio, id)
		s.normal = remove(s.normal, id)
	}
	for c, line := range e.pinned {
		e.pinned[c] = remove(line, id)
	}
}

func (e *Engine) setDevice(d Device) {
	for i := range e.devices {
		if e.devices[i].Name == d.Name {
			e.devices[i] = d
			return
		}
	}
	e.devices = append(e.devices, d)
	slices.SortFunc(e.devices, func(a, b Device) int { return strings.Compare(a.Name, b.Name) })
}

// ratio is how many priority tickets a counter calls in a row while normal
// tickets wait.
func (e *Engine) ratio() int {
	return max(e.cfg.Queue.PriorityRatio, 1)
}

// serviceTime is the mean of the service's recent service times, or the
// configured default before any.
func (e *Engine) serviceTime(s *service) time.Duration {
	if len(s.times) == 0 {
		d := time.Duration(e.cfg.Queue.DefaultServiceTime)
		if d <= 0 {
			d = 5 * time.Minute
		}
		return d
	}
	var sum time.Duration
	for _, d := range s.times {
		sum += d
	}
	return sum / time.Duration(len(s.times))
}

// Rebase makes a new engine continue a log whose events up to seq are not
// replayed: those before the current day's day.started event, which the
// day's queue does not depend on. Call it before the first Apply.
func (e *Engine) Rebase(seq int64) {
	if e.seq == 0 {
		e.seq = seq
	}
}

// mono reads the monotonic clock, if the engine's clock has one.
func (e *Engine) mono() (time.Duration, bool) {
	m, ok := e.clock.(clock.Monotonic)
	if !ok {
		return 0, false
	}
	return m.Elapsed(), true
}

// since returns the monotonic time since a reading of this run, in ms, or
// 0 when there is none.
func (e *Engine) since(readings map[string]time.Duration, id string) int64 {
	then, ok := readings[id]
	now, okNow := e.mono()
	if !ok || !okNow || now <= 0 || now < then {
		return 0
	}
	return max(int64((now-then)/time.Millisecond), 1)
}
