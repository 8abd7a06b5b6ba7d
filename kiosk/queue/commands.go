package queue

import (
	"fmt"
	"strings"
	"time"
)

// batch collects the events of one command.
type batch struct {
	e      *Engine
	now    time.Time
	synced bool // the clock's word, read once per command
	evs    []Event
}

// begin starts a command: it stamps the time, never earlier than the last
// event, and starts a new day first when one is due.
func (e *Engine) begin() *batch {
	now := e.clock.Now().Round(0).Truncate(time.Millisecond)
	if now.Before(e.lastAt) {
		now = e.lastAt
	}
	if loc := e.cfg.Location; loc != nil {
		now = now.In(loc)
	}
	b := &batch{e: e, now: now, synced: e.clock.Synced()}
	today := now.Format(time.DateOnly)
	if e.day == "" || (today > e.day && b.synced) {
		b.startDay(today)
	}
	return b
}

func (b *batch) emit(ev *Event) {
	if ev.Name != DayStarted {
		ev.Day = b.e.day
	}
	ev.Type = "event"
	ev.Seq = b.e.seq + 1
	ev.At = b.now
	ev.Unsynced = !b.synced
	b.e.apply(ev)
	b.evs = append(b.evs, *ev)
}

// ticketView returns a copy of t for an event or an answer, with its place
// in the queue filled in.
func (e *Engine) ticketView(t *Ticket) *Ticket {
	if t == nil {
		return nil
	}
	cp := *t
	if cp.Status == Waiting {
		cp.Ahead, cp.WaitSeconds = e.place(t)
	}
	return &cp
}

func (e *Engine) counterView(c *counter) *Counter {
	v := &Counter{
		ID:       c.cfg.ID,
		Name:     c.cfg.Name,
		State:    c.state,
		Officer:  c.officer,
		Reason:   c.reason,
		Services: c.cfg.Services,
		Serving:  e.ticketView(c.serving),
		Served:   c.served,
	}
	for _, t := range e.pinned[c.cfg.ID] {
		v.Waiting = append(v.Waiting, e.ticketView(t))
	}
	return v
}

// Tick starts a new day when one is due. The owner calls it now and then
// (every few seconds), so that the day turns at midnight without waiting
// for the first ticket. It returns nil when nothing changed.
// Bookings of today past their To plus the grace expire.
func (e *Engine) Tick() []Event {
	b := e.begin()
	b.expireDue()
	return b.evs
}

// StartDay starts a new queue day by hand, for an office whose clock is
// not synchronised, where the day never turns by itself. The new day is
// the clock's date when that is after the current day, else the day after
// the current one, so days still only move forward and ticket ids stay
// unique. On a synchronised clock the day turns by itself at midnight:
// StartDay then starts the clock's date when it is after the current day
// and otherwise refuses with [ErrDayBegun], changing nothing (the "day
// after" rule would put today's tickets on tomorrow's date).
func (e *Engine) StartDay() ([]Event, error) {
	b := e.begin()
	if len(b.evs) > 0 {
		return b.evs, nil // begin started one already
	}
	day := b.now.Format(time.DateOnly)
	if day <= e.day {
		if b.synced {
			return nil, fmt.Errorf("%w (%s)", ErrDayBegun, e.day)
		}
		d, err := time.Parse(time.DateOnly, e.day)
		if err != nil {
			d = b.now
		}
		day = d.AddDate(0, 0, 1).Format(time.DateOnly)
	}
	b.startDay(day)
	return b.evs, nil
}

// Issue draws the next number of a service.
func (e *Engine) Issue(serviceID string, priority bool) ([]Event, error) {
	return e.IssueCategory(serviceID, priority, "")
}

// IssueCategory draws the next number of a service for a priority
// category (a code of config.Priorities; "" for none). A category makes
// the ticket a priority one.
func (e *Engine) IssueCategory(serviceID string, priority bool, category string) ([]Event, error) {
	if e.services[serviceID] == nil {
		return nil, fmt.Errorf("%w %q", ErrUnknownService, serviceID)
	}
	if category != "" && e.cfg.Priority(category) == nil {
		return nil, fmt.Errorf("%w %q", ErrUnknownCategory, clip(category))
	}
	b := e.begin()
	b.issue(e.services[serviceID], priority || category != "", category, "")
	return b.evs, nil
}

