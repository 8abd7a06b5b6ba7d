package button

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jonboulle/clockwork"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

// fakeClock is a Clock moved only by advance. Timers fire in deadline order
// and the synctest bubble settles after each, so the Run loop sees the same
// sequence of times as on real hardware.
//
// It is also the clockwork.Clock of the gpiotest.Pin. Only Now and After are
// used (by Dev and by gpiotest.Pin.WaitForEdge); the other methods of the
// embedded nil clockwork.Clock panic and fail the test.
type fakeClock struct {
	clockwork.Clock

	mu     sync.Mutex
	now    time.Time
	timers []fakeTimer
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d <= 0 {
		// Only WaitForEdge calls After here, and the gpioioctl driver
		// waits forever on a 0 timeout.
		panic(fmt.Sprintf("WaitForEdge(%v): a timeout <= 0 blocks forever on gpioioctl", d))
	}
	ch := make(chan time.Time, 1)
	c.timers = append(c.timers, fakeTimer{at: c.now.Add(d), ch: ch})
	return ch
}

// advance must be called inside a synctest bubble.
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

// newPin returns a gpiotest.Pin named GPIO17 that takes its WaitForEdge
// timeouts from c; edges sent on its EdgesChan set the level and wake
// WaitForEdge. Tests write its L field (under its lock) to change the level
// without an edge, as when the driver loses one.
func newPin(c clockwork.Clock) *gpiotest.Pin {
	return &gpiotest.Pin{N: "GPIO17", Num: 17, Fn: "In", Clock: c, EdgesChan: make(chan gpio.Level), L: gpio.Low}
}

// setLevel changes the level of p without an edge.
func setLevel(p *gpiotest.Pin, l gpio.Level) {
	p.Lock()
	defer p.Unlock()
	p.L = l
}

// edgePin records the edge mode New asks for, which gpiotest.Pin does not
// keep.
type edgePin struct {
	*gpiotest.Pin
	edge gpio.Edge
}

func (p *edgePin) In(pull gpio.Pull, edge gpio.Edge) error {
	p.edge = edge
	return p.Pin.In(pull, edge)
}

// rig is a running button in a synctest bubble.
type rig struct {
	t     *testing.T
	dev   *Dev
	pin   *gpiotest.Pin
	clock *fakeClock
	start time.Time

	mu       sync.Mutex
	events   []Event
	statuses []Status

	cancel context.CancelFunc
	done   chan error
}

func newRig(t *testing.T, opts Opts, initial gpio.Level) *rig {
	t.Helper()
	r := &rig{t: t, clock: newFakeClock(), done: make(chan error, 1)}
	r.start = r.clock.Now()
	r.pin = newPin(r.clock)
	opts.Clock = r.clock
	opts.OnEvent = func(e Event) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.events = append(r.events, e)
	}
	opts.OnStatus = func(s Status) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.statuses = append(r.statuses, s)
	}
	dev, err := New(r.pin, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	r.dev = dev
	setLevel(r.pin, initial)
	var ctx context.Context
	ctx, r.cancel = context.WithCancel(t.Context())
	go func() { r.done <- dev.Run(ctx) }()
	synctest.Wait()
	t.Cleanup(r.stop)
	return r
}

// edge injects an edge to level l and lets Run process it.
func (r *rig) edge(l gpio.Level) {
	r.pin.EdgesChan <- l
	synctest.Wait()
}

func (r *rig) advance(d time.Duration) { r.clock.advance(d) }

func (r *rig) stop() {
	r.cancel()
	for {
		select {
		case err := <-r.done:
			if err != nil {
				r.t.Errorf("Run returned %v, want nil", err)
			}
			return
		default:
			r.advance(DefaultPoll)
		}
	}
}

func (r *rig) gotEvents() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

func (r *rig) gotStatuses() []Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.statuses)
}

// at is the fake time offset from the rig's start.
func (r *rig) at(d time.Duration) time.Time { return r.start.Add(d) }

func wantEvents(t *testing.T, got []Event, want ...Event) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("events: got %v, want %v", got, want)
	}
}

