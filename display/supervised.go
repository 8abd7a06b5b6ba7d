package display

import (
	"context"
	"errors"
	"sync"
	"time"

	"motcua/backoff"
)

// Options tune a [Supervised]. Zero values choose the defaults given.
type Options struct {
	// BlinkFor is how long a [Supervised.Call] blinks; default 5 s.
	BlinkFor time.Duration
	// BlinkPeriod is one on-off cycle of software blinking; default 1 s.
	BlinkPeriod time.Duration
	// MinBackoff is the wait before the first retry; default 500 ms.
	// Each further failure doubles it, up to MaxBackoff (default 30 s),
	// and each wait is shortened by a random part of up to half.
	MinBackoff time.Duration
	MaxBackoff time.Duration
	// OnStatus, if not nil, is called from Run's goroutine with the first
	// outcome and then whenever the display starts failing or recovers.
	// It must not block for long.
	OnStatus func(Status)
}

// Status is the health of a supervised display.
type Status struct {
	Display  string        // the display's String()
	OK       bool          // the last attempt succeeded
	Err      error         // the last error; nil when OK
	Failures int           // consecutive failed attempts
	Retry    time.Duration // wait before the next attempt, when not OK
}

// Supervised keeps a [Counter] showing the latest content it was given. Set,
// Call, SetBrightness and Status are safe for concurrent use and never block
// on the display; [Supervised.Run] does all the talking to it.
type Supervised struct {
	dev  Counter
	opts Options
	wake chan struct{}

	mu         sync.Mutex
	content    Content
	blinkStart time.Time // zero when not blinking
	bright     Brightness
	brightSet  bool
	status     Status
}

// NewSupervised returns a supervisor for d. Nothing reaches d until Run.
func NewSupervised(d Counter, o Options) *Supervised {
	if o.BlinkFor <= 0 {
		o.BlinkFor = 5 * time.Second
	}
	if o.BlinkPeriod <= 0 {
		o.BlinkPeriod = time.Second
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 500 * time.Millisecond
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = max(30*time.Second, o.MinBackoff)
	}
	return &Supervised{dev: d, opts: o, wake: make(chan struct{}, 1), status: Status{Display: d.String()}}
}

// String returns the display's name.
func (s *Supervised) String() string { return s.dev.String() }

// Set makes c the content to show, steadily.
func (s *Supervised) Set(c Content) {
	s.mu.Lock()
	s.content, s.blinkStart = c, time.Time{}
	s.mu.Unlock()
	s.poke()
}

// Call makes c the content to show and blinks it for Options.BlinkFor, to
// draw eyes to a new call.
func (s *Supervised) Call(c Content) {
	s.mu.Lock()
	s.content, s.blinkStart = c, time.Now()
	s.mu.Unlock()
	s.poke()
}

// SetBrightness sets the brightness, for displays that are a [Dimmer].
func (s *Supervised) SetBrightness(b Brightness) {
	s.mu.Lock()
	s.bright, s.brightSet = min(b, MaxBrightness), true
	s.mu.Unlock()
	s.poke()
}

// Status returns the current health.
func (s *Supervised) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

func (s *Supervised) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// applied is what the display is known to show.
type applied struct {
	valid   bool
	content Content
	visible bool
	blink   bool
	bright  Brightness
	bset    bool
}

// Run drives the display until ctx is done and returns ctx.Err(). It does
// not halt the display: call its Halt after Run returns.
func (s *Supervised) Run(ctx context.Context) error {
	var (
		have      applied
		failures  int
		retryAt   time.Time
		reported  bool
		softBlink bool // the display is no Blinker, or said it cannot blink
	)
	blinker, isBlinker := s.dev.(Blinker)
	softBlink = !isBlinker
	dimmer, isDimmer := s.dev.(Dimmer)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()

	for {
		now := time.Now()
		s.mu.Lock()
		content, blinkStart, bright, bset := s.content, s.blinkStart, s.bright, s.brightSet
		s.mu.Unlock()

		blinking := !blinkStart.IsZero() && now.Sub(blinkStart) < s.opts.BlinkFor
		visible := true
		var next time.Time // when the wanted state changes by itself
		if blinking {
			next = blinkStart.Add(s.opts.BlinkFor)
			if softBlink {
				half := s.opts.BlinkPeriod / 2
				n := now.Sub(blinkStart) / half
				visible = n%2 == 0
				next = blinkStart.Add((n + 1) * half)
			}
		}

		if failures == 0 || !now.Before(retryAt) {
			err := s.apply(&have, content, visible, blinking && !softBlink, bright, bset && isDimmer, blinker, dimmer)
			if errors.Is(err, ErrUnsupported) && !softBlink && blinking {
				softBlink = true // fall back, and apply again at once
				continue
			}
			if err != nil {
				failures++
				d := s.backoff(failures)
				retryAt = now.Add(d)
				s.setStatus(Status{Display: s.dev.String(), Err: err, Failures: failures, Retry: d}, failures == 1 || !reported)
			} else if failures > 0 || !reported {
				failures = 0
				s.setStatus(Status{Display: s.dev.String(), OK: true}, true)
			}
			reported = true
		}
		if failures > 0 && (next.IsZero() || retryAt.Before(next)) {
			next = retryAt
		}

		if !next.IsZero() {
			timer.Reset(max(time.Until(next), 0))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.wake:
		case <-timer.C:
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

// apply brings the display to the wanted state, talking to it only about
// what differs from have.
func (s *Supervised) apply(have *applied, c Content, visible, hwBlink bool, b Brightness, setB bool, blinker Blinker, dimmer Dimmer) error {
	if setB && (!have.valid || !have.bset || have.bright != b) {
		if err := dimmer.SetBrightness(b); err != nil && !errors.Is(err, ErrUnsupported) {
			have.valid = false
			return err
		}
		have.bright, have.bset = b, true
	}
	show := visible && !c.IsBlank()
	if !have.valid || have.content != c || have.visible != show {
		var err error
		if show {
			err = s.dev.Show(c)
		} else {
			err = s.dev.Blank()
		}
		if err != nil {
			have.valid = false
			return err
		}
		have.content, have.visible = c, show
	}
	if blinker != nil && (!have.valid || have.blink != hwBlink) {
		if err := blinker.SetBlink(hwBlink); err != nil {
			if errors.Is(err, ErrUnsupported) && !hwBlink {
				have.blink = false
			} else {
				have.valid = false
				return err
			}
		}
		have.blink = hwBlink
	}
	have.valid = true
	return nil
}

func (s *Supervised) backoff(failures int) time.Duration {
	return backoff.Policy{Min: s.opts.MinBackoff, Max: s.opts.MaxBackoff}.Delay(failures)
}

func (s *Supervised) setStatus(st Status, report bool) {
	s.mu.Lock()
	s.status = st
	s.mu.Unlock()
	if report && s.opts.OnStatus != nil {
		s.opts.OnStatus(st)
	}
}
