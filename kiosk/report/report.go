package report

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"motcua/kiosk/config"
)

// Grouping is how the rows of a report are formed.
type Grouping string

// The groupings of a report.
const (
	ByDay     Grouping = "day"
	ByMonth   Grouping = "month"
	ByService Grouping = "service"
	ByCounter Grouping = "counter"
	ByOfficer Grouping = "officer"
)

// Groupings lists every [Grouping], in the order the reports show them.
var Groupings = []Grouping{ByDay, ByMonth, ByService, ByCounter, ByOfficer}

// Errors.
var (
	ErrBadDate     = errors.New("report: dates are YYYY-MM-DD")
	ErrBadRange    = errors.New("report: from is after to")
	ErrBadGrouping = errors.New("report: by is one of day, month, service, counter, officer")
	ErrBadFormat   = errors.New("report: format is one of csv, xlsx, html, json")
)

// Query says which report to make.
type Query struct {
	From, To string   // queue days, "YYYY-MM-DD", both included
	By       Grouping // rows of the main table
}

// Check validates q.
func (q Query) Check() error {
	for _, d := range []string{q.From, q.To} {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return fmt.Errorf("%w: %q", ErrBadDate, d)
		}
	}
	if q.From > q.To {
		return fmt.Errorf("%w: %s > %s", ErrBadRange, q.From, q.To)
	}
	if !slices.Contains(Groupings, q.By) {
		return fmt.Errorf("%w, not %q", ErrBadGrouping, q.By)
	}
	return nil
}

// Stats sums up durations, in seconds: the mean, the median (the middle
// value, or the mean of the two middle ones) and the 90th percentile
// (nearest rank: the smallest value not exceeded by 90 % of the values).
// They are 0 when N is 0.
type Stats struct {
	N      int     `json:"n"`
	Mean   float64 `json:"mean_s"`
	Median float64 `json:"median_s"`
	P90    float64 `json:"p90_s"`
}

// ReasonTime is how long counters were paused for one reason.
type ReasonTime struct {
	Reason  string  `json:"reason"`
	Seconds float64 `json:"seconds"`
}

// Row is one line of a report. For rows by day, by month and the total,
// each ticket counts once; by service, each service a ticket visited
// counts it; by counter and by officer, each counter that called it. See
// docs/reports.md.
type Row struct {
	Key  string `json:"key"`
	Name string `json:"name"`
	// Issued is the tickets issued; by service, the tickets that entered
	// the service (issued or transferred to it); by counter and officer,
	// the tickets called there.
	Issued int `json:"issued"`
	Served int `json:"served"` // ended done
	NoShow int `json:"no_show"`
	// Transferred is the tickets transferred (by day, month and total:
	// at least once; otherwise: away from this service or counter).
	Transferred int `json:"transferred"`
	// Wait is from issue (or transfer) to the first call.
	Wait Stats `json:"wait"`
	// Service is from call to done.
	Service Stats `json:"service"`
	// WithinTarget is the tickets served whose wait was at most the
	// target wait; WithinTargetShare is their share of Served.
	WithinTarget      int     `json:"served_within_target"`
	WithinTargetShare float64 `json:"served_within_target_share"`
	// Ratings counts scores 1 to 4 at index 0 to 3.
	Ratings        [4]int  `json:"ratings"`
	RatingCount    int     `json:"rating_count"`
	SatisfiedShare float64 `json:"rating_satisfied_share"` // scores 3 and 4
	// Open is how long counters were open (serving or idle), Idle how
	// long of that they served nobody, Paused how long they were paused;
	// seconds. Not computed by service.
	Open     float64      `json:"open_s"`
	Idle     float64      `json:"idle_s"`
	Paused   float64      `json:"paused_s"`
	PausedBy []ReasonTime `json:"paused_by_reason"`
}

