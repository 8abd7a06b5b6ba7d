package led

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"

	"motcua/clock"
)

// Errors returned by this package.
var (
	// ErrNilPin is returned by [New] when pin is nil.
	ErrNilPin = errors.New("led: nil pin")
	// ErrBadDuration is returned for a zero or negative blink or pattern step.
	ErrBadDuration = errors.New("led: durations must be positive")
)

// Pattern is a sequence of durations, alternately on and off, starting with
// on: {100ms} is one beep, {100ms, 100ms, 100ms} two.
type Pattern []time.Duration

// Beep is one short beep, for a ticket issued.
func Beep() Pattern { return Pattern{120 * time.Millisecond} }

// Opts configures a [Dev].
type Opts struct {
	// Name identifies the output in String and errors, e.g. "printing".
	// Empty means the pin name.
	Name string
	// ActiveLow is set when the output is on at Low (LED between 3V3 and
	// the pin). By default High is on.
	ActiveLow bool
	// Clock defaults to the machine's clock.
	Clock clock.Clock
}

// Dev is one GPIO output. Its methods are safe for concurrent use.
type Dev struct {
	pin  gpio.PinOut
	opts Opts

	mu     sync.Mutex
	on     bool
	gen    uint64             // bumped by every call that takes the output over
	cancel context.CancelFunc // of the running Play, if any
}

// New returns the output on pin, switched off.
func New(pin gpio.PinOut, opts Opts) (*Dev, error) {
	if pin == nil {
		return nil, ErrNilPin
	}
	opts.Clock = clock.Or(opts.Clock)
	if opts.Name == "" {
		opts.Name = pin.Name()
	}
	d := &Dev{pin: pin, opts: opts}
	if err := d.write(false); err != nil {
		return nil, err
	}
	return d, nil
}

// String returns e.g. "led printing (GPIO22)".
func (d *Dev) String() string {
	return fmt.Sprintf("led %s (%s)", d.opts.Name, d.pin)
}

// On switches the output on, stopping any Play.
func (d *Dev) On() error { return d.set(true) }

// Off switches the output off, stopping any Play.
func (d *Dev) Off() error { return d.set(false) }

// Halt switches the output off, stopping any Play.
func (d *Dev) Halt() error { return d.set(false) }

// IsOn reports whether the output was last switched on.
func (d *Dev) IsOn() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.on
}

func (d *Dev) set(on bool) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.takeLocked()
	return d.write(on)
}

// takeLocked ends the ownership of a running Play.
func (d *Dev) takeLocked() {
	d.gen++
	if d.cancel != nil {
		d.cancel()
		d.cancel = nil
	}
}

// write must be called with mu held (or before d is shared).
func (d *Dev) write(on bool) error {
	l := gpio.Level(on != d.opts.ActiveLow)
	if err := d.pin.Out(l); err != nil {
		return fmt.Errorf("led: %s (%s): set %v: %w", d.opts.Name, d.pin, l, err)
	}
	d.on = on
	return nil
}

// Play runs p once and leaves the output off. It returns early, with the
// output off, when ctx ends, and returns nil leaving the output alone when
// another call takes the output over.
func (d *Dev) Play(ctx context.Context, p Pattern) error {
	for _, s := range p {
		if s <= 0 {
			return fmt.Errorf("%w: pattern %v", ErrBadDuration, p)
		}
	}
	return d.run(ctx, p)
}

func (d *Dev) run(ctx context.Context, p Pattern) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	d.mu.Lock()
	d.takeLocked()
	gen := d.gen
	d.cancel = cancel
	d.mu.Unlock()

	// step writes only while this run still owns the output, so a
	// concurrent On, Off or Halt always has the last word.
	step := func(on bool) (owned bool, err error) {
		d.mu.Lock()
		defer d.mu.Unlock()
		if d.gen != gen {
			return false, nil
		}
		return true, d.write(on)
	}
	for i, dur := range p {
		owned, err := step(i%2 == 0)
		if err != nil || !owned {
			return err
		}
		select {
		case <-ctx.Done():
			return d.end(gen)
		case <-d.opts.Clock.After(dur):
		}
	}
	return d.end(gen)
}

// end switches the output off if run number gen still owns it.
func (d *Dev) end(gen uint64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.gen != gen {
		return nil
	}
	d.cancel = nil
	return d.write(false)
}
