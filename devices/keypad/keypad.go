package keypad

import (
	"context"
	"errors"
	"fmt"
	"time"

	"motcua/backoff"
)

// Key is a key of a keypad.
type Key int

// Keys. The zero Key is invalid.
const (
	KeyNext Key = iota + 1
	KeyRecall
	KeySkip
	KeyDone
	KeyTransfer
	KeyRating4 // Rất hài lòng
	KeyRating3 // Hài lòng
	KeyRating2 // Bình thường
	KeyRating1 // Không hài lòng
)

var keyNames = map[Key]string{
	KeyNext: "next", KeyRecall: "recall", KeySkip: "skip", KeyDone: "done", KeyTransfer: "transfer",
	KeyRating4: "rating4", KeyRating3: "rating3", KeyRating2: "rating2", KeyRating1: "rating1",
}

// String returns the key's name: "next", "recall", "skip", "done",
// "transfer", "rating4" ... "rating1".
func (k Key) String() string {
	if n, ok := keyNames[k]; ok {
		return n
	}
	return fmt.Sprintf("Key(%d)", int(k))
}

// Action returns the counter action the key asks for, named like the HTTP
// API's path segment: "next", "recall", "skip", "done", "transfer", or
// "rating" for the four rating keys; "" for an invalid key.
func (k Key) Action() string {
	switch {
	case k >= KeyNext && k <= KeyTransfer:
		return keyNames[k]
	case k >= KeyRating4 && k <= KeyRating1:
		return "rating"
	}
	return ""
}

// Score returns the rating of a rating key, 4 (rất hài lòng) to 1 (không
// hài lòng), or 0 for other keys.
func (k Key) Score() int {
	if k >= KeyRating4 && k <= KeyRating1 {
		return 4 - int(k-KeyRating4)
	}
	return 0
}

// Press is one press of a key of the keypad of a counter.
type Press struct {
	Counter int
	Key     Key
}

// Kind is the layout of a keypad's registers.
type Kind int

// Kinds.
const (
	KindCall Kind = iota
	KindRating
	KindCombined
)

// Keys returns the keys of a keypad of kind k, in register order.
func (k Kind) Keys() []Key {
	call := []Key{KeyNext, KeyRecall, KeySkip, KeyDone, KeyTransfer}
	rating := []Key{KeyRating4, KeyRating3, KeyRating2, KeyRating1}
	switch k {
	case KindCall:
		return call
	case KindRating:
		return rating
	case KindCombined:
		return append(call, rating...)
	}
	return nil
}

