package backoff_test

import (
	"context"
	"testing"
	"time"

	"motcua/backoff"
)

func TestDelay(t *testing.T) {
	p := backoff.Policy{Min: time.Second, Max: 10 * time.Second}
	tests := []struct {
		n        int
		min, max time.Duration
	}{
		{0, 500 * time.Millisecond, time.Second},
		{1, 500 * time.Millisecond, time.Second},
		{2, time.Second, 2 * time.Second},
		{3, 2 * time.Second, 4 * time.Second},
		{4, 4 * time.Second, 8 * time.Second},
		{5, 5 * time.Second, 10 * time.Second},
		{50, 5 * time.Second, 10 * time.Second},
	}
	for _, tt := range tests {
		seen := map[time.Duration]bool{}
		for range 200 {
			d := p.Delay(tt.n)
			if d < tt.min || d > tt.max {
				t.Fatalf("Delay(%d): got %v, want in [%v, %v]", tt.n, d, tt.min, tt.max)
			}
			seen[d] = true
		}
		if len(seen) < 10 {
			t.Errorf("Delay(%d): %d distinct values in 200, want jitter", tt.n, len(seen))
		}
	}
	if d := (backoff.Policy{}).Delay(3); d != 0 {
		t.Errorf("zero policy: got %v, want 0", d)
	}
}

// fakeClock records the waits asked for and fires them by hand.
type fakeClock struct {
	asked chan time.Duration
	fire  chan time.Time
}

func (c *fakeClock) Now() time.Time { return time.Unix(0, 0) }

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.asked <- d
	return c.fire
}

// Wait grows with each failure, on the injected clock, until Reset; it
// ends with its context.
func TestWait(t *testing.T) {
	clk := &fakeClock{asked: make(chan time.Duration, 10), fire: make(chan time.Time, 10)}
	b := backoff.Backoff{Policy: backoff.Policy{Min: time.Second, Max: 4 * time.Second}, Clock: clk}
	ctx := context.Background()
	for i, top := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second} {
		clk.fire <- time.Time{}
		if err := b.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		if d := <-clk.asked; d > top || d < top/2 {
			t.Errorf("wait %d: got %v, want in [%v, %v]", i+1, d, top/2, top)
		}
	}
	if b.Failures() != 4 {
		t.Errorf("failures: got %d, want 4", b.Failures())
	}
	b.Reset()
	clk.fire <- time.Time{}
	b.Wait(ctx)
	if d := <-clk.asked; d > time.Second {
		t.Errorf("after Reset: got %v, want ≤ 1s", d)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := b.Wait(cctx); err != context.Canceled {
		t.Errorf("ended context: got %v, want context.Canceled", err)
	}
}
