package report_test

import (
	"context"
	"database/sql"
	"encoding/hex"
	"math"
	"path/filepath"
	"testing"
	"time"

	"motcua/clock"
	"motcua/clock/clocktest"
	"motcua/kiosk"
	"motcua/kiosk/config"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/queue"
	"motcua/kiosk/report"
)

const testTOML = `
[unit]
id = "thu"
name = "UBND xã Thử – Bộ phận một cửa"
timezone = "Asia/Ho_Chi_Minh"

[server]
listen = "127.0.0.1:0"

[[service]]
id = "a"
name = "Đất đai"
prefix = "A"

[[service]]
id = "b"
name = "Hộ tịch"
prefix = "B"

[[counter]]
id = 1
name = "Quầy 1"
services = ["a"]

[[counter]]
id = 2
name = "Quầy 2"
services = ["b"]

[reports]
target_wait = "10m"
`

// monoClock adds a monotonic clock ([clock.Monotonic]) to the test's
// clock, which has none (the engine then writes no wait_ms and service_ms
// and the reports use event times): with it the engine writes them. It reads the true time, which
// is the wall time minus step, the amount the wall clock was set by.
type monoClock struct {
	*clocktest.Clock
	origin time.Time
	step   time.Duration
}

func (c *monoClock) Elapsed() time.Duration { return c.Now().Add(-c.step).Sub(c.origin) }

// set moves the true time to t, the wall clock with it.
func (c *monoClock) set(t time.Time) { c.Set(t.Add(c.step)) }