// Report is the figures of one date range.
type Report struct {
	Unit       string    `json:"unit"`
	UnitID     string    `json:"unit_id"`
	From       string    `json:"from"`
	To         string    `json:"to"`
	By         Grouping  `json:"by"`
	TargetWait float64   `json:"target_wait_s"`
	Generated  time.Time `json:"generated"`
	Days       int       `json:"days"` // queue days with events
	Rows       []Row     `json:"rows"` // grouped by By
	Total      Row       `json:"total"`
	// Counters and Officers are always computed, for the tables of
	// counter time and ratings.
	Counters []Row `json:"counters"`
	Officers []Row `json:"officers"`
	// Hours counts the tickets issued by weekday (0 Monday .. 6 Sunday)
	// and hour of the day, in the unit's time zone.
	Hours [7][24]int `json:"hours"`
	// Priority counts the priority tickets issued by category.
	Priority []CategoryCount `json:"priority"`
	// Appointments counts the bookings for these dates.
	Appointments Bookings `json:"appointments"`
	// Dossiers are the figures of the dossiers linked to visits.
	Dossiers *Dossiers `json:"dossiers"`
}

// Reporter makes reports from an event log. It is safe for concurrent use.
type Reporter struct {
	db    *sql.DB
	cache *Cache
	cfg   *config.Config
	// Now tells the time, to account counters still open today;
	// time.Now when nil.
	Now func() time.Time
}

// New returns a reporter on the event log db (see [OpenLog]; the
// daemon's eventlog.Log.DB works too), with a cache of finished days
// (nil: none).
func New(db *sql.DB, cfg *config.Config, cache *Cache) *Reporter {
	return &Reporter{db: db, cache: cache, cfg: cfg}
}

// acc accumulates one row.
type acc struct {
	row       Row
	wait, svc []int32 // ms; a day is far below int32's 24 days
	ratings   [4]int
	idle      int64
	busy      int64
	paused    map[string]int64
	names     []string // counters of an officer
}

func (a *acc) addRating(score int) {
	if score >= 1 && score <= 4 {
		a.ratings[score-1]++
	}
}

func (a *acc) addTime(ct *counterTime) {
	a.idle += ct.Idle
	a.busy += ct.Busy
	for _, p := range ct.Paused {
		if a.paused == nil {
			a.paused = map[string]int64{}
		}
		a.paused[p.Reason] += p.MS
	}
}

// addVisit counts one visit of a ticket into a row by service, counter
// or officer.
func (a *acc) addVisit(v *visit, countIssued bool, target int64) {
	if countIssued {
		a.row.Issued++
	}
	if v.Called {
		a.wait = append(a.wait, int32(v.WaitMS))
	}
	switch v.EndKind {
	case endDone:
		a.row.Served++
		if v.Called {
			a.svc = append(a.svc, int32(v.ServiceMS))
			if v.WaitMS <= target {
				a.row.WithinTarget++
			}
		}
	case endNoShow:
		a.row.NoShow++
	case endTransferred:
		a.row.Transferred++
	}
	a.addRating(v.Rating)
}

// addTicket counts one ticket into an office row (day, month, total).
// Its wait is its first visit's: a ticket is transferred only after a
// call, so that visit holds its first call.
func (a *acc) addTicket(t *ticketSum, target int64) {
	a.row.Issued++
	if t.Transfers > 0 {
		a.row.Transferred++
	}
	first := &t.Visits[0]
	if first.Called {
		a.wait = append(a.wait, int32(first.WaitMS))
	}
	switch t.Outcome {
	case endDone:
		a.row.Served++
		// Its time at counters: every visit served, done or passed on.
		var d int64
		for _, v := range t.Visits {
			if v.Called && (v.EndKind == endDone || v.EndKind == endTransferred) {
				d += v.ServiceMS
			}
		}
		a.svc = append(a.svc, int32(clampMS(d)))
		if first.Called && first.WaitMS <= target {
			a.row.WithinTarget++
		}
	case endNoShow:
		a.row.NoShow++
	}
	a.addRating(t.Rating)
}

func stats(ms []int32) Stats {
	if len(ms) == 0 {
		return Stats{}
	}
	slices.Sort(ms)
	n := len(ms)
	var sum int64
	for _, v := range ms {
		sum += int64(v)
	}
	s := Stats{N: n, Mean: float64(sum) / float64(n) / 1000}
	if n%2 == 1 {
		s.Median = float64(ms[n/2]) / 1000
	} else {
		s.Median = float64(int64(ms[n/2-1])+int64(ms[n/2])) / 2000
	}
	rank := int(math.Ceil(0.9 * float64(n)))
	s.P90 = float64(ms[rank-1]) / 1000
	return s
}

