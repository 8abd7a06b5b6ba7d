package unit

import (
	"sync"
	"testing"
	"time"

	"motcua/kiosk/eventlog"
)

// changes wakes a test that waits for a condition each time something it
// watches changes: a commit of a unit's events ([watch]), a write to an
// emulated device, a receiver's progress. The test waits on these events
// instead of sleeping between looks.
type changes struct {
	mu sync.Mutex
	ch chan struct{} // closed at the next change
}

func newChanges() *changes { return &changes{ch: make(chan struct{})} }

// poke says something changed. It never blocks.
func (c *changes) poke() {
	c.mu.Lock()
	close(c.ch)
	c.ch = make(chan struct{})
	c.mu.Unlock()
}

// wait returns once cond holds, checking it now and after each change; it
// fails the test when 10 s pass without it.
func (c *changes) wait(t testing.TB, what string, cond func() bool) {
	t.Helper()
	timeout := time.NewTimer(10 * time.Second)
	defer timeout.Stop()
	for {
		c.mu.Lock()
		next := c.ch // taken before cond: a change after cond wakes us
		c.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-next:
		case <-timeout.C:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// watch returns changes poked after each commit of u's events, which is
// when the state shows a device's new status or a ticket's new step.
func watch(u *Unit) *changes {
	c := newChanges()
	u.d.Subscribe(func([]eventlog.Record) { c.poke() })
	return c
}

// eventually waits for cond where nothing a test can watch says when it
// may hold: a display's supervisor showing a call, the uplink client
// having read an ack. It looks every 5 ms, for at most 10 s. Prefer
// [changes.wait].
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
