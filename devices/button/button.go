package button

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"periph.io/x/conn/v3/gpio"

	"motcua/clock"
)

// Errors returned by this package.
var (
	// ErrNilPin is returned by [New] when pin is nil.
	ErrNilPin = errors.New("button: nil pin")
	// ErrNoCallback is returned by [New] when [Opts.OnEvent] is nil.
	ErrNoCallback = errors.New("button: Opts.OnEvent is required")
	// ErrBadOpts is returned by [New] for inconsistent durations.
	ErrBadOpts = errors.New("button: invalid options")
	// ErrRunning is returned by [Dev.Run] when another Run is active.
	ErrRunning = errors.New("button: Run already active")
)

// Defaults used for zero fields of [Opts].
const (
	DefaultDebounce    = 30 * time.Millisecond
	DefaultStuckAfter  = 10 * time.Second
	DefaultMinInterval = 2 * time.Second
	DefaultPoll        = 100 * time.Millisecond
)

// Kind tells what the user did.
type Kind int

// Kinds of [Event].
const (
	// Press is a short press.
	Press Kind = iota + 1
	// LongPress is a hold of at least [Opts.LongPress].
	LongPress
)

// String returns "press" or "long-press".
func (k Kind) String() string {
	switch k {
	case Press:
		return "press"
	case LongPress:
		return "long-press"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Event is one accepted press.
type Event struct {
	Kind Kind
	// At is the clock's time at which the press was recognised: the end of
	// the debounce window, the release (short press with long press enabled),
	// or the moment the hold reached [Opts.LongPress].
	At time.Time
}

// Level is the health of a button, with the values of the device status in
// the HTTP API.
type Level string

// Levels of [Status].
const (
	LevelOK      Level = "ok"
	LevelWarning Level = "warning"
)

// Status reports a change in the health of a button.
type Status struct {
	Level Level
	// Detail is English text for logs and the admin page; DetailVI is the
	// same in Vietnamese for the staff.
	Detail   string
	DetailVI string
	At       time.Time
}

// Opts configures a [Dev]. Zero durations take the Default values.
type Opts struct {
	// Name identifies the button in String and status texts, e.g. "ticket-1".
	// Empty means the pin name.
	Name string
	// Debounce is how long the level must stay unchanged to count.
	Debounce time.Duration
	// LongPress enables [LongPress] events for holds of at least this long.
	// Zero disables them: [Press] is then reported when the button goes down.
	LongPress time.Duration
	// StuckAfter is how long a hold lasts before the button is reported stuck
	// and ignored until released. It must exceed LongPress.
	StuckAfter time.Duration
	// MinInterval is the minimum time between two delivered events; a
	// negative value disables the rate limit.
	MinInterval time.Duration
	// Poll bounds each wait for an edge; it is how quickly Run notices a
	// cancelled context and a missed edge.
	Poll time.Duration
	// OnEvent receives accepted events. Required. It is called from the Run
	// goroutine: return quickly, as debouncing waits for it.
	OnEvent func(Event)
	// OnStatus, if not nil, receives stuck warnings and recoveries, from the
	// Run goroutine.
	OnStatus func(Status)
	// Clock defaults to the machine's clock.
	Clock clock.Clock
}

// Dev is one button. Its methods are safe for concurrent use; only one Run
// may be active at a time.
type Dev struct {
	pin  gpio.PinIn
	opts Opts

	dropped atomic.Uint64
	running atomic.Bool

	mu   sync.Mutex
	stop context.CancelFunc

	// settled, if not nil, is called after each debounced change (tests).
	settled func(down bool)
}

// New configures pin as an input with pull-up and edge detection on both
// edges, and returns the button on it. The pin is usually resolved by the
// caller with gpioreg.ByName after host.Init.
func New(pin gpio.PinIn, opts Opts) (*Dev, error) {
	if pin == nil {
		return nil, ErrNilPin
	}
	if opts.OnEvent == nil {
		return nil, ErrNoCallback
	}
	if opts.Debounce == 0 {
		opts.Debounce = DefaultDebounce
	}
	if opts.StuckAfter == 0 {
		opts.StuckAfter = DefaultStuckAfter
	}
	if opts.MinInterval == 0 {
		opts.MinInterval = DefaultMinInterval
	}
	if opts.Poll == 0 {
		opts.Poll = DefaultPoll
	}
	opts.Clock = clock.Or(opts.Clock)
	if opts.Name == "" {
		opts.Name = pin.Name()
	}
	switch {
	case opts.Debounce < 0, opts.LongPress < 0, opts.StuckAfter < 0:
		return nil, fmt.Errorf("%w: negative duration", ErrBadOpts)
	case opts.Poll < time.Millisecond:
		return nil, fmt.Errorf("%w: Poll %v below 1ms", ErrBadOpts, opts.Poll)
	case opts.LongPress > 0 && opts.StuckAfter <= opts.LongPress:
		return nil, fmt.Errorf("%w: StuckAfter %v must exceed LongPress %v", ErrBadOpts, opts.StuckAfter, opts.LongPress)
	}
	if err := pin.In(gpio.PullUp, gpio.BothEdges); err != nil {
		return nil, fmt.Errorf("button: %s: set as input with pull-up and edges: %w", pin, err)
	}
	return &Dev{pin: pin, opts: opts}, nil
}

// String returns e.g. "button ticket-1 (GPIO17)".
func (d *Dev) String() string {
	return fmt.Sprintf("button %s (%s)", d.opts.Name, d.pin)
}

// Halt stops an active Run, which returns within [Opts.Poll]. A button
// drives nothing, so there is nothing else to make inert.
func (d *Dev) Halt() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stop != nil {
		d.stop()
	}
	return nil
}

// Dropped returns how many presses the rate limit has dropped since New.
func (d *Dev) Dropped() uint64 { return d.dropped.Load() }

// state is owned by the Run goroutine.
type state struct {
	down     bool      // debounced level: held
	since    time.Time // when the current debounced level began (last edge)
	lastEdge time.Time
	settleAt time.Time // zero when no change is pending
	long     bool      // LongPress delivered (or not allowed) for this hold
	stuck    bool
	last     time.Time // last delivered event, for the rate limit
}

// Run reads the button until ctx is cancelled or [Dev.Halt] is called, then
// returns nil. It delivers events and statuses through the callbacks of
// [Opts]. A button already held when Run starts gives no press, only the
// stuck warning if it stays held.
func (d *Dev) Run(ctx context.Context) error {
	if !d.running.CompareAndSwap(false, true) {
		return ErrRunning
	}
	defer d.running.Store(false)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	d.mu.Lock()
	d.stop = cancel
	d.mu.Unlock()

	clk := d.opts.Clock
	now := clk.Now()
	st := state{since: now, lastEdge: now}
	if d.pin.Read() == gpio.Low {
		// Held since before Run: no press, as its start is unknown.
		st.down, st.long = true, true
	}
	for ctx.Err() == nil {
		wait := d.opts.Poll
		if dl, ok := d.nextDeadline(&st); ok {
			wait = min(wait, dl.Sub(now))
		}
		// gpioioctl treats 0 as "forever": never pass less than 1 ms.
		if wait > 0 && wait < time.Millisecond {
			wait = time.Millisecond
		}
		if wait > 0 && d.pin.WaitForEdge(wait) {
			now = clk.Now()
			st.lastEdge = now
			st.settleAt = now.Add(d.opts.Debounce)
			continue
		}
		now = clk.Now()
		d.step(&st, now)
	}
	return nil
}

func (d *Dev) nextDeadline(st *state) (time.Time, bool) {
	var dl time.Time
	set := func(t time.Time) {
		if dl.IsZero() || t.Before(dl) {
			dl = t
		}
	}
	if !st.settleAt.IsZero() {
		set(st.settleAt)
	}
	if st.down && !st.stuck {
		set(st.since.Add(d.opts.StuckAfter))
		if d.opts.LongPress > 0 && !st.long {
			set(st.since.Add(d.opts.LongPress))
		}
	}
	return dl, !dl.IsZero()
}

// step applies every deadline that has passed at now.
func (d *Dev) step(st *state, now time.Time) {
	down := d.pin.Read() == gpio.Low
	if st.settleAt.IsZero() && down != st.down {
		// The level changed without an edge being seen (lost by the
		// driver): debounce it like an edge.
		st.lastEdge = now
		st.settleAt = now.Add(d.opts.Debounce)
	}
	if !st.settleAt.IsZero() && !now.Before(st.settleAt) {
		st.settleAt = time.Time{}
		if down != st.down {
			d.change(st, down, now)
		}
	}
	if !st.down || st.stuck {
		return
	}
	held := now.Sub(st.since)
	if d.opts.LongPress > 0 && !st.long && held >= d.opts.LongPress {
		st.long = true
		d.deliver(st, LongPress, now)
	}
	if held >= d.opts.StuckAfter {
		st.stuck = true
		if d.opts.OnStatus != nil {
			d.opts.OnStatus(Status{
				Level: LevelWarning,
				Detail: fmt.Sprintf("button %s held down for over %v (stuck or taped?); ignored until released",
					d.opts.Name, d.opts.StuckAfter),
				DetailVI: fmt.Sprintf("Nút %s bị giữ quá %g giây (kẹt hoặc bị dán?); tạm bỏ qua cho đến khi được nhả ra",
					d.opts.Name, d.opts.StuckAfter.Seconds()),
				At: now,
			})
		}
	}
}

// change applies a debounced level change recognised at now.
func (d *Dev) change(st *state, down bool, now time.Time) {
	st.down = down
	st.since = st.lastEdge
	if down {
		st.long = false
		if d.opts.LongPress == 0 {
			d.deliver(st, Press, now)
		}
	} else {
		switch {
		case st.stuck:
			st.stuck = false
			if d.opts.OnStatus != nil {
				d.opts.OnStatus(Status{
					Level:    LevelOK,
					Detail:   fmt.Sprintf("button %s released; working again", d.opts.Name),
					DetailVI: fmt.Sprintf("Nút %s đã được nhả ra; hoạt động bình thường", d.opts.Name),
					At:       now,
				})
			}
		case d.opts.LongPress > 0 && !st.long:
			d.deliver(st, Press, now)
		}
	}
	if d.settled != nil {
		d.settled(down)
	}
}

func (d *Dev) deliver(st *state, k Kind, now time.Time) {
	if d.opts.MinInterval > 0 && !st.last.IsZero() && now.Sub(st.last) < d.opts.MinInterval {
		d.dropped.Add(1)
		return
	}
	st.last = now
	d.opts.OnEvent(Event{Kind: k, At: now})
}