// scenario writes the events of two queue days through the real engine
// and event log, and returns the data directory, the configuration, the
// room and its clock. With mono, the engine's clock is monotonic too, so
// the events carry wait_ms and service_ms, consistent with their times.
//
// All times are local (+07:00); the target wait is 10 min = 600 s.
//
// Day 1, Monday 2026-11-23. Counter 1 takes service a, counter 2 service b.
//
//	08:00     counter 1 opened by An, counter 2 by Bình
//	08:01     A001 (T1) issued        08:02 A002 (T2)      08:03 B001 (T3)
//	08:05     c1 calls A001 (wait 240)          08:06 c2 calls B001 (wait 180)
//	08:09     A001 done (service 240); 08:09:10 rated 4
//	08:10     c1 calls A002 (wait 480); 08:11 recalled; 08:12 no-show
//	08:16     c2 transfers B001 to service a (its visit of b: 08:06-08:16)
//	08:20     c1 paused "họp"; 08:30 resumed and calls B001 (wait in a: 840)
//	08:40     B001 done (visit of a: 600; ticket: 600 + 600 = 1200); 08:40:05 rated 2 at c1
//	09:00     B002 (T4), B003 (T5) issued
//	09:20     c2 calls B002 (wait 1200); 09:25 done (300), rated 3, calls B003 (wait 1500)
//	09:31     c2 closed: B003 done (360)
//	10:00     c2 opened by Chi
//	23:00     B004 (T6) issued; 23:50 c2 calls it (wait 3000); never finished
//	23:58     A003 (T7) issued; never called
//
// Day 2, Tuesday 2026-11-24: the day starts at 00:00:30 (a tick); the
// counters of day 1 are accounted until midnight.
//
//	00:30     c1 opened by An; A001 (T8) issued (17:30 UTC on the 23rd: the
//	          day is the local one)
//	00:40     c1 calls A001 (wait 600, exactly the target); 00:45 done (300), rated 1
//	00:50     c1 paused "nghỉ"; 01:00 closed
//	08:00     c2 opened by Bình; B001..B016 (T9..T24) issued at once
//	08:00+5k min  c2 calls B(k+1), k = 0..15 (wait 300k): each Next
//	          closes the previous one as done (service 300)
//	ratings   B001 4 (08:05), B002 3, B003 3, B004 2 (08:20), B016 4 (09:20)
//	09:20     B016 done; 09:30 c2 closed
func scenario(t *testing.T, mono bool) (string, *config.Config, *kiosk.Room, *clocktest.Clock) {
	t.Helper()
	cfg, err := config.Parse("test.toml", []byte(testTOML))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg.Server.DataDir = dir
	log, err := eventlog.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	clk := clocktest.New(time.Time{})
	var engineClock clock.Dated = clk
	if mono {
		engineClock = &monoClock{Clock: clk, origin: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)}
	}
	ctx := context.Background()
	room, err := kiosk.OpenRoom(ctx, cfg, log, engineClock)
	if err != nil {
		t.Fatal(err)
	}
	loc := cfg.Location
	day := "2026-11-23"
	do := func(hms string, cmd func(e *queue.Engine) ([]queue.Event, error)) {
		t.Helper()
		at, err := time.ParseInLocation("2006-01-02 15:04:05", day+" "+hms, loc)
		if err != nil {
			t.Fatal(err)
		}
		clk.Set(at)
		if _, err := room.Do(cmd); err != nil {
			t.Fatalf("%s %s: %v", day, hms, err)
		}
	}
	open := func(id int, officer string) func(*queue.Engine) ([]queue.Event, error) {
		return func(e *queue.Engine) ([]queue.Event, error) { return e.Open(id, officer) }
	}
	issue := func(svc string) func(*queue.Engine) ([]queue.Event, error) {
		return func(e *queue.Engine) ([]queue.Event, error) { return e.Issue(svc, false) }
	}
	next := func(id int) func(*queue.Engine) ([]queue.Event, error) {
		return func(e *queue.Engine) ([]queue.Event, error) {
			evs, err := e.Next(id)
			if err == nil && (len(evs) == 0 || evs[len(evs)-1].Name != queue.TicketCalled) {
				t.Fatalf("counter %d called nobody", id)
			}
			return evs, err
		}
	}
	done := func(id int) func(*queue.Engine) ([]queue.Event, error) {
		return func(e *queue.Engine) ([]queue.Event, error) { return e.Done(id) }
	}
	rate := func(id, score int) func(*queue.Engine) ([]queue.Event, error) {
		return func(e *queue.Engine) ([]queue.Event, error) { return e.Rate(id, score, "") }
	}
	closeC := func(id int) func(*queue.Engine) ([]queue.Event, error) {
		return func(e *queue.Engine) ([]queue.Event, error) { return e.Close(id) }
	}
	pause := func(id int, reason string) func(*queue.Engine) ([]queue.Event, error) {
		return func(e *queue.Engine) ([]queue.Event, error) { return e.Pause(id, reason) }
	}

	do("08:00:00", open(1, "An"))
	do("08:00:00", open(2, "Bình"))
	do("08:01:00", issue("a"))
	do("08:02:00", issue("a"))
	do("08:03:00", issue("b"))
	do("08:05:00", next(1))
	do("08:06:00", next(2))
	do("08:09:00", done(1))
	do("08:09:10", rate(1, 4))
	do("08:10:00", next(1))
	do("08:11:00", func(e *queue.Engine) ([]queue.Event, error) { return e.Recall(1) })
	do("08:12:00", func(e *queue.Engine) ([]queue.Event, error) { return e.Skip(1) })
	do("08:16:00", func(e *queue.Engine) ([]queue.Event, error) { return e.Transfer(2, "a", 0) })
	do("08:20:00", pause(1, "họp"))
	do("08:30:00", func(e *queue.Engine) ([]queue.Event, error) { return e.Resume(1) })
	do("08:30:00", next(1))
	do("08:40:00", done(1))
	do("08:40:05", rate(1, 2))
	do("09:00:00", issue("b"))
	do("09:00:00", issue("b"))
	do("09:20:00", next(2))
	do("09:25:00", done(2))
	do("09:25:00", rate(2, 3))
	do("09:25:00", next(2))
	do("09:31:00", closeC(2))
	do("10:00:00", open(2, "Chi"))
	do("23:00:00", issue("b"))
	do("23:50:00", next(2))
	do("23:58:00", issue("a"))

	day = "2026-11-24"
	do("00:00:30", func(e *queue.Engine) ([]queue.Event, error) { return e.Tick(), nil })
	do("00:30:00", open(1, "An"))
	do("00:30:00", issue("a"))
	do("00:40:00", next(1))
	do("00:45:00", done(1))
	do("00:45:00", rate(1, 1))
	do("00:50:00", pause(1, "nghỉ"))
	do("01:00:00", closeC(1))
	do("08:00:00", open(2, "Bình"))
	for range 16 {
		do("08:00:00", issue("b"))
	}
	ratings := map[int]int{1: 4, 2: 3, 3: 3, 4: 2}
	for k := range 16 {
		start := time.Date(2026, 11, 24, 8, 0, 0, 0, loc).Add(time.Duration(k) * 5 * time.Minute)
		do(start.Format("15:04:05"), next(2))
		if s, ok := ratings[k]; ok { // rates B00k, done by this Next
			do(start.Format("15:04:05"), rate(2, s))
		}
	}
	do("09:20:00", done(2))
	do("09:20:00", rate(2, 4))
	do("09:30:00", closeC(2))
	return dir, cfg, room, clk
}

