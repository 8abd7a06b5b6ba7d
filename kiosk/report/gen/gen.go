package gen

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"motcua/clock/clocktest"
	"motcua/kiosk/config"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/queue"
)

// Options say what to generate.
type Options struct {
	Seed uint64
	// From is the first day, "YYYY-MM-DD", in the unit's time zone.
	From string
	// Days is how many calendar days; Sundays are closed, Saturdays
	// open in the morning with fewer citizens.
	Days int
	// TicketsPerDay is the tickets of a weekday (default 400).
	TicketsPerDay int
}

// simClock is the simulated time. It is also the engine's monotonic
// clock (the simulated time since the first day), as the daemon's is, so
// that the events carry wait_ms and service_ms.
type simClock struct {
	*clocktest.Clock
	start time.Time
}

func (c *simClock) Elapsed() time.Duration { return c.Now().Sub(c.start) }

var officers = []string{
	"Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em",
	"Vũ Thị Phương", "Đặng Văn Giang", "Bùi Thị Hà", "Đỗ Văn Hùng", "Ngô Thị Lan",
}

var pauseReasons = []string{"họp", "nghe điện thoại", "lấy hồ sơ"}

// Generate appends the history to log, which must be empty. It returns
// the number of events written.
func Generate(ctx context.Context, cfg *config.Config, log *eventlog.Log, opt Options) (int64, error) {
	if opt.TicketsPerDay <= 0 {
		opt.TicketsPerDay = 400
	}
	loc := cfg.Location
	if loc == nil {
		loc = time.UTC
	}
	first, err := time.ParseInLocation(time.DateOnly, opt.From, loc)
	if err != nil {
		return 0, fmt.Errorf("gen: from: %w", err)
	}
	rng := rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x9e3779b97f4a7c15))
	clk := &simClock{Clock: clocktest.New(first), start: first}
	eng := queue.New(cfg, clk)
	// Public ids from their own seeded stream, so that the same seed gives
	// the same log and the other draws are as before.
	var seed [32]byte
	binary.LittleEndian.PutUint64(seed[:], opt.Seed)
	eng.SetRandom(rand.NewChaCha8(seed))
	if log.Last() != 0 {
		return 0, fmt.Errorf("gen: the log already holds %d events; generate into an empty data directory", log.Last())
	}
	var total int64
	for d := range opt.Days {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		day := first.AddDate(0, 0, d)
		if day.Weekday() == time.Sunday {
			continue
		}
		evs, err := simulateDay(eng, clk, rng, cfg, day, opt.TicketsPerDay)
		if err != nil {
			return total, fmt.Errorf("gen: %s: %w", day.Format(time.DateOnly), err)
		}
		// At most 32 events per append: a larger batch makes the log
		// prepare a statement inside its transaction, which waits
		// forever for its only connection (reported to the log's owner).
		for i := 0; i < len(evs); i += 32 {
			if err := log.Append(evs[i:min(i+32, len(evs))]); err != nil {
				return total, err
			}
		}
		total += int64(len(evs))
	}
	return total, nil
}

// counterSim is what the simulation knows of one counter.
type counterSim struct {
	id      int
	officer string
	open    bool
	paused  bool
	next    time.Time // when it acts next
	action  func(now time.Time) error
	closeAt time.Time
}

