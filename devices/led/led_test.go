package led

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"motcua/clock"
)

var t0 = time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)

// fakeClock is a Clock moved only by advance; timers fire in deadline order
// and the synctest bubble settles after each.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []fakeTimer
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.timers = append(c.timers, fakeTimer{at: c.now.Add(d), ch: ch})
	return ch
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	end := c.now.Add(d)
	c.mu.Unlock()
	for {
		c.mu.Lock()
		i := -1
		for j, t := range c.timers {
			if !t.at.After(end) && (i < 0 || t.at.Before(c.timers[i].at)) {
				i = j
			}
		}
		if i < 0 {
			c.now = end
			c.mu.Unlock()
			synctest.Wait()
			return
		}
		t := c.timers[i]
		c.timers = slices.Delete(c.timers, i, i+1)
		if t.at.After(c.now) {
			c.now = t.at
		}
		now := c.now
		c.mu.Unlock()
		t.ch <- now
		synctest.Wait()
	}
}

// write is one level put on the pin, at a clock offset from t0.
type write struct {
	At    time.Duration
	Level gpio.Level
}

// recPin is a gpiotest.Pin that also keeps every level written, with its
// time, which gpiotest.Pin does not (its L holds only the last one). err, if
// set, makes Out fail without touching the pin.
type recPin struct {
	*gpiotest.Pin
	clock clock.Clock
	err   error

	mu     sync.Mutex
	writes []write
}

func newRecPin(c clock.Clock) *recPin {
	return &recPin{Pin: &gpiotest.Pin{N: "GPIO22", Num: 22, Fn: "Out"}, clock: c}
}

func (p *recPin) Out(l gpio.Level) error {
	if p.err != nil {
		return p.err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.writes = append(p.writes, write{p.clock.Now().Sub(t0), l})
	return p.Pin.Out(l)
}

func (p *recPin) got() []write {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.writes)
}

func newRec(t *testing.T, opts Opts) (*Dev, *recPin, *fakeClock) {
	t.Helper()
	c := &fakeClock{now: t0}
	p := newRecPin(c)
	opts.Clock = c
	d, err := New(p, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return d, p, c
}

// wantWrites checks the levels written to p and that the last one is the
// level p is left at.
func wantWrites(t *testing.T, p *recPin, want ...write) {
	t.Helper()
	if got := p.got(); !slices.Equal(got, want) {
		t.Fatalf("writes: got %v, want %v", got, want)
	}
	if got, last := p.Read(), want[len(want)-1].Level; got != last {
		t.Fatalf("level left on the pin: got %v, want %v", got, last)
	}
}

const ms = time.Millisecond

func TestOnOffHalt(t *testing.T) {
	tests := []struct {
		name      string
		activeLow bool
		on, off   gpio.Level
	}{
		{"active high", false, gpio.High, gpio.Low},
		{"active low", true, gpio.Low, gpio.High},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, p, _ := newRec(t, Opts{Name: "printing", ActiveLow: tt.activeLow})
			if err := d.On(); err != nil {
				t.Fatal(err)
			}
			if !d.IsOn() {
				t.Errorf("IsOn after On: got false, want true")
			}
			if err := d.Off(); err != nil {
				t.Fatal(err)
			}
			if err := d.On(); err != nil {
				t.Fatal(err)
			}
			if err := d.Halt(); err != nil {
				t.Fatal(err)
			}
			if d.IsOn() {
				t.Errorf("IsOn after Halt: got true, want false")
			}
			// New switches off first.
			wantWrites(t, p, write{0, tt.off}, write{0, tt.on}, write{0, tt.off}, write{0, tt.on}, write{0, tt.off})
		})
	}
}

func TestString(t *testing.T) {
	d, _, _ := newRec(t, Opts{Name: "out-of-order"})
	if got, want := d.String(), "led out-of-order (GPIO22(22))"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	d, _, _ = newRec(t, Opts{})
	if got, want := d.String(), "led GPIO22 (GPIO22(22))"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestErrors(t *testing.T) {
	if _, err := New(nil, Opts{}); !errors.Is(err, ErrNilPin) {
		t.Errorf("New(nil): got %v, want %v", err, ErrNilPin)
	}
	broken := newRecPin(clock.Real{})
	broken.err = errors.New("permission denied")
	if _, err := New(broken, Opts{Name: "printing"}); !errors.Is(err, broken.err) {
		t.Errorf("New(broken): got %v, want %v", err, broken.err)
	} else if got, want := err.Error(), "led: printing (GPIO22(22)): set Low: permission denied"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	d, _, _ := newRec(t, Opts{})
	if err := d.Play(t.Context(), Pattern{ms, -ms}); !errors.Is(err, ErrBadDuration) {
		t.Errorf("Play(-1ms): got %v, want %v", err, ErrBadDuration)
	}
}

// start runs f in a goroutine and returns a channel with its result.
func start(f func() error) chan error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	synctest.Wait()
	return done
}

