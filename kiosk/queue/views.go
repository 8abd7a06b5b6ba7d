package queue

import (
	"slices"
	"time"
)

// State returns the whole queue as the API shows it. The result shares
// nothing with the engine.
func (e *Engine) State() *State {
	st := &State{
		Seq:     e.seq,
		Day:     e.day,
		Unit:    Unit{ID: e.cfg.Unit.ID, Name: e.cfg.Unit.Name},
		Devices: slices.Clone(e.devices),
	}
	if st.Devices == nil {
		st.Devices = []Device{}
	}
	for _, sc := range e.cfg.Services {
		s := e.services[sc.ID]
		view := &Service{ID: sc.ID, Name: sc.Name, Prefix: sc.Prefix, Waiting: []*Ticket{}}
		per := e.perCounter(sc.ID)
		for i, t := range e.callOrder(s) {
			cp := *t
			cp.Ahead = i
			cp.WaitSeconds = e.estimate(s, i, per)
			view.Waiting = append(view.Waiting, &cp)
		}
		st.Services = append(st.Services, view)
	}
	for _, cc := range e.cfg.Counters {
		st.Counters = append(st.Counters, e.counterView(e.counters[cc.ID]))
	}
	return st
}

// Ticket returns today's ticket with the given id.
func (e *Engine) Ticket(id string) (*Ticket, bool) {
	t, ok := e.tickets[id]
	if !ok {
		return nil, false
	}
	return e.ticketView(t), true
}

// Counter returns counter id as the API shows it.
func (e *Engine) Counter(id int) (*Counter, bool) {
	c, ok := e.counters[id]
	if !ok {
		return nil, false
	}
	return e.counterView(c), true
}

// callOrder returns the service's waiting tickets in the order one counter
// serving only this service would call them: at most ratio priority
// tickets, then one normal one, and so on.
func (e *Engine) callOrder(s *service) []*Ticket {
	out := make([]*Ticket, 0, len(s.prio)+len(s.normal))
	p, n, run, r := 0, 0, 0, e.ratio()
	for p < len(s.prio) || n < len(s.normal) {
		if p < len(s.prio) && (n == len(s.normal) || run < r) {
			out = append(out, s.prio[p])
			p++
			run++
			continue
		}
		out = append(out, s.normal[n])
		n++
		run = 0
	}
	return out
}

// place returns how many tickets will be called before waiting ticket t
// and an estimate of its wait in seconds.
func (e *Engine) place(t *Ticket) (ahead, waitSeconds int) {
	if t.Counter != nil {
		line := e.pinned[*t.Counter]
		i := slices.IndexFunc(line, func(x *Ticket) bool { return x.ID == t.ID })
		if s := e.services[t.Service]; s != nil && i >= 0 {
			return i, e.estimate(s, i, 1)
		}
		return max(i, 0), 0
	}
	s := e.services[t.Service]
	if s == nil {
		return 0, 0
	}
	i := slices.IndexFunc(e.callOrder(s), func(x *Ticket) bool { return x.ID == t.ID })
	return max(i, 0), e.estimate(s, max(i, 0), e.perCounter(s.cfg.ID))
}

// perCounter is how many counters are open (or paused, soon open again)
// for a service; at least 1, so that an estimate exists before opening.
func (e *Engine) perCounter(serviceID string) int {
	n := 0
	for _, c := range e.counters {
		if c.state != Closed && slices.Contains(c.cfg.Services, serviceID) {
			n++
		}
	}
	return max(n, 1)
}

// estimate is the wait of a ticket with ahead tickets before it, in
// seconds: each of them takes the service's recent mean service time,
// shared by the counters that serve it.
func (e *Engine) estimate(s *service, ahead, counters int) int {
	d := e.serviceTime(s) * time.Duration(ahead) / time.Duration(counters)
	return int(d / time.Second)
}