// At runs cmd, commands of e, on behalf of kiosk (a [[kiosk]] id; "" the
// unit's own): the tickets they issue carry it in [Ticket.Kiosk], so they
// print there.
func (e *Engine) At(kiosk string, cmd func() ([]Event, error)) ([]Event, error) {
	e.kiosk = kiosk
	defer func() { e.kiosk = "" }()
	return cmd()
}

// issue draws the next number of s; category is the priority category,
// appointment the code of the booking checked in, or "". It returns the
// ticket as the event shows it.
func (b *batch) issue(s *service, priority bool, category, appointment string) *Ticket {
	e := b.e
	n := max(s.next, s.cfg.First)
	number := fmt.Sprintf("%s%0*d", s.cfg.Prefix, max(s.cfg.Digits, 1), n)
	t := &Ticket{
		ID:          strings.ReplaceAll(e.day, "-", "") + "-" + number,
		Number:      number,
		Service:     s.cfg.ID,
		Priority:    priority,
		Status:      Waiting,
		IssuedAt:    b.now,
		Day:         e.day,
		Appointment: appointment,
		Public:      e.newPublic(),
		Category:    category,
		Kiosk:       e.kiosk,
	}
	// The ticket goes into the line when the event is applied; the view
	// is taken after that, so that it shows the ticket's place.
	ev := &Event{Name: TicketIssued, N: n, Ticket: t}
	b.emit(ev)
	if m, ok := e.mono(); ok {
		e.issuedMono[t.ID] = m
	}
	view := e.ticketView(e.tickets[t.ID])
	b.evs[len(b.evs)-1].Ticket = view
	return view
}

func (e *Engine) counter(id int) (*counter, error) {
	c := e.counters[id]
	if c == nil {
		return nil, fmt.Errorf("%w %d", ErrUnknownCounter, id)
	}
	return c, nil
}

// canCall reports why c cannot call a ticket, or nil.
func canCall(c *counter) error {
	switch c.state {
	case Closed:
		return ErrCounterClosed
	case Paused:
		return ErrCounterPaused
	}
	return nil
}

// finish closes the ticket c serves with status st (Done or NoShow).
func (b *batch) finish(c *counter, st Status) {
	t := *c.serving
	t.Status = st
	at := b.now
	t.DoneAt = &at
	ev := &Event{Name: TicketDone, Ticket: &t, ServiceMS: b.e.since(b.e.calledMono, t.ID)}
	if st == NoShow {
		ev.Name, ev.ServiceMS = TicketNoShow, 0
	}
	b.emit(ev)
	b.evs[len(b.evs)-1].Counter = b.e.counterView(c)
}

// Next calls the ticket that counter id should serve next. A ticket the
// counter still serves is first closed as done. When no ticket waits, the
// result holds no ticket.called event (and may be empty).
func (e *Engine) Next(id int) ([]Event, error) {
	c, err := e.counter(id)
	if err != nil {
		return nil, err
	}
	b := e.begin()
	if err := canCall(c); err != nil {
		return b.evs, err
	}
	if c.serving != nil {
		b.finish(c, Done)
	}
	t := e.pick(c, b.now)
	if t == nil {
		return b.evs, nil
	}
	called := *t
	called.Status = Called
	called.Counter = &c.cfg.ID
	called.Calls = 1
	at := b.now
	called.CalledAt = &at
	called.DoneAt = nil
	called.Officer = c.officer
	b.emit(&Event{Name: TicketCalled, Ticket: &called, WaitMS: e.since(e.issuedMono, called.ID)})
	b.evs[len(b.evs)-1].Counter = e.counterView(c)
	if m, ok := e.mono(); ok {
		e.calledMono[called.ID] = m
	}
	return b.evs, nil
}