func (a *acc) finish() Row {
	r := a.row
	r.Wait, r.Service = stats(a.wait), stats(a.svc)
	if r.Served > 0 {
		r.WithinTargetShare = float64(r.WithinTarget) / float64(r.Served)
	}
	r.Ratings = a.ratings
	r.RatingCount = a.ratings[0] + a.ratings[1] + a.ratings[2] + a.ratings[3]
	if r.RatingCount > 0 {
		r.SatisfiedShare = float64(a.ratings[2]+a.ratings[3]) / float64(r.RatingCount)
	}
	r.Open = float64(a.idle+a.busy) / 1000
	r.Idle = float64(a.idle) / 1000
	var paused int64
	for reason, ms := range a.paused {
		paused += ms
		r.PausedBy = append(r.PausedBy, ReasonTime{Reason: reason, Seconds: float64(ms) / 1000})
	}
	slices.SortFunc(r.PausedBy, func(x, y ReasonTime) int {
		return cmp.Or(cmp.Compare(y.Seconds, x.Seconds), strings.Compare(x.Reason, y.Reason))
	})
	r.Paused = float64(paused) / 1000
	if len(a.names) > 0 {
		r.Name = strings.Join(a.names, ", ")
	}
	return r
}

// group holds the accumulators of one grouping.
type group map[string]*acc

func (g group) get(key string) *acc {
	a := g[key]
	if a == nil {
		a = &acc{row: Row{Key: key}}
		g[key] = a
	}
	return a
}

// Weekdays are the Vietnamese names of the days, Monday first.
var Weekdays = [7]string{"Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"}

// NoOfficer is the name shown for a counter opened without an officer's
// name.
const NoOfficer = "(không tên)"

// Report makes the report q.
func (r *Reporter) Report(ctx context.Context, q Query) (*Report, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	now := time.Now()
	if r.Now != nil {
		now = r.Now()
	}
	loc := r.cfg.Location
	if loc == nil {
		loc = time.Local
	}
	target := r.cfg.Reports.TargetWait.D().Milliseconds()
	rep := &Report{
		Unit: r.cfg.Unit.Name, UnitID: r.cfg.Unit.ID, From: q.From, To: q.To, By: q.By,
		TargetWait: float64(target) / 1000, Generated: now.In(loc).Truncate(time.Second),
	}
	groups := map[Grouping]group{}
	for _, g := range Groupings {
		groups[g] = group{}
	}
	// Every configured service and counter has a row, also when empty.
	for _, s := range r.cfg.Services {
		groups[ByService].get(s.ID)
	}
	for _, c := range r.cfg.Counters {
		groups[ByCounter].get(fmt.Sprint(c.ID))
	}
	total := &acc{row: Row{Key: "total", Name: "Tổng cộng"}}
	officerCounters := map[string]map[int]bool{}
	// Rows by counter and officer are always made (the tables of counter
	// time and ratings); by day, month and service only when asked for.
	byDay, byMonth, byService := q.By == ByDay, q.By == ByMonth, q.By == ByService
	counters := map[int]*acc{}
	counterAcc := func(id int) *acc {
		a := counters[id]
		if a == nil {
			a = groups[ByCounter].get(strconv.Itoa(id))
			counters[id] = a
		}
		return a
	}
	noAcc := &acc{} // sink for the groupings not asked for
	fold := func(s *daySummary) {
		rep.Days++
		day, month := noAcc, noAcc
		if byDay {
			day = groups[ByDay].get(s.Day)
		}
		if byMonth {
			month = groups[ByMonth].get(s.Day[:7])
		}
		for i := range s.Tickets {
			t := &s.Tickets[i]
			total.addTicket(t, target)
			if byDay || byMonth {
				day.addTicket(t, target)
				month.addTicket(t, target)
			}
			at := time.UnixMilli(t.Issued).In(loc)
			rep.Hours[(int(at.Weekday())+6)%7][at.Hour()]++
			for j := range t.Visits {
				v := &t.Visits[j]
				if byService {
					groups[ByService].get(v.Service).addVisit(v, v.NewService, target)
				}
				if !v.Called {
					continue
				}
				counterAcc(v.Counter).addVisit(v, true, target)
				groups[ByOfficer].get(officerName(v.Officer)).addVisit(v, true, target)
				markOfficer(officerCounters, v.Officer, v.Counter)
			}
		}
		for i := range s.Counters {
			ct := &s.Counters[i]
			total.addTime(ct)
			day.addTime(ct)
			month.addTime(ct)
			counterAcc(ct.Counter).addTime(ct)
			groups[ByOfficer].get(officerName(ct.Officer)).addTime(ct)
			markOfficer(officerCounters, ct.Officer, ct.Counter)
		}
		noAcc.wait, noAcc.svc = noAcc.wait[:0], noAcc.svc[:0]
	}
	if err := eachDay(ctx, r.db, r.cache, q.From, q.To, loc, now, false, fold); err != nil {
		return nil, err
	}
	for name, ids := range officerCounters {
		a := groups[ByOfficer].get(name)
		for _, id := range slices.Sorted(maps.Keys(ids)) {
			a.names = append(a.names, r.counterName(id))
		}
	}
	rep.Total = total.finish()
	rows := func(g Grouping) []Row {
		var out []Row
		for _, a := range groups[g] {
			row := a.finish()
			if row.Name == "" {
				row.Name = r.name(g, row.Key)
			}
			out = append(out, row)
		}
		slices.SortFunc(out, r.order(g))
		return out
	}
	rep.Rows = rows(q.By)
	rep.Counters = rows(ByCounter)
	rep.Officers = rows(ByOfficer)
	var err error
	if rep.Priority, rep.Appointments, err = r.priorityAndBookings(ctx, q.From, q.To); err != nil {
		return nil, err
	}
	if rep.Dossiers, err = r.dossiers(ctx, q.From, q.To); err != nil {
		return nil, err
	}
	return rep, nil
}