// row is what a test expects of a [report.Row]; times in seconds.
type row struct {
	key, name                           string
	issued, served, noShow, transferred int
	waitN                               int
	wait                                [3]float64 // mean, median, p90
	svcN                                int
	svc                                 [3]float64
	within                              int
	ratings                             [4]int
	open, idle                          float64
	paused                              map[string]float64
	// tol is how far waits and service times may be off, in seconds:
	// 0.001 for figures of the engine's wait_ms and service_ms, which
	// write a zero duration as 1 ms (0 means none).
	tol float64
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

func checkRow(t *testing.T, what string, got report.Row, w row) {
	t.Helper()
	if got.Key != w.key || got.Name != w.name {
		t.Errorf("%s: key, name = %q, %q, want %q, %q", what, got.Key, got.Name, w.key, w.name)
	}
	ints := []struct {
		name      string
		got, want int
	}{
		{"issued", got.Issued, w.issued}, {"served", got.Served, w.served}, {"no_show", got.NoShow, w.noShow},
		{"transferred", got.Transferred, w.transferred}, {"wait n", got.Wait.N, w.waitN}, {"service n", got.Service.N, w.svcN},
		{"within target", got.WithinTarget, w.within},
	}
	for _, c := range ints {
		if c.got != c.want {
			t.Errorf("%s: %s: got %d, want %d", what, c.name, c.got, c.want)
		}
	}
	floats := []struct {
		name      string
		got, want float64
		tol       float64
	}{
		{"wait mean", got.Wait.Mean, w.wait[0], w.tol}, {"wait median", got.Wait.Median, w.wait[1], w.tol}, {"wait p90", got.Wait.P90, w.wait[2], w.tol},
		{"service mean", got.Service.Mean, w.svc[0], w.tol}, {"service median", got.Service.Median, w.svc[1], w.tol}, {"service p90", got.Service.P90, w.svc[2], w.tol},
		{"open", got.Open, w.open, 0}, {"idle", got.Idle, w.idle, 0},
	}
	for _, c := range floats {
		if math.Abs(c.got-c.want) > max(c.tol, 1e-6) {
			t.Errorf("%s: %s: got %v, want %v", what, c.name, c.got, c.want)
		}
	}
	if got.Ratings != w.ratings {
		t.Errorf("%s: ratings: got %v, want %v", what, got.Ratings, w.ratings)
	}
	n := w.ratings[0] + w.ratings[1] + w.ratings[2] + w.ratings[3]
	if got.RatingCount != n {
		t.Errorf("%s: rating count: got %d, want %d", what, got.RatingCount, n)
	}
	if n > 0 && !near(got.SatisfiedShare, float64(w.ratings[2]+w.ratings[3])/float64(n)) {
		t.Errorf("%s: satisfied share: got %v", what, got.SatisfiedShare)
	}
	if w.served > 0 && !near(got.WithinTargetShare, float64(w.within)/float64(w.served)) {
		t.Errorf("%s: within target share: got %v", what, got.WithinTargetShare)
	}
	var paused float64
	gotPaused := map[string]float64{}
	for _, p := range got.PausedBy {
		gotPaused[p.Reason] = p.Seconds
	}
	for r, s := range w.paused {
		paused += s
		if !near(gotPaused[r], s) {
			t.Errorf("%s: paused %q: got %v, want %v", what, r, gotPaused[r], s)
		}
	}
	if len(gotPaused) != len(w.paused) || !near(got.Paused, paused) {
		t.Errorf("%s: paused: got %v %v, want %v %v", what, got.Paused, gotPaused, paused, w.paused)
	}
}

// The figures below are worked out by hand from the scenario.
//
// Waits by day. Day 1, the called tickets: T1 240, T2 480, T3 180,
// T4 1200, T5 1500, T6 3000; sorted 180 240 480 1200 1500 3000: mean
// 6600/6 = 1100, median (480+1200)/2 = 840, p90 rank ceil(5.4) = 6: 3000.
// Day 2: T8 600 and 300k for k = 0..15: sum 600 + 300*120 = 36600, mean
// 36600/17; sorted 0 300 600 600 900 ... 4500: median 9th = 2100, p90
// rank ceil(15.3) = 16: 4200.
//
// Service times by day (done tickets; a ticket's time is the sum of its
// visits at counters): day 1 T1 240, T3 600+600 = 1200, T4 300, T5 360:
// mean 2100/4 = 525, median (300+360)/2 = 330, p90 rank 4: 1200. Day 2:
// 17 times 300.
//
// Within 10 min: day 1 T1 (240) and T3 (180) of 4 served; day 2 T8
// (600), k = 0, 1, 2 (0, 300, 600) of 17.
//
// Ratings: day 1 T1 4, T3 2, T4 3; day 2 T8 1, 4, 3, 3, 2, 4.
//
// Counter time, day 1: c1 (An) open 08:00-24:00 but paused 08:20-08:30
// ("họp" 600): open 57600-600 = 57000, busy 240+120+600 = 960, idle
// 56040. c2 (Bình) 08:00-09:31: open 5460, busy 600+300+360 = 1260, idle
// 4200. c2 (Chi) 10:00-24:00: open 50400, busy 23:50-24:00 600, idle
// 49800. Total: open 112860, idle 110040. Day 2: c1 (An) 00:30-00:50
// open 1200, busy 300, idle 900, "nghỉ" 600; c2 (Bình) 08:00-09:30 open
// 5400, busy 4800, idle 600. Total: open 6600, idle 1500.
var (
	day1 = row{key: "2026-11-23", name: "Thứ Hai", issued: 7, served: 4, noShow: 1, transferred: 1,
		waitN: 6, wait: [3]float64{1100, 840, 3000}, svcN: 4, svc: [3]float64{525, 330, 1200}, within: 2,
		ratings: [4]int{0, 1, 1, 1}, open: 112860, idle: 110040, paused: map[string]float64{"họp": 600}}
	day2 = row{key: "2026-11-24", name: "Thứ Ba", issued: 17, served: 17,
		waitN: 17, wait: [3]float64{36600.0 / 17, 2100, 4200}, svcN: 17, svc: [3]float64{300, 300, 300}, within: 4,
		ratings: [4]int{1, 1, 2, 2}, open: 6600, idle: 1500, paused: map[string]float64{"nghỉ": 600}}
	// Both days: 23 waits, sum 43200; sorted 0 180 240 300 480 600 600
	// 900 1200 1200 1500 1500 ...: median 12th = 1500; p90 rank
	// ceil(20.7) = 21: 3900. 21 service times, sum 2100+5100 = 7200:
	// sorted 240, eighteen 300, 360, 1200: median 300, p90 rank 19: 300.
	month = row{key: "2026-11", name: "Tháng 11/2026", issued: 24, served: 21, noShow: 1, transferred: 1,
		waitN: 23, wait: [3]float64{43200.0 / 23, 1500, 3900}, svcN: 21, svc: [3]float64{7200.0 / 21, 300, 300}, within: 6,
		ratings: [4]int{1, 2, 3, 3}, open: 119460, idle: 111540, paused: map[string]float64{"họp": 600, "nghỉ": 600}}
	// Service a, one row per visit: T1, T2, T3's second visit (entered
	// by transfer: counts as issued), T7 (never called), T8. Waits 240,
	// 480, 840, 600: mean 540, median (480+600)/2 = 540, p90 rank 4: 840.
	// Service (done visits) 240, 600, 300: mean 380, median 300, p90 600.
	// Within: T1, T8. Ratings on the visits rated: 4, 2, 1.
	serviceA = row{key: "a", name: "Đất đai", issued: 5, served: 3, noShow: 1,
		waitN: 4, wait: [3]float64{540, 540, 840}, svcN: 3, svc: [3]float64{380, 300, 600}, within: 2,
		ratings: [4]int{1, 1, 0, 1}}
	// Service b: T3's first visit (transferred away), T4, T5, T6, and the
	// 16 of day 2. Waits 180 1200 1500 3000 and 300k: sum 5880+36000 =
	// 41880, mean 2094; sorted 0 180 300 600 900 1200 1200 1500 1500 1800
	// 2100 ...: median (1800+2100)/2 = 1950, p90 rank 18: 3900. Service
	// 300, 360 and sixteen 300: mean 5460/18, median 300, p90 rank
	// ceil(16.2) = 17: 300. Within: k = 0, 1, 2.
	serviceB = row{key: "b", name: "Hộ tịch", issued: 20, served: 18, transferred: 1,
		waitN: 20, wait: [3]float64{2094, 1950, 3900}, svcN: 18, svc: [3]float64{5460.0 / 18, 300, 300}, within: 3,
		ratings: [4]int{0, 1, 3, 2}}
	// By counter: the visits called there; issued counts the calls.
	counter1 = row{key: "1", name: "Quầy 1", issued: 4, served: 3, noShow: 1,
		waitN: 4, wait: [3]float64{540, 540, 840}, svcN: 3, svc: [3]float64{380, 300, 600}, within: 2,
		ratings: [4]int{1, 1, 0, 1}, open: 57000 + 1200, idle: 56040 + 900, paused: map[string]float64{"họp": 600, "nghỉ": 600}}
	counter2 = row{key: "2", name: "Quầy 2", issued: 20, served: 18, transferred: 1,
		waitN: 20, wait: [3]float64{2094, 1950, 3900}, svcN: 18, svc: [3]float64{5460.0 / 18, 300, 300}, within: 3,
		ratings: [4]int{0, 1, 3, 2}, open: 5460 + 50400 + 5400, idle: 4200 + 49800 + 600, paused: map[string]float64{}}
	// Officers: An is counter 1. Bình: T3's first visit, T4, T5 and the
	// 16: waits 180 1200 1500 and 300k, sum 38880, mean 38880/19; sorted
	// 0 180 300 600 900 1200 1200 1500 1500 1800 ...: median 10th = 1800,
	// p90 rank ceil(17.1) = 18: 4200. Chi called T6 only (wait 3000).
	officerAn = row{key: "An", name: "Quầy 1", issued: 4, served: 3, noShow: 1,
		waitN: 4, wait: [3]float64{540, 540, 840}, svcN: 3, svc: [3]float64{380, 300, 600}, within: 2,
		ratings: [4]int{1, 1, 0, 1}, open: 58200, idle: 56940, paused: map[string]float64{"họp": 600, "nghỉ": 600}}
	officerBinh = row{key: "Bình", name: "Quầy 2", issued: 19, served: 18, transferred: 1,
		waitN: 19, wait: [3]float64{38880.0 / 19, 1800, 4200}, svcN: 18, svc: [3]float64{5460.0 / 18, 300, 300}, within: 3,
		ratings: [4]int{0, 1, 3, 2}, open: 5460 + 5400, idle: 4200 + 600, paused: map[string]float64{}}
	officerChi = row{key: "Chi", name: "Quầy 2", issued: 1,
		waitN: 1, wait: [3]float64{3000, 3000, 3000}, open: 50400, idle: 49800, paused: map[string]float64{}}
)

func newReporter(t *testing.T, dir string, cfg *config.Config, cached bool) *report.Reporter {
	t.Helper()
	db, err := report.OpenLog(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var cache *report.Cache
	if cached {
		if cache, err = report.OpenCache(filepath.Join(dir, report.CacheFile)); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cache.Close() })
	}
	r := report.New(db, cfg, cache)
	r.Now = func() time.Time { return time.Date(2026, 11, 24, 12, 0, 0, 0, cfg.Location) }
	return r
}