// pick chooses the ticket counter c calls next: the one that has waited
// longest among the counter's services (and the tickets transferred to
// it), priority tickets first but at most ratio of them in a row while
// normal tickets wait, and never before a normal ticket over a cap (see
// [Engine.overdue]).
func (e *Engine) pick(c *counter, now time.Time) *Ticket {
	var prio, normal *Ticket
	var prioRank, normalRank int
	better := func(cur *Ticket, curRank int, t *Ticket, rank int) bool {
		if cur == nil {
			return true
		}
		if st, sc := e.waitsFrom(t), e.waitsFrom(cur); !st.Equal(sc) {
			return st.Before(sc)
		}
		if rank != curRank {
			return rank < curRank
		}
		return e.order[t.ID] < e.order[cur.ID]
	}
	consider := func(t *Ticket, rank int) {
		if t.Priority {
			if better(prio, prioRank, t, rank) {
				prio, prioRank = t, rank
			}
		} else if better(normal, normalRank, t, rank) {
			normal, normalRank = t, rank
		}
	}
	// Tickets transferred to this counter rank before its services.
	for _, t := range e.pinned[c.cfg.ID] {
		consider(t, -1)
	}
	for rank, id := range c.cfg.Services {
		if s := e.services[id]; s != nil {
			if len(s.prio) > 0 {
				consider(s.prio[0], rank)
			}
			if len(s.normal) > 0 {
				consider(s.normal[0], rank)
			}
		}
	}
	if prio != nil && (normal == nil || (c.prioRun < e.ratio() && !e.overdue(normal, now))) {
		return prio
	}
	return normal
}

// serving begins a command on the ticket counter id serves.
func (e *Engine) serving(id int) (*batch, *counter, error) {
	c, err := e.counter(id)
	if err != nil {
		return &batch{e: e}, nil, err
	}
	b := e.begin()
	if c.serving == nil {
		return b, nil, fmt.Errorf("%w (quầy %d)", ErrNotServing, id)
	}
	return b, c, nil
}

// Recall calls the served ticket again.
func (e *Engine) Recall(id int) ([]Event, error) {
	b, c, err := e.serving(id)
	if err != nil {
		return b.evs, err
	}
	if err := canCall(c); err != nil {
		return b.evs, err
	}
	t := *c.serving
	t.Calls++
	b.emit(&Event{Name: TicketRecalled, Ticket: &t})
	b.evs[len(b.evs)-1].Counter = e.counterView(c)
	return b.evs, nil
}

// Done closes the served ticket as served.
func (e *Engine) Done(id int) ([]Event, error) {
	return e.close(id, Done)
}

// Skip closes the served ticket as a no-show.
func (e *Engine) Skip(id int) ([]Event, error) {
	return e.close(id, NoShow)
}

func (e *Engine) close(id int, st Status) ([]Event, error) {
	b, c, err := e.serving(id)
	if err != nil {
		return b.evs, err
	}
	b.finish(c, st)
	return b.evs, nil
}

// Transfer sends the served ticket back to waiting, for another service
// (toService != "") or another counter (toCounter != 0), or both. It keeps
// its number and issue time, so it is not sent to the back of the line.
func (e *Engine) Transfer(id int, toService string, toCounter int) ([]Event, error) {
	b, c, err := e.serving(id)
	if err != nil {
		return b.evs, err
	}
	t := *c.serving
	if toService == "" && toCounter == 0 {
		return b.evs, ErrBadTransfer
	}
	if toService != "" && e.services[toService] == nil {
		return b.evs, fmt.Errorf("%w %q", ErrUnknownService, toService)
	}
	if toCounter != 0 {
		if _, err := e.counter(toCounter); err != nil {
			return b.evs, err
		}
		if toCounter == id {
			return b.evs, ErrBadTransfer
		}
	}
	if toCounter == 0 && toService == t.Service {
		return b.evs, ErrBadTransfer
	}
	from := &Place{Service: t.Service, Counter: &c.cfg.ID}
	if toService != "" {
		t.Service = toService
	}
	t.Counter = nil
	if toCounter != 0 {
		to := toCounter
		t.Counter = &to
	}
	t.Status = Waiting
	t.CalledAt, t.DoneAt, t.Officer = nil, nil, ""
	b.emit(&Event{Name: TicketTransferred, Ticket: &t, From: from})
	last := &b.evs[len(b.evs)-1]
	last.Ticket = e.ticketView(e.tickets[t.ID])
	last.Counter = e.counterView(c)
	return b.evs, nil
}

// Open opens (or takes over) a counter with an officer's name.
func (e *Engine) Open(id int, officer string) ([]Event, error) {
	return e.setCounter(id, CounterOpened, officer, "")
}

