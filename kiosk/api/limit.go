package api

import (
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// maxLimiters bounds the rate limiter table: past it the least recently
// used sources are forgotten (a forgotten source starts with a full burst).
const maxLimiters = 4096

// limiter limits ticket issuing per kiosk token and source address, so
// that a script or a stuck button cannot empty the day's numbers.
type limiter struct {
	perMinute float64
	burst     int

	mu  sync.Mutex
	all map[limitKey]*limitEntry
}

type limitKey struct {
	token int
	addr  string
}

type limitEntry struct {
	lim  *rate.Limiter
	used time.Time
}

func newLimiter(perMinute float64, burst int) *limiter {
	if perMinute <= 0 {
		perMinute = 30
	}
	if burst <= 0 {
		burst = 10
	}
	return &limiter{perMinute: perMinute, burst: burst, all: map[limitKey]*limitEntry{}}
}

// allow takes one ticket from the source's allowance; when none is left it
// returns how long until one is.
func (l *limiter) allow(token int, addr string) (time.Duration, bool) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	k := limitKey{token, addr}
	e := l.all[k]
	if e == nil {
		if len(l.all) >= maxLimiters {
			l.evict()
		}
		e = &limitEntry{lim: rate.NewLimiter(rate.Limit(l.perMinute/60), l.burst)}
		l.all[k] = e
	}
	e.used = now
	r := e.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d, false
	}
	return 0, true
}

// evict forgets the less recently used half of the table.
func (l *limiter) evict() {
	times := make([]time.Time, 0, len(l.all))
	for _, e := range l.all {
		times = append(times, e.used)
	}
	slices.SortFunc(times, time.Time.Compare)
	cut := times[len(times)/2]
	for k, e := range l.all {
		if !e.used.After(cut) {
			delete(l.all, k)
		}
	}
}