func TestHandComputed(t *testing.T) {
	for _, mono := range []bool{false, true} {
		t.Run(map[bool]string{false: "event times", true: "monotonic"}[mono], func(t *testing.T) {
			handComputed(t, mono)
		})
	}
}

// handComputed checks the figures of the scenario, from event times only
// or from the engine's wait_ms and service_ms, which agree with them.
func handComputed(t *testing.T, mono bool) {
	dir, cfg, _, _ := scenario(t, mono)
	// The 24 calls and 21 ticket.done events carry their durations or
	// not.
	want, tol := [2]int{0, 0}, 0.0
	if mono {
		want, tol = [2]int{24, 21}, 0.001
	}
	if got := withDurations(t, dir); got != want {
		t.Fatalf("calls with wait_ms, done with service_ms: got %v, want %v", got, want)
	}
	tests := []struct {
		by   report.Grouping
		rows []row
	}{
		{report.ByDay, []row{day1, day2}},
		{report.ByMonth, []row{month}},
		{report.ByService, []row{serviceA, serviceB}},
		{report.ByCounter, []row{counter1, counter2}},
		{report.ByOfficer, []row{officerAn, officerBinh, officerChi}},
	}
	// Without a cache, with an empty cache (filled on the way: day 1 is
	// over, day 2 is not) and with the filled cache: the same figures.
	for _, mode := range []struct {
		name   string
		cached bool
	}{{"no cache", false}, {"cache filling", true}, {"cache filled", true}} {
		r := newReporter(t, dir, cfg, mode.cached)
		for _, tc := range tests {
			t.Run(mode.name+"/"+string(tc.by), func(t *testing.T) {
				rep, err := r.Report(context.Background(), report.Query{From: "2026-11-23", To: "2026-11-24", By: tc.by})
				if err != nil {
					t.Fatal(err)
				}
				if len(rep.Rows) != len(tc.rows) {
					t.Fatalf("got %d rows, want %d: %+v", len(rep.Rows), len(tc.rows), rep.Rows)
				}
				for i, w := range tc.rows {
					w.tol = tol
					checkRow(t, w.key, rep.Rows[i], w)
				}
				total := month
				total.key, total.name, total.tol = "total", "Tổng cộng", tol
				checkRow(t, "total", rep.Total, total)
				if rep.Days != 2 {
					t.Errorf("days: got %d, want 2", rep.Days)
				}
				// Issued by weekday and hour: Monday 08h T1-T3, 09h T4 T5,
				// 23h T6 T7; Tuesday 00h T8, 08h the 16.
				var want [7][24]int
				want[0][8], want[0][9], want[0][23] = 3, 2, 2
				want[1][0], want[1][8] = 1, 16
				if rep.Hours != want {
					t.Errorf("hours: got %v, want %v", rep.Hours, want)
				}
			})
		}
	}
	// One day at a time gives that day's row.
	r := newReporter(t, dir, cfg, true)
	for _, w := range []row{day1, day2} {
		rep, err := r.Report(context.Background(), report.Query{From: w.key, To: w.key, By: report.ByDay})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Rows) != 1 {
			t.Fatalf("%s: got %d rows", w.key, len(rep.Rows))
		}
		w.tol = tol
		checkRow(t, "alone "+w.key, rep.Rows[0], w)
	}
	// Only the day that is over was cached.
	if got := cachedDays(t, dir); len(got) != 1 || got[0] != "2026-11-23" {
		t.Errorf("cached days: got %v, want [2026-11-23]", got)
	}
}