func simulateDay(eng *queue.Engine, clk *simClock, rng *rand.Rand, cfg *config.Config, day time.Time, perDay int) ([]queue.Event, error) {
	var evs []queue.Event
	var failed error
	do := func(at time.Time, cmd func() ([]queue.Event, error)) []queue.Event {
		clk.Set(at)
		out, err := cmd()
		evs = append(evs, out...)
		if err != nil && failed == nil {
			failed = err
		}
		return out
	}
	hm := func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	saturday := day.Weekday() == time.Saturday
	n := perDay
	end := hm(17, 0)
	if saturday {
		n, end = perDay*2/5, hm(11, 30)
	}
	// Arrivals: a morning peak around 9:00, a smaller one after lunch.
	var arrivals []time.Time
	for range n {
		var t time.Duration
		if saturday || rng.Float64() < 0.65 {
			t = gauss(rng, 9*time.Hour, 70*time.Minute, 7*time.Hour+30*time.Minute, 11*time.Hour+15*time.Minute)
		} else {
			t = gauss(rng, 14*time.Hour+30*time.Minute, 60*time.Minute, 13*time.Hour+30*time.Minute, 16*time.Hour+45*time.Minute)
		}
		arrivals = append(arrivals, day.Add(t.Truncate(time.Second)))
	}
	slices.SortFunc(arrivals, func(a, b time.Time) int { return a.Compare(b) })

	var counters []*counterSim
	for i, cc := range cfg.Counters {
		c := &counterSim{id: cc.ID, officer: officers[i%len(officers)], closeAt: end}
		if rng.IntN(20) == 0 { // a colleague stands in
			c.officer = officers[(i+5)%len(officers)]
		}
		c.next = hm(7, 25).Add(time.Duration(rng.IntN(15*60)) * time.Second)
		counters = append(counters, c)
	}
	services := cfg.Services
	// Counter behaviour, one action at a time.
	var poll func(c *counterSim) func(time.Time) error
	var serve func(c *counterSim, now time.Time) (time.Time, func(time.Time) error)
	poll = func(c *counterSim) func(time.Time) error {
		return func(now time.Time) error {
			if !c.open {
				do(now, func() ([]queue.Event, error) { return eng.Open(c.id, c.officer) })
				c.open = true
				c.next, c.action = now, poll(c)
				return nil
			}
			if !now.Before(c.closeAt) {
				do(now, func() ([]queue.Event, error) { return eng.Close(c.id) })
				c.open = false
				c.next = time.Time{}
				return nil
			}
			// Lunch: pause from 11:30 to 13:30 (not on Saturdays).
			if !saturday && !c.paused && !now.Before(hm(11, 30)) && now.Before(hm(13, 30)) {
				do(now, func() ([]queue.Event, error) { return eng.Pause(c.id, "nghỉ trưa") })
				c.paused = true
				c.next = hm(13, 30).Add(time.Duration(rng.IntN(600)) * time.Second)
				c.action = func(now time.Time) error {
					do(now, func() ([]queue.Event, error) { return eng.Resume(c.id) })
					c.paused = false
					c.next, c.action = now, poll(c)
					return nil
				}
				return nil
			}
			// Now and then a short pause.
			if rng.IntN(150) == 0 {
				do(now, func() ([]queue.Event, error) {
					return eng.Pause(c.id, pauseReasons[rng.IntN(len(pauseReasons))])
				})
				c.paused = true
				c.next = now.Add(time.Duration(5+rng.IntN(25)) * time.Minute)
				c.action = func(now time.Time) error {
					do(now, func() ([]queue.Event, error) { return eng.Resume(c.id) })
					c.paused = false
					c.next, c.action = now, poll(c)
					return nil
				}
				return nil
			}
			out := do(now, func() ([]queue.Event, error) { return eng.Next(c.id) })
			called := false
			for _, ev := range out {
				if ev.Name == queue.TicketCalled {
					called = true
				}
			}
			if !called {
				c.next = now.Add(time.Duration(20+rng.IntN(40)) * time.Second)
				return nil
			}
			c.next, c.action = serve(c, now)
			return nil
		}
	}
	serve = func(c *counterSim, now time.Time) (time.Time, func(time.Time) error) {
		r := rng.Float64()
		switch {
		case r < 0.05: // no-show: recalled once, then skipped
			return now.Add(time.Minute), func(now time.Time) error {
				do(now, func() ([]queue.Event, error) { return eng.Recall(c.id) })
				c.next = now.Add(time.Minute)
				c.action = func(now time.Time) error {
					do(now, func() ([]queue.Event, error) { return eng.Skip(c.id) })
					c.next, c.action = now.Add(10*time.Second), poll(c)
					return nil
				}
				return nil
			}
		case r < 0.08: // transfer to another service
			return now.Add(time.Duration(60+rng.IntN(180)) * time.Second), func(now time.Time) error {
				to := services[rng.IntN(len(services))].ID
				do(now, func() ([]queue.Event, error) {
					evs, err := eng.Transfer(c.id, to, 0)
					if err == queue.ErrBadTransfer { // same service: pass on
						return eng.Done(c.id)
					}
					return evs, err
				})
				c.next, c.action = now.Add(10*time.Second), poll(c)
				return nil
			}
		}
		recall := r < 0.18
		svc := lognormal(rng, 4*time.Minute, 0.6)
		finish := func(now time.Time) error {
			do(now, func() ([]queue.Event, error) { return eng.Done(c.id) })
			if rng.Float64() < 0.6 {
				score := 4
				switch x := rng.Float64(); {
				case x < 0.04:
					score = 1
				case x < 0.12:
					score = 2
				case x < 0.45:
					score = 3
				}
				do(now.Add(8*time.Second), func() ([]queue.Event, error) { return eng.Rate(c.id, score, "") })
			}
			c.next, c.action = now.Add(time.Duration(10+rng.IntN(30))*time.Second), poll(c)
			return nil
		}
		if recall {
			return now.Add(40 * time.Second), func(now time.Time) error {
				do(now, func() ([]queue.Event, error) { return eng.Recall(c.id) })
				c.next, c.action = now.Add(svc), finish
				return nil
			}
		}
		return now.Add(svc), finish
	}
	for _, c := range counters {
		c.action = poll(c)
	}
	// Run every action in time order: the engine stamps events with the
	// clock and never goes back.
	ai := 0
	for {
		var c *counterSim
		for _, x := range counters {
			if !x.next.IsZero() && (c == nil || x.next.Before(c.next)) {
				c = x
			}
		}
		if ai < len(arrivals) && (c == nil || !arrivals[ai].After(c.next)) {
			svc := services[pick(rng, len(services))].ID
			prio := rng.IntN(25) == 0
			do(arrivals[ai], func() ([]queue.Event, error) { return eng.Issue(svc, prio) })
			ai++
			continue
		}
		if c == nil {
			break
		}
		if err := c.action(c.next); err != nil {
			return nil, err
		}
		if failed != nil {
			return nil, failed
		}
	}
	if failed != nil {
		return nil, failed
	}
	return evs, nil
}

// pick draws a service: the first ones are the busiest.
func pick(rng *rand.Rand, n int) int {
	w := 0.0
	for i := range n {
		w += 1 / math.Sqrt(float64(i+1))
	}
	x := rng.Float64() * w
	for i := range n {
		x -= 1 / math.Sqrt(float64(i+1))
		if x <= 0 {
			return i
		}
	}
	return n - 1
}

func gauss(rng *rand.Rand, mean, sd, lo, hi time.Duration) time.Duration {
	for {
		t := mean + time.Duration(rng.NormFloat64()*float64(sd))
		if t >= lo && t <= hi {
			return t
		}
	}
}

func lognormal(rng *rand.Rand, median time.Duration, sigma float64) time.Duration {
	d := time.Duration(float64(median) * math.Exp(rng.NormFloat64()*sigma))
	return max(d, 30*time.Second).Truncate(time.Second)
}
