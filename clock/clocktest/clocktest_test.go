package clocktest_test

import (
	"testing"
	"time"

	"motcua/clock/clocktest"
)

func TestClock(t *testing.T) {
	start := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	c := clocktest.New(start)
	if !c.Now().Equal(start) || !c.Synced() {
		t.Fatalf("new: got %v synced %v, want %v synced", c.Now(), c.Synced(), start)
	}
	c.SetSynced(false)
	if c.Synced() {
		t.Error("SetSynced(false): still synced")
	}
	fired := func(ch <-chan time.Time) (time.Time, bool) {
		select {
		case at := <-ch:
			return at, true
		default:
			return time.Time{}, false
		}
	}
	if at, ok := fired(c.After(0)); !ok || !at.Equal(start) {
		t.Errorf("After(0): got %v %v, want %v at once", at, ok, start)
	}
	second, minute := c.After(time.Second), c.After(time.Minute)
	c.Add(999 * time.Millisecond)
	if _, ok := fired(second); ok {
		t.Error("a 1 s wait fired after 999 ms")
	}
	c.Add(time.Millisecond)
	if at, ok := fired(second); !ok || !at.Equal(start.Add(time.Second)) {
		t.Errorf("1 s wait: got %v %v, want %v", at, ok, start.Add(time.Second))
	}
	c.Set(start) // a step back fires nothing
	if _, ok := fired(minute); ok {
		t.Error("a step back fired the 1 min wait")
	}
	c.Set(start.Add(time.Hour))
	if at, ok := fired(minute); !ok || !at.Equal(start.Add(time.Hour)) {
		t.Errorf("1 min wait after a step forward: got %v %v", at, ok)
	}
	if !c.Now().Equal(start.Add(time.Hour)) {
		t.Errorf("now: got %v, want %v", c.Now(), start.Add(time.Hour))
	}
}