// withDurations counts the ticket.called events of the log with wait_ms
// and the ticket.done events with service_ms.
func withDurations(t *testing.T, dir string) [2]int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, report.LogFile)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n [2]int
	err = db.QueryRow(`SELECT
		(SELECT COUNT(*) FROM events WHERE name = 'ticket.called' AND json_extract(CAST(data AS TEXT), '$.wait_ms') > 0),
		(SELECT COUNT(*) FROM events WHERE name = 'ticket.done' AND json_extract(CAST(data AS TEXT), '$.service_ms') > 0)`).Scan(&n[0], &n[1])
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func cachedDays(t *testing.T, dir string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, report.CacheFile)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT day FROM days ORDER BY day`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var days []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			t.Fatal(err)
		}
		days = append(days, d)
	}
	return days
}

// TestBesideDaemon reads the log while the daemon's eventlog holds it
// (and the directory's lock), reports the current day up to now, and
// caches it once the next day has started.
func TestBesideDaemon(t *testing.T) {
	dir, cfg, room, clk := scenario(t, false)
	if l, err := eventlog.Open(dir); err == nil {
		l.Close()
		t.Fatal("second eventlog.Open succeeded; the test needs the directory locked")
	}
	loc := cfg.Location
	clk.Set(time.Date(2026, 11, 24, 10, 0, 0, 0, loc))
	if _, err := room.Do(func(e *queue.Engine) ([]queue.Event, error) { return e.Open(1, "An") }); err != nil {
		t.Fatal(err)
	}
	r := newReporter(t, dir, cfg, true)
	q := report.Query{From: "2026-11-24", To: "2026-11-24", By: report.ByCounter}
	// At 10:30 counter 1 has been open (idle) 30 min more than its 1200 s
	// (900 s idle) of the night.
	r.Now = func() time.Time { return time.Date(2026, 11, 24, 10, 30, 0, 0, loc) }
	rep, err := r.Report(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Rows[0]; !near(got.Open, 1200+1800) || !near(got.Idle, 900+1800) {
		t.Errorf("counter 1 at 10:30: open %v, idle %v, want 3000, 2700", got.Open, got.Idle)
	}
	if got := cachedDays(t, dir); len(got) != 0 {
		t.Errorf("cached days: got %v, want none: day 2 goes on", got)
	}
	// The next day starts at 06:00 on the 25th: counter 1 is accounted
	// until midnight (10:00-24:00, 50400 s), and day 2 is cached.
	clk.Set(time.Date(2026, 11, 25, 6, 0, 0, 0, loc))
	if _, err := room.Do(func(e *queue.Engine) ([]queue.Event, error) { return e.Tick(), nil }); err != nil {
		t.Fatal(err)
	}
	r.Now = clk.Now
	for range 2 { // computed, then from the cache
		rep, err = r.Report(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if got := rep.Rows[0]; !near(got.Open, 1200+50400) || !near(got.Idle, 900+50400) {
			t.Errorf("counter 1 after the day: open %v, idle %v, want 51600, 51300", got.Open, got.Idle)
		}
	}
	if got := cachedDays(t, dir); len(got) != 1 || got[0] != "2026-11-24" {
		t.Errorf("cached days: got %v, want [2026-11-24]", got)
	}
}

func TestWarm(t *testing.T) {
	dir, cfg, _, _ := scenario(t, false)
	r := newReporter(t, dir, cfg, true)
	for i, want := range []int{1, 0} { // day 1 is over; day 2 goes on
		n, err := r.Warm(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("warm %d: computed %d days, want %d", i+1, n, want)
		}
	}
	if got := cachedDays(t, dir); len(got) != 1 || got[0] != "2026-11-23" {
		t.Errorf("cached days: got %v, want [2026-11-23]", got)
	}
	if n, err := newReporter(t, dir, cfg, false).Warm(context.Background()); n != 0 || err != nil {
		t.Errorf("without a cache: got %d, %v", n, err)
	}
}

// stepped writes a morning whose wall clock is set twice (an NTP sync on a
// unit that started without a real-time clock, then a correction), and
// returns the data directory and the configuration. True times, Wednesday
// 2026-11-25, target 600 s:
//
//	08:00     counters 1 (An) and 2 (Bình) open; A001 (T1) issued
//	08:01     B001 (T2) issued     08:02 A002 (T3) issued
//	08:05     c1 calls A001 (wait 300)
//	08:06     the wall clock jumps 2 h forward
//	08:08     c2 calls B001 (wait 420)
//	08:10     A001 done (service 300)
//	08:12     c1 calls A002 (wait 600)
//	08:15     c2 transfers B001 to service a (service in b 420)
//	08:16     the wall clock goes 1 h back: the engine stamps events with
//	          the last time (10:15) until the wall clock passes it
//	08:20     A002 done (service 480)
//	08:25     c1 calls B001 (wait in a 600)
//	08:30     B001 done (service 300)
//
// With mono the engine measures wait_ms and service_ms on a monotonic
// clock; without, only the event times tell durations.
func stepped(t *testing.T, mono bool) (string, *config.Config) {
	t.Helper()
	cfg, err := config.Parse("test.toml", []byte(testTOML))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg.Server.DataDir = dir
	log, err := eventlog.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	clk := &monoClock{Clock: clocktest.New(time.Time{}), origin: time.Date(2026, 11, 25, 0, 0, 0, 0, cfg.Location)}
	var engineClock clock.Dated = clk.Clock
	if mono {
		engineClock = clk
	}
	room, err := kiosk.OpenRoom(context.Background(), cfg, log, engineClock)
	if err != nil {
		t.Fatal(err)
	}
	do := func(hm string, cmd func(e *queue.Engine) ([]queue.Event, error)) {
		t.Helper()
		at, err := time.ParseInLocation(time.DateTime, "2026-11-25 "+hm+":00", cfg.Location)
		if err != nil {
			t.Fatal(err)
		}
		clk.set(at)
		if _, err := room.Do(cmd); err != nil {
			t.Fatalf("%s: %v", hm, err)
		}
	}
	next := func(id int) func(*queue.Engine) ([]queue.Event, error) {
		return func(e *queue.Engine) ([]queue.Event, error) { return e.Next(id) }
	}
	done := func(id int) func(*queue.Engine) ([]queue.Event, error) {
		return func(e *queue.Engine) ([]queue.Event, error) { return e.Done(id) }
	}
	issue := func(svc string) func(*queue.Engine) ([]queue.Event, error) {
		return func(e *queue.Engine) ([]queue.Event, error) { return e.Issue(svc, false) }
	}
	do("08:00", func(e *queue.Engine) ([]queue.Event, error) { return e.Open(1, "An") })
	do("08:00", func(e *queue.Engine) ([]queue.Event, error) { return e.Open(2, "Bình") })
	do("08:00", issue("a"))
	do("08:01", issue("b"))
	do("08:02", issue("a"))
	do("08:05", next(1))
	clk.step = 2 * time.Hour
	do("08:08", next(2))
	do("08:10", done(1))
	do("08:12", next(1))
	do("08:15", func(e *queue.Engine) ([]queue.Event, error) { return e.Transfer(2, "a", 0) })
	clk.step = time.Hour
	do("08:20", done(1))
	do("08:25", next(1))
	do("08:30", done(1))
	return dir, cfg
}

// TestClockSteps reports the morning of [stepped]: with the engine's
// monotonic durations the figures are the true ones, although the event
// times jumped 2 h forward and then stood still.
func TestClockSteps(t *testing.T) {
	q := func(by report.Grouping) report.Query {
		return report.Query{From: "2026-11-25", To: "2026-11-25", By: by}
	}
	stats := func(mean, median, p90 float64, n int) report.Stats {
		return report.Stats{N: n, Mean: mean, Median: median, P90: p90}
	}
	type want struct {
		issued, served, transferred, within int
		wait, svc                           report.Stats
	}
	check := func(t *testing.T, what string, got report.Row, w want) {
		t.Helper()
		if got.Issued != w.issued || got.Served != w.served || got.Transferred != w.transferred || got.WithinTarget != w.within {
			t.Errorf("%s: issued, served, transferred, within target: got %d %d %d %d, want %d %d %d %d", what,
				got.Issued, got.Served, got.Transferred, got.WithinTarget, w.issued, w.served, w.transferred, w.within)
		}
		if got.Wait != w.wait {
			t.Errorf("%s: wait: got %+v, want %+v", what, got.Wait, w.wait)
		}
		if got.Service != w.svc {
			t.Errorf("%s: service: got %+v, want %+v", what, got.Service, w.svc)
		}
	}

	dir, cfg := stepped(t, true)
	r := newReporter(t, dir, cfg, false)
	r.Now = func() time.Time { return time.Date(2026, 11, 25, 18, 0, 0, 0, cfg.Location) }
	byService, err := r.Report(context.Background(), q(report.ByService))
	if err != nil {
		t.Fatal(err)
	}
	// Service a: T1, T3 and T2's visit after the transfer: waits 300,
	// 600, 600; services 300, 480, 300. Service b: T2's first visit,
	// wait 420, transferred.
	check(t, "a", byService.Rows[0], want{issued: 3, served: 3, within: 3,
		wait: stats(500, 600, 600, 3), svc: stats(360, 300, 480, 3)})
	check(t, "b", byService.Rows[1], want{issued: 1, transferred: 1, within: 0,
		wait: stats(420, 420, 420, 1)})
	// Each ticket once: waits 300, 420, 600; time at counters 300, 480,
	// 420 + 300.
	check(t, "total", byService.Total, want{issued: 3, served: 3, transferred: 1, within: 3,
		wait: stats(440, 420, 600, 3), svc: stats(500, 480, 720, 3)})

	// The same morning without monotonic durations: the event times say
	// T2 and T3 waited over two hours, and B001's second visit took no
	// time at all. This is what the monotonic figures mend.
	dir, cfg = stepped(t, false)
	r = newReporter(t, dir, cfg, false)
	r.Now = func() time.Time { return time.Date(2026, 11, 25, 18, 0, 0, 0, cfg.Location) }
	byDay, err := r.Report(context.Background(), q(report.ByDay))
	if err != nil {
		t.Fatal(err)
	}
	// Waits 300, 7620 (08:01 to 10:08), 7800 (08:02 to 10:12); times at
	// counters 7500 (08:05 to 10:10), 180 (10:12 to 10:15), 420 + 0.
	check(t, "event times", byDay.Rows[0], want{issued: 3, served: 3, transferred: 1, within: 1,
		wait: stats(15720.0/3, 7620, 7800, 3), svc: stats(8100.0/3, 420, 7500, 3)})
}

// TestCacheVersion: a day cached by another version of the summaries is
// computed again from the log, never served; a day the log no longer
// holds is served from the previous version's summary (read as
// durations), and not from an unknown one.
func TestCacheVersion(t *testing.T) {
	dir, cfg, _, _ := scenario(t, false)
	r := newReporter(t, dir, cfg, true)
	q := report.Query{From: "2026-11-19", To: "2026-11-24", By: report.ByDay}
	if _, err := r.Report(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	v2, err := hex.DecodeString(report.V2Day)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, report.CacheFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Day 1, still in the log, now holds another day's figures under
	// version 2; 11-20 and 11-19 are days the log lost.
	for _, q := range []string{
		`UPDATE days SET version = 2, summary = ? WHERE day = '2026-11-23'`,
		`INSERT INTO days VALUES ('2026-11-20', 2, 'Asia/Ho_Chi_Minh', 1, 2, ?)`,
		`INSERT INTO days VALUES ('2026-11-19', 1, 'Asia/Ho_Chi_Minh', 1, 2, ?)`,
	} {
		if _, err := db.Exec(q, v2); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := r.Report(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Days != 3 || len(rep.Rows) != 3 {
		t.Fatalf("got %d days, rows %+v; want 3: 11-20, 11-23, 11-24", rep.Days, rep.Rows)
	}
	// The summary of version 2: T1 waited 240 s, served 60 + 80 s,
	// rated 2; T2 never called; T3's clock went back: wait 0, served
	// 61 s. Counter 1 idle 5 ms, busy 7 ms, paused 600 + 3 ms.
	checkRow(t, "version 2, not in the log", rep.Rows[0], row{key: "2026-11-20", name: "Thứ Sáu",
		issued: 3, served: 2, transferred: 1, waitN: 2, wait: [3]float64{120, 120, 240},
		svcN: 2, svc: [3]float64{100.5, 100.5, 140}, within: 2, ratings: [4]int{0, 1, 0, 0},
		open: 0.012, idle: 0.005, paused: map[string]float64{"họp": 0.6, "": 0.003}})
	checkRow(t, "version 2, in the log", rep.Rows[1], day1)
	checkRow(t, "today", rep.Rows[2], day2)
	var version int
	if err := db.QueryRow(`SELECT version FROM days WHERE day = '2026-11-23'`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	if version != report.CacheVersion {
		t.Errorf("day 1 cached as version %d, want %d", version, report.CacheVersion)
	}
}
