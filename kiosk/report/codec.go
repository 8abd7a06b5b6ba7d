package report

import (
	"encoding/binary"
	"errors"
)

// The cache stores a [daySummary] in a compact binary form: varints, and
// each distinct string (service, officer, reason) once. Ticket ids are not
// kept: no figure needs them. Decoding it is several times faster than
// gob, which matters when a report reads a year of days.

var errCorrupt = errors.New("report: damaged day summary")

type encoder struct {
	body  []byte
	index map[string]uint64
	strs  []string
}

func (e *encoder) uint(v uint64) { e.body = binary.AppendUvarint(e.body, v) }
func (e *encoder) int(v int64)   { e.body = binary.AppendVarint(e.body, v) }

func (e *encoder) str(s string) {
	i, ok := e.index[s]
	if !ok {
		i = uint64(len(e.strs))
		e.index[s] = i
		e.strs = append(e.strs, s)
	}
	e.uint(i)
}

func encodeDay(s *daySummary) []byte {
	e := &encoder{index: map[string]uint64{}}
	e.int(s.FirstSeq)
	e.int(s.LastSeq)
	e.uint(uint64(len(s.Tickets)))
	for i := range s.Tickets {
		t := &s.Tickets[i]
		e.int(t.Issued)
		e.uint(uint64(t.Outcome))
		e.uint(uint64(t.Transfers))
		e.uint(uint64(t.Rating))
		e.uint(uint64(len(t.Visits)))
		for j := range t.Visits {
			v := &t.Visits[j]
			e.str(v.Service)
			var flags uint64
			if v.NewService {
				flags |= 1
			}
			if v.Called {
				flags |= 2
			}
			e.uint(flags)
			e.uint(uint64(v.WaitMS))
			e.uint(uint64(v.ServiceMS))
			e.uint(uint64(v.EndKind))
			e.int(int64(v.Counter))
			e.str(v.Officer)
			e.uint(uint64(v.Recalls))
			e.uint(uint64(v.Rating))
		}
	}
	e.uint(uint64(len(s.Counters)))
	for _, c := range s.Counters {
		e.int(int64(c.Counter))
		e.str(c.Officer)
		e.int(c.Idle)
		e.int(c.Busy)
		e.uint(uint64(len(c.Paused)))
		for _, p := range c.Paused {
			e.str(p.Reason)
			e.int(p.MS)
		}
	}
	out := binary.AppendUvarint(nil, uint64(len(e.strs)))
	for _, s := range e.strs {
		out = binary.AppendUvarint(out, uint64(len(s)))
		out = append(out, s...)
	}
	return append(out, e.body...)
}

type decoder struct {
	b    []byte
	strs []string
	err  error
}

func (d *decoder) uint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err, d.b = errCorrupt, nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) int() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err, d.b = errCorrupt, nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a length, refusing more items than bytes left.
func (d *decoder) count() int {
	n := d.uint()
	if n > uint64(len(d.b)) {
		d.err, d.b = errCorrupt, nil
		return 0
	}
	return int(n)
}

func (d *decoder) str() string {
	i := d.uint()
	if i >= uint64(len(d.strs)) {
		d.err, d.b = errCorrupt, nil
		return ""
	}
	return d.strs[i]
}

// ms reads a duration in milliseconds, refusing what no day holds.
func (d *decoder) ms() int64 {
	v := d.uint()
	if v > maxMS {
		d.err, d.b = errCorrupt, nil
		return 0
	}
	return int64(v)
}

// time reads a time of cache version 2: Unix ms relative to base, 0 for
// never.
func (d *decoder) time(base int64) int64 {
	u := d.uint()
	if u == 0 {
		return 0
	}
	z := u - 1
	return base + (int64(z>>1) ^ -int64(z&1))
}

// decodeDay decodes a summary stored by cache version version: the
// current one ([cacheVersion]), or 2, which kept event times instead of
// durations. A summary of version 2 is read only for a day the log no
// longer holds (see [eachDay]); its durations are the differences of its
// times, as [summariser.event] computes them for events without wait_ms
// and service_ms, which those days' events never had.
func decodeDay(day string, version int, b []byte) (*daySummary, error) {
	d := &decoder{b: b}
	n := d.count()
	d.strs = make([]string, 0, n)
	for range n {
		l := d.count()
		if d.err != nil {
			break
		}
		d.strs = append(d.strs, string(d.b[:l]))
		d.b = d.b[l:]
	}
	s := &daySummary{Day: day}
	s.FirstSeq, s.LastSeq = d.int(), d.int()
	s.Tickets = make([]ticketSum, d.count())
	var visits []visit // one array for the day's visits
	for i := range s.Tickets {
		t := &s.Tickets[i]
		t.Issued = d.int()
		if version == 2 {
			d.time(t.Issued) // first call and end: the visits hold them
			d.time(t.Issued)
		}
		t.Outcome = uint8(d.uint())
		t.Transfers = int(d.uint())
		t.Rating = int(d.uint())
		nv := d.count()
		if nv == 0 && d.err == nil {
			d.err = errCorrupt // a ticket has at least the visit its issue began
		}
		if cap(visits)-len(visits) < nv {
			visits = make([]visit, 0, max(nv, 2*len(s.Tickets)))
		}
		start := len(visits)
		for range nv {
			v := visit{Service: d.str()}
			flags := d.uint()
			v.NewService, v.Called = flags&1 != 0, flags&2 != 0
			if version == 2 {
				v.NewService = flags == 1
				arrived, called, end := d.time(t.Issued), d.time(t.Issued), d.time(t.Issued)
				v.EndKind = uint8(d.uint())
				if v.Called = called != 0; v.Called {
					v.WaitMS = clampMS(called - arrived)
					if v.EndKind == endDone || v.EndKind == endTransferred {
						v.ServiceMS = clampMS(end - called)
					}
				}
			} else {
				v.WaitMS = d.ms()
				v.ServiceMS = d.ms()
				v.EndKind = uint8(d.uint())
			}
			v.Counter = int(d.int())
			v.Officer = d.str()
			v.Recalls = int(d.uint())
			v.Rating = int(d.uint())
			visits = append(visits, v)
		}
		t.Visits = visits[start:len(visits):len(visits)]
		if d.err != nil {
			return nil, d.err
		}
	}
	s.Counters = make([]counterTime, d.count())
	for i := range s.Counters {
		c := &s.Counters[i]
		c.Counter = int(d.int())
		c.Officer = d.str()
		c.Idle, c.Busy = d.int(), d.int()
		if n := d.count(); n > 0 {
			c.Paused = make([]reasonTime, n)
		}
		for j := range c.Paused {
			c.Paused[j] = reasonTime{Reason: d.str(), MS: d.int()}
		}
	}
	if d.err == nil && len(d.b) != 0 {
		d.err = errCorrupt
	}
	return s, d.err
}