func wantDone(t *testing.T, done chan error) {
	t.Helper()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("got %v, want nil", err)
		}
	default:
		t.Fatal("still running, want returned")
	}
}

func TestPlayUntilCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d, p, c := newRec(t, Opts{})
		ctx, cancel := context.WithCancel(t.Context())
		done := start(func() error { return d.Play(ctx, Pattern{200 * ms, 300 * ms, 200 * ms, 300 * ms, 200 * ms, 300 * ms}) })
		c.advance(1100 * ms)
		cancel()
		synctest.Wait()
		wantDone(t, done)
		wantWrites(t, p,
			write{0, gpio.Low}, // New
			write{0, gpio.High}, write{200 * ms, gpio.Low},
			write{500 * ms, gpio.High}, write{700 * ms, gpio.Low},
			write{1000 * ms, gpio.High},
			write{1100 * ms, gpio.Low}, // cancelled: off
		)
	})
}

func TestHaltStopsPlay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d, p, c := newRec(t, Opts{})
		done := start(func() error { return d.Play(t.Context(), Pattern{200 * ms, 200 * ms}) })
		c.advance(100 * ms)
		if err := d.Halt(); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		wantDone(t, done)
		c.advance(time.Second)
		wantWrites(t, p, write{0, gpio.Low}, write{0, gpio.High}, write{100 * ms, gpio.Low})
	})
}

func TestOnTakesOverPlay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d, p, c := newRec(t, Opts{})
		done := start(func() error { return d.Play(t.Context(), Pattern{200 * ms, 200 * ms, 200 * ms}) })
		c.advance(300 * ms) // off since 200 ms
		if err := d.On(); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		wantDone(t, done)
		c.advance(time.Second)
		wantWrites(t, p, write{0, gpio.Low}, write{0, gpio.High}, write{200 * ms, gpio.Low}, write{300 * ms, gpio.High})
		if !d.IsOn() {
			t.Error("IsOn: got false, want true")
		}
	})
}

func TestPlayPattern(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d, p, c := newRec(t, Opts{Name: "buzzer"})
		done := start(func() error { return d.Play(t.Context(), Pattern{100 * ms, 100 * ms, 100 * ms, 100 * ms, 100 * ms}) })
		c.advance(499 * ms)
		select {
		case <-done:
			t.Fatal("Play returned before its last step ended")
		default:
		}
		c.advance(ms)
		wantDone(t, done)
		wantWrites(t, p,
			write{0, gpio.Low},
			write{0, gpio.High}, write{100 * ms, gpio.Low},
			write{200 * ms, gpio.High}, write{300 * ms, gpio.Low},
			write{400 * ms, gpio.High},
			write{500 * ms, gpio.Low},
		)
	})
}

func TestPlayCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d, p, c := newRec(t, Opts{})
		ctx, cancel := context.WithCancel(t.Context())
		done := start(func() error { return d.Play(ctx, Beep()) })
		c.advance(50 * ms)
		cancel()
		synctest.Wait()
		wantDone(t, done)
		wantWrites(t, p, write{0, gpio.Low}, write{0, gpio.High}, write{50 * ms, gpio.Low})
	})
}

func TestNewPlayReplacesOld(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d, p, c := newRec(t, Opts{})
		first := start(func() error { return d.Play(t.Context(), Pattern{100 * ms, 100 * ms}) })
		c.advance(50 * ms)
		ctx, cancel := context.WithCancel(t.Context())
		second := start(func() error { return d.Play(ctx, Pattern{500 * ms, 500 * ms}) })
		wantDone(t, first)
		c.advance(600 * ms) // to 650 ms
		cancel()
		synctest.Wait()
		wantDone(t, second)
		wantWrites(t, p,
			write{0, gpio.Low}, write{0, gpio.High}, // first
			write{50 * ms, gpio.High}, write{550 * ms, gpio.Low}, // second
			write{650 * ms, gpio.Low}, // second cancelled
		)
	})
}
