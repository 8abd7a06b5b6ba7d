// Package clocktest is a [clock.Dated] for tests: its time moves only
// when the test moves it, and the waits it was asked for fire when the
// time reaches them, so that a test never sleeps to let time pass.
package clocktest

import (
	"sync"
	"time"

	"motcua/clock"
)

var _ clock.Dated = (*Clock)(nil)

// Clock is a clock moved by hand. It is synchronised (its date is
// trusted) until [Clock.SetSynced] says otherwise. It has no monotonic
// reading ([clock.Monotonic]): a test that needs one adds it. It is safe
// for concurrent use.
type Clock struct {
	mu       sync.Mutex
	now      time.Time
	unsynced bool
	waits    []wait
}

type wait struct {
	at time.Time
	ch chan time.Time
}

// New returns a clock at t.
func New(t time.Time) *Clock {
	return &Clock{now: t}
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Synced reports whether the clock's date is trusted: true unless
// [Clock.SetSynced] turned it off.
func (c *Clock) Synced() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.unsynced
}

// SetSynced says whether the clock's date is trusted.
func (c *Clock) SetSynced(synced bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.unsynced = !synced
}

// After returns a channel that gets the clock's time once it has moved d
// past now; at once when d <= 0.
func (c *Clock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waits = append(c.waits, wait{at: c.now.Add(d), ch: ch})
	return ch
}

// Add moves the clock forward by d and fires the waits it reaches.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	c.set(c.now.Add(d))
}

// Set moves the clock to t, as setting the time does, and fires the waits
// it reaches; a step back fires none.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.set(t)
}

// set moves the clock with c.mu held, and unlocks it.
func (c *Clock) set(t time.Time) {
	c.now = t
	var due []wait
	kept := c.waits[:0]
	for _, w := range c.waits {
		if w.at.After(t) {
			kept = append(kept, w)
		} else {
			due = append(due, w)
		}
	}
	c.waits = kept
	c.mu.Unlock()
	for _, w := range due {
		w.ch <- t
	}
}
