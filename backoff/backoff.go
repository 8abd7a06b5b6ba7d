// Package backoff is the one reconnect and retry delay of motcua: an
// exponential backoff with jitter, on an injected clock, whose wait ends
// with its context. The uplink client, the printer supervisor, the counter
// displays and the keypad poller all use it.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"

	"motcua/clock"
)

// Policy says how long to wait after consecutive failures: Min after the
// first, doubled after each further one, at most Max, less a random part
// of up to half, so that devices or units that failed together do not all
// retry at the same moment.
type Policy struct {
	Min, Max time.Duration
}

// Delay is the wait after n consecutive failures (n ≥ 1), in [d/2, d] for
// d = min(Min·2ⁿ⁻¹, Max). A zero Max means Min; n < 1 counts as 1.
func (p Policy) Delay(n int) time.Duration {
	d := p.Min
	top := max(p.Max, p.Min)
	for i := 1; i < n && d < top; i++ {
		d *= 2
	}
	d = min(d, top)
	if d <= 0 {
		return 0
	}
	return d - rand.N(d/2+1)
}

// Backoff counts consecutive failures and waits the [Policy]'s delay on
// its clock. The zero value waits nothing; it is not safe for concurrent
// use (one loop owns it).
type Backoff struct {
	Policy
	Clock clock.Clock // nil: the machine's clock

	failures int
}

// Wait counts a failure and waits its delay; it returns ctx's error if ctx
// ends first, nil otherwise.
func (b *Backoff) Wait(ctx context.Context) error {
	b.failures++
	d := b.Delay(b.failures)
	if err := ctx.Err(); err != nil || d <= 0 {
		return err
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-clock.Or(b.Clock).After(d):
		return nil
	}
}

// Reset forgets the failures, after a success.
func (b *Backoff) Reset() { b.failures = 0 }

// Failures is the number of failures since the last success.
func (b *Backoff) Failures() int { return b.failures }