func TestNewConfiguresPin(t *testing.T) {
	p := &edgePin{Pin: newPin(nil)}
	d, err := New(p, Opts{OnEvent: func(Event) {}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if p.Pull() != gpio.PullUp || p.edge != gpio.BothEdges {
		t.Errorf("In(%v, %v), want In(PullUp, BothEdges)", p.Pull(), p.edge)
	}
	if got, want := d.String(), "button GPIO17 (GPIO17(17))"; got != want {
		t.Errorf("String: got %q, want %q", got, want)
	}
	d, _ = New(p, Opts{Name: "ticket-1", OnEvent: func(Event) {}})
	if got, want := d.String(), "button ticket-1 (GPIO17(17))"; got != want {
		t.Errorf("String: got %q, want %q", got, want)
	}
	if err := d.Halt(); err != nil {
		t.Errorf("Halt: %v", err)
	}
}

func TestNewErrors(t *testing.T) {
	ok := func(Event) {}
	tests := []struct {
		name string
		pin  gpio.PinIn
		opts Opts
		want error
	}{
		{"nil pin", nil, Opts{OnEvent: ok}, ErrNilPin},
		{"no callback", newPin(nil), Opts{}, ErrNoCallback},
		{"stuck before long", newPin(nil), Opts{OnEvent: ok, LongPress: 5 * time.Second, StuckAfter: 3 * time.Second}, ErrBadOpts},
		{"negative debounce", newPin(nil), Opts{OnEvent: ok, Debounce: -time.Millisecond}, ErrBadOpts},
		{"tiny poll", newPin(nil), Opts{OnEvent: ok, Poll: time.Microsecond}, ErrBadOpts},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.pin, tt.opts)
			if !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
	t.Run("In fails", func(t *testing.T) {
		// gpiotest.Pin refuses edge detection without an EdgesChan.
		broken := newPin(nil)
		broken.EdgesChan = nil
		_, err := New(broken, Opts{OnEvent: ok})
		if err == nil {
			t.Fatal("got nil, want the error of In")
		}
		if got, want := err.Error(), "button: GPIO17(17): set as input with pull-up and edges: gpiotest: please set p.EdgesChan first"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
		if inner := errors.Unwrap(err); inner == nil || inner.Error() != "gpiotest: please set p.EdgesChan first" {
			t.Errorf("Unwrap: got %v, want the error of In wrapped with %%w", inner)
		}
	})
}

func TestDebounce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, Opts{}, gpio.High)
		// Contact bounce on press: five edges within 12 ms.
		for _, l := range []gpio.Level{gpio.Low, gpio.High, gpio.Low, gpio.High, gpio.Low} {
			r.edge(l)
			r.advance(3 * time.Millisecond)
		}
		// Last edge at 12 ms; the level is stable from there.
		r.advance(26 * time.Millisecond) // 41 ms
		wantEvents(t, r.gotEvents())
		r.advance(1 * time.Millisecond) // 42 ms = 12 + 30
		wantEvents(t, r.gotEvents(), Event{Press, r.at(42 * time.Millisecond)})
		// Bounce on release gives nothing more.
		for _, l := range []gpio.Level{gpio.High, gpio.Low, gpio.High} {
			r.edge(l)
			r.advance(2 * time.Millisecond)
		}
		r.advance(time.Second)
		wantEvents(t, r.gotEvents(), Event{Press, r.at(42 * time.Millisecond)})
	})
}

func TestGlitchIgnored(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, Opts{}, gpio.High)
		// A 20 ms spike (shorter than the 30 ms debounce) is noise.
		r.edge(gpio.Low)
		r.advance(20 * time.Millisecond)
		r.edge(gpio.High)
		r.advance(time.Second)
		wantEvents(t, r.gotEvents())
	})
}

func TestMissedEdge(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, Opts{}, gpio.High)
		// The driver loses the edge: the poll notices the level.
		setLevel(r.pin, gpio.Low)
		r.advance(DefaultPoll + DefaultDebounce)
		wantEvents(t, r.gotEvents(), Event{Press, r.at(DefaultPoll + DefaultDebounce)})
	})
}

