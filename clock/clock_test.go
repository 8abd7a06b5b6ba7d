package clock_test

import (
	"testing"
	"time"

	"motcua/clock"
)

func TestClocks(t *testing.T) {
	if _, ok := clock.Or(nil).(clock.Real); !ok {
		t.Errorf("Or(nil): got %T, want clock.Real", clock.Or(nil))
	}
	tr := clock.Trusted{}
	if clock.Or(tr) != clock.Clock(tr) {
		t.Error("Or(c) is not c")
	}
	if !tr.Synced() {
		t.Error("Trusted is not synced")
	}
	if s := (clock.System{SyncedFile: t.TempDir()}); !s.Synced() {
		t.Error("System with its synchronised file present: not synced")
	}
	before := tr.Now()
	select {
	case at := <-tr.After(time.Millisecond):
		if at.Before(before) {
			t.Errorf("After sent %v, before %v", at, before)
		}
	case <-time.After(time.Minute):
		t.Fatal("After never fired")
	}
}