// Warm computes and caches the summaries of every finished day that the
// cache lacks, so that the next reports read one row per day: the daemon
// may run it once at start and after each new day (it takes seconds per
// year of events; see docs/reports.md). It returns how many days it
// computed. Without a cache it does nothing.
func (r *Reporter) Warm(ctx context.Context) (int, error) {
	if r.cache == nil {
		return 0, nil
	}
	loc := r.cfg.Location
	if loc == nil {
		loc = time.Local
	}
	now := time.Now()
	if r.Now != nil {
		now = r.Now()
	}
	n := 0
	err := eachDay(ctx, r.db, r.cache, "0000-01-01", "9999-12-31", loc, now, true, func(*daySummary) { n++ })
	return n, err
}

func officerName(s string) string {
	if s == "" {
		return NoOfficer
	}
	return s
}

func markOfficer(m map[string]map[int]bool, officer string, counter int) {
	name := officerName(officer)
	if m[name] == nil {
		m[name] = map[int]bool{}
	}
	m[name][counter] = true
}

func (r *Reporter) counterName(id int) string {
	if c := r.cfg.Counter(id); c != nil && c.Name != "" {
		return c.Name
	}
	return fmt.Sprintf("Quầy %d", id)
}

// name is the second column of a row: what its key stands for.
func (r *Reporter) name(g Grouping, key string) string {
	switch g {
	case ByService:
		if s := r.cfg.Service(key); s != nil {
			return s.Name
		}
		return key
	case ByCounter:
		var id int
		fmt.Sscan(key, &id)
		return r.counterName(id)
	case ByDay:
		if d, err := time.Parse(time.DateOnly, key); err == nil {
			return Weekdays[(int(d.Weekday())+6)%7]
		}
	case ByMonth:
		if d, err := time.Parse("2006-01", key); err == nil {
			return fmt.Sprintf("Tháng %d/%d", d.Month(), d.Year())
		}
	}
	return key
}

// order sorts rows: services and counters as configured, days and months
// in time, officers by name.
func (r *Reporter) order(g Grouping) func(a, b Row) int {
	rank := map[string]int{}
	switch g {
	case ByService:
		for i, s := range r.cfg.Services {
			rank[s.ID] = i + 1
		}
	case ByCounter:
		for i, c := range r.cfg.Counters {
			rank[fmt.Sprint(c.ID)] = i + 1
		}
	}
	return func(a, b Row) int {
		ra, rb := rank[a.Key], rank[b.Key]
		if ra == 0 {
			ra = math.MaxInt
		}
		if rb == 0 {
			rb = math.MaxInt
		}
		if g == ByCounter && ra == rb {
			var ia, ib int
			fmt.Sscan(a.Key, &ia)
			fmt.Sscan(b.Key, &ib)
			return cmp.Compare(ia, ib)
		}
		return cmp.Or(cmp.Compare(ra, rb), strings.Compare(a.Key, b.Key))
	}
}