// Pause pauses an open counter; it cannot call until resumed.
func (e *Engine) Pause(id int, reason string) ([]Event, error) {
	return e.setCounter(id, CounterPaused, "", reason)
}

// Resume opens a paused counter again.
func (e *Engine) Resume(id int) ([]Event, error) {
	return e.setCounter(id, CounterResumed, "", "")
}

// Close closes a counter; a ticket it still serves is closed as done.
func (e *Engine) Close(id int) ([]Event, error) {
	return e.setCounter(id, CounterClosed, "", "")
}

func (e *Engine) setCounter(id int, name, officer, reason string) ([]Event, error) {
	c, err := e.counter(id)
	if err != nil {
		return nil, err
	}
	b := e.begin()
	next := *c
	switch name {
	case CounterOpened:
		next.state, next.officer, next.reason = Open, strings.TrimSpace(officer), ""
	case CounterPaused:
		if c.state != Open {
			return b.evs, fmt.Errorf("%w: quầy %d is %s, only an open counter can pause", ErrInvalidState, id, c.state)
		}
		next.state, next.reason = Paused, strings.TrimSpace(reason)
	case CounterResumed:
		if c.state != Paused {
			return b.evs, fmt.Errorf("%w: quầy %d is %s, only a paused counter can resume", ErrInvalidState, id, c.state)
		}
		next.state, next.reason = Open, ""
	case CounterClosed:
		if c.state == Closed {
			return b.evs, fmt.Errorf("%w: quầy %d is already closed", ErrInvalidState, id)
		}
		next.state, next.officer, next.reason = Closed, "", ""
	}
	if name == CounterClosed && c.serving != nil {
		b.finish(c, Done)
		next.serving = nil
	}
	b.emit(&Event{Name: name, Counter: e.counterView(&next), Reason: next.reason})
	return b.evs, nil
}

// Rate records a citizen's score for the ticket last served at counter id,
// and for a low score, optionally, why ("" for none). The score is 1 to
// the number of levels of the configured scale (4 by default).
func (e *Engine) Rate(id int, score int, reason string) ([]Event, error) {
	return e.rate(id, score, nil, reason)
}

func (e *Engine) rate(id int, score int, answers []Answer, reason string) ([]Event, error) {
	c, err := e.counter(id)
	if err != nil {
		return nil, err
	}
	if n := len(e.cfg.Rating.Levels()); score < 1 || score > n {
		return nil, fmt.Errorf("%w (1 to %d)", ErrBadScore, n)
	}
	b := e.begin()
	if c.lastServed == nil {
		return b.evs, fmt.Errorf("%w (quầy %d)", ErrNothingToRate, id)
	}
	if c.lastServed.Rating != 0 {
		return b.evs, fmt.Errorf("%w: %s", ErrAlreadyRated, c.lastServed.Number)
	}
	t := *c.lastServed
	t.Rating = score
	b.emit(&Event{Name: TicketRated, Ticket: &t, Score: score, Reason: strings.TrimSpace(reason),
		Answers: answers, FollowUp: score <= e.cfg.Rating.Low()})
	b.evs[len(b.evs)-1].Counter = e.counterView(c)
	return b.evs, nil
}

// SetDevice records a device's status. It returns nil when the status is
// unchanged, so that a device repeating itself adds nothing to the log.
func (e *Engine) SetDevice(d Device) []Event {
	for _, cur := range e.devices {
		if cur == d {
			return nil
		}
	}
	if d.Name == "" {
		return nil
	}
	b := e.begin()
	b.emit(&Event{Name: DeviceStatus, Device: &d})
	return b.evs
}

// overdue reports whether normal ticket t has waited past a cap of the
// configuration: queue.max_wait since it began waiting, or
// queue.max_priority_calls priority tickets of its service called since.
func (e *Engine) overdue(t *Ticket, now time.Time) bool {
	q := e.cfg.Queue
	if q.MaxWait > 0 && now.Sub(e.waitsFrom(t)) >= q.MaxWait.D() {
		return true
	}
	if s := e.services[t.Service]; q.MaxPriorityCalls > 0 && s != nil {
		return s.prioCalls-e.mark[t.ID] >= q.MaxPriorityCalls
	}
	return false
}