func TestLongPress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, Opts{LongPress: time.Second}, gpio.High)
		// Short press: reported on release, once the release is debounced.
		r.edge(gpio.Low)
		r.advance(500 * time.Millisecond)
		wantEvents(t, r.gotEvents())
		r.edge(gpio.High)
		r.advance(30 * time.Millisecond)
		short := Event{Press, r.at(530 * time.Millisecond)}
		wantEvents(t, r.gotEvents(), short)

		// Long press at 3 s, past the rate limit: reported when the hold
		// reaches 1 s, not on release.
		r.advance(3*time.Second - 530*time.Millisecond)
		r.edge(gpio.Low)
		r.advance(999 * time.Millisecond)
		wantEvents(t, r.gotEvents(), short)
		r.advance(time.Millisecond)
		long := Event{LongPress, r.at(4 * time.Second)}
		wantEvents(t, r.gotEvents(), short, long)
		r.advance(time.Second)
		r.edge(gpio.High)
		r.advance(time.Second)
		wantEvents(t, r.gotEvents(), short, long)
		if got := r.gotStatuses(); len(got) != 0 {
			t.Errorf("statuses: got %v, want none", got)
		}
	})
}

func TestStuck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, Opts{}, gpio.High)
		r.edge(gpio.Low)
		r.advance(DefaultStuckAfter - time.Millisecond)
		press := Event{Press, r.at(DefaultDebounce)}
		wantEvents(t, r.gotEvents(), press)
		if got := r.gotStatuses(); len(got) != 0 {
			t.Fatalf("statuses before StuckAfter: got %v, want none", got)
		}
		r.advance(time.Millisecond)
		st := r.gotStatuses()
		if len(st) != 1 || st[0].Level != LevelWarning || st[0].At != r.at(DefaultStuckAfter) ||
			st[0].Detail == "" || st[0].DetailVI == "" {
			t.Fatalf("statuses: got %+v, want one warning at 10s with both texts", st)
		}
		if got, want := st[0].Detail, "button GPIO17 held down for over 10s (stuck or taped?); ignored until released"; got != want {
			t.Errorf("Detail: got %q, want %q", got, want)
		}
		if got, want := st[0].DetailVI, "Nút GPIO17 bị giữ quá 10 giây (kẹt hoặc bị dán?); tạm bỏ qua cho đến khi được nhả ra"; got != want {
			t.Errorf("DetailVI: got %q, want %q", got, want)
		}
		// Still taped down for a minute, with a little chatter: nothing.
		for range 3 {
			r.edge(gpio.High)
			r.advance(5 * time.Millisecond)
			r.edge(gpio.Low)
			r.advance(20 * time.Second)
		}
		wantEvents(t, r.gotEvents(), press)
		if got := len(r.gotStatuses()); got != 1 {
			t.Fatalf("statuses while stuck: got %d, want 1", got)
		}
		// Released: ok again, and the next press works.
		r.edge(gpio.High)
		r.advance(DefaultDebounce)
		st = r.gotStatuses()
		if len(st) != 2 || st[1].Level != LevelOK || st[1].DetailVI == "" {
			t.Fatalf("statuses after release: got %+v, want warning then ok", st)
		}
		if got, want := st[1].DetailVI, "Nút GPIO17 đã được nhả ra; hoạt động bình thường"; got != want {
			t.Errorf("DetailVI: got %q, want %q", got, want)
		}
		wantEvents(t, r.gotEvents(), press)
		r.advance(time.Second)
		r.edge(gpio.Low)
		r.advance(DefaultDebounce)
		if got := r.gotEvents(); len(got) != 2 || got[1].Kind != Press {
			t.Fatalf("events after recovery: got %v, want a second press", got)
		}
	})
}

func TestStuckLongPressMode(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, Opts{LongPress: 2 * time.Second, StuckAfter: 5 * time.Second}, gpio.High)
		r.edge(gpio.Low)
		r.advance(time.Minute)
		r.edge(gpio.High)
		r.advance(time.Second)
		wantEvents(t, r.gotEvents(), Event{LongPress, r.at(2 * time.Second)})
		if got := r.gotStatuses(); len(got) != 2 || got[0].Level != LevelWarning || got[1].Level != LevelOK {
			t.Fatalf("statuses: got %+v, want warning then ok", got)
		}
	})
}

func TestHeldAtStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, Opts{}, gpio.Low)
		r.advance(DefaultStuckAfter)
		wantEvents(t, r.gotEvents())
		if got := r.gotStatuses(); len(got) != 1 || got[0].Level != LevelWarning {
			t.Fatalf("statuses: got %+v, want one warning", got)
		}
		r.edge(gpio.High)
		r.advance(DefaultDebounce)
		wantEvents(t, r.gotEvents())
		if got := r.gotStatuses(); len(got) != 2 || got[1].Level != LevelOK {
			t.Fatalf("statuses: got %+v, want warning then ok", got)
		}
	})
}

func TestRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// 500 presses in 10 s: 10 ms down, 10 ms up. A 5 ms debounce lets
		// each one through, so only the rate limit stands in the way.
		r := newRig(t, Opts{Debounce: 5 * time.Millisecond}, gpio.High)
		for range 500 {
			r.edge(gpio.Low)
			r.advance(10 * time.Millisecond)
			r.edge(gpio.High)
			r.advance(10 * time.Millisecond)
		}
		got := r.gotEvents()
		var want []Event
		for i := range 5 {
			want = append(want, Event{Press, r.at(time.Duration(i)*2*time.Second + 5*time.Millisecond)})
		}
		wantEvents(t, got, want...)
		if got, want := r.dev.Dropped(), uint64(495); got != want {
			t.Errorf("Dropped: got %d, want %d", got, want)
		}
	})
}

func TestRateLimitDisabled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, Opts{MinInterval: -1}, gpio.High)
		for range 10 {
			r.edge(gpio.Low)
			r.advance(50 * time.Millisecond)
			r.edge(gpio.High)
			r.advance(50 * time.Millisecond)
		}
		if got := len(r.gotEvents()); got != 10 {
			t.Errorf("events: got %d, want 10", got)
		}
	})
}

func TestCancelStopsRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, Opts{}, gpio.High)
		if err := r.dev.Run(t.Context()); !errors.Is(err, ErrRunning) {
			t.Errorf("second Run: got %v, want %v", err, ErrRunning)
		}
		r.cancel()
		synctest.Wait()
		select {
		case err := <-r.done:
			t.Fatalf("Run returned %v before its poll timeout", err)
		default:
		}
		r.advance(DefaultPoll)
		select {
		case err := <-r.done:
			if err != nil {
				t.Errorf("Run: got %v, want nil", err)
			}
			r.done <- nil // for the cleanup
		default:
			t.Fatal("Run still running one poll after cancel")
		}
	})
}

func TestHaltStopsRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, Opts{}, gpio.High)
		if err := r.dev.Halt(); err != nil {
			t.Fatalf("Halt: %v", err)
		}
		r.advance(DefaultPoll)
		select {
		case err := <-r.done:
			if err != nil {
				t.Errorf("Run: got %v, want nil", err)
			}
			r.done <- nil
		default:
			t.Fatal("Run still running one poll after Halt")
		}
	})
}

// BenchmarkPressLatency measures the time from an edge on the pin to the
// press callback, on the real clock with a 1 ms debounce: the figure is
// 1 ms of debounce plus the loop's own overhead.
func BenchmarkPressLatency(b *testing.B) {
	const debounce = time.Millisecond
	pin := newPin(clockwork.NewRealClock())
	pressed := make(chan time.Time, 1)
	dev, err := New(pin, Opts{
		Debounce:    debounce,
		MinInterval: -1,
		OnEvent:     func(Event) { pressed <- time.Now() },
	})
	if err != nil {
		b.Fatal(err)
	}
	released := make(chan struct{}, 1)
	dev.settled = func(down bool) {
		if !down {
			released <- struct{}{}
		}
	}
	ctx, cancel := context.WithCancel(b.Context())
	done := make(chan error, 1)
	go func() { done <- dev.Run(ctx) }()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		pin.EdgesChan <- gpio.Low
		lat = append(lat, (<-pressed).Sub(t0))
		pin.EdgesChan <- gpio.High
		<-released
	}
	b.StopTimer()
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) }
	b.ReportMetric(q(0.50), "p50-µs")
	b.ReportMetric(q(0.99), "p99-µs")
}