func (k Kind) String() string {
	switch k {
	case KindCall:
		return "call"
	case KindRating:
		return "rating"
	case KindCombined:
		return "combined"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Pad is one keypad on the bus.
type Pad struct {
	Counter int  // the counter its presses belong to
	Slave   byte // Modbus slave id, 1 to 247
	Kind    Kind
}

func (p Pad) String() string {
	return fmt.Sprintf("keypad slave %d (%s, counter %d)", p.Slave, p.Kind, p.Counter)
}

// Bus is the part of a Modbus master the poller needs; *modbus.Master is one.
type Bus interface {
	ReadInputRegisters(ctx context.Context, slave byte, addr, qty uint16) ([]uint16, error)
}

// Options tune a [Poller]. Zero values choose the defaults given.
type Options struct {
	// Interval between polls of every keypad; default 200 ms.
	Interval time.Duration
	// MaxPresses is the largest count difference taken as presses; a larger
	// one is a keypad restart. Default 8.
	MaxPresses int
	// MinBackoff and MaxBackoff bound the wait before polling a keypad that
	// did not answer again; defaults 1 s and 30 s.
	MinBackoff, MaxBackoff time.Duration
	// OnPress receives every press, in order, from Run's goroutine. Required.
	OnPress func(Press)
	// OnStatus, if not nil, receives each pad's first outcome and each
	// change between answering and not, from Run's goroutine.
	OnStatus func(Status)
}

// Status is the health of one keypad.
type Status struct {
	Pad      Pad
	OK       bool
	Err      error // nil when OK
	Failures int   // consecutive failed polls
}

// Errors.
var (
	ErrOpts = errors.New("keypad: invalid configuration")
)

type padState struct {
	pad      Pad
	keys     []Key
	last     []uint16
	have     bool
	failures int
	next     time.Time
	reported bool
}

// Poller polls keypads on one bus. Only Run (or PollOnce) uses it; it is not
// for concurrent use.
type Poller struct {
	bus  Bus
	opts Options
	pads []*padState
}

// NewPoller returns a poller of pads on bus.
func NewPoller(bus Bus, pads []Pad, o Options) (*Poller, error) {
	if o.OnPress == nil {
		return nil, fmt.Errorf("%w: OnPress is required", ErrOpts)
	}
	if o.Interval <= 0 {
		o.Interval = 200 * time.Millisecond
	}
	if o.MaxPresses <= 0 {
		o.MaxPresses = 8
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = time.Second
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = max(30*time.Second, o.MinBackoff)
	}
	p := &Poller{bus: bus, opts: o}
	seen := map[byte]bool{}
	for _, pad := range pads {
		if pad.Slave < 1 || pad.Slave > 247 {
			return nil, fmt.Errorf("%w: %v: slave id; use 1 to 247", ErrOpts, pad)
		}
		if seen[pad.Slave] {
			return nil, fmt.Errorf("%w: %v: two keypads with slave id %d", ErrOpts, pad, pad.Slave)
		}
		seen[pad.Slave] = true
		keys := pad.Kind.Keys()
		if keys == nil {
			return nil, fmt.Errorf("%w: %v: unknown kind", ErrOpts, pad)
		}
		p.pads = append(p.pads, &padState{pad: pad, keys: keys})
	}
	return p, nil
}

// String returns e.g. "keypad poller of 4".
func (p *Poller) String() string { return fmt.Sprintf("keypad poller of %d", len(p.pads)) }

// Run polls every keypad each Interval until ctx is done, and returns
// ctx.Err(). A round that takes longer than Interval delays the next.
func (p *Poller) Run(ctx context.Context) error {
	t := time.NewTicker(p.opts.Interval)
	defer t.Stop()
	for {
		p.PollOnce(ctx)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// PollOnce polls, one after the other, every keypad that is not waiting out
// a backoff, and delivers their presses.
func (p *Poller) PollOnce(ctx context.Context) {
	for _, s := range p.pads {
		if ctx.Err() != nil {
			return
		}
		if s.failures > 0 && time.Now().Before(s.next) {
			continue
		}
		vals, err := p.bus.ReadInputRegisters(ctx, s.pad.Slave, 0, uint16(len(s.keys)))
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			s.failures++
			s.next = time.Now().Add(p.backoff(s.failures))
			if s.failures == 1 || !s.reported {
				p.report(s, Status{Pad: s.pad, Err: fmt.Errorf("keypad slave %d: %w", s.pad.Slave, err), Failures: s.failures})
			}
			continue
		}
		if s.failures > 0 || !s.reported {
			s.failures = 0
			p.report(s, Status{Pad: s.pad, OK: true})
		}
		p.deliver(s, vals)
	}
}

func (p *Poller) deliver(s *padState, vals []uint16) {
	if !s.have {
		s.last, s.have = vals, true
		return
	}
	for i, v := range vals {
		d := int(v - s.last[i])
		if d > p.opts.MaxPresses {
			continue // restarted keypad: take the new value as the base
		}
		for range d {
			p.opts.OnPress(Press{Counter: s.pad.Counter, Key: s.keys[i]})
		}
	}
	s.last = vals
}

func (p *Poller) report(s *padState, st Status) {
	s.reported = true
	if p.opts.OnStatus != nil {
		p.opts.OnStatus(st)
	}
}

func (p *Poller) backoff(failures int) time.Duration {
	return backoff.Policy{Min: p.opts.MinBackoff, Max: p.opts.MaxBackoff}.Delay(failures)
}
