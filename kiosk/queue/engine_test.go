package queue

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"motcua/clock/clocktest"
	"motcua/kiosk/config"
)

var hcm = mustLoc("Asia/Ho_Chi_Minh")

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// fakeClock is a clock the test moves by hand, with a monotonic reading.
// add moves both the wall and the monotonic clock; set moves the wall
// clock only, as setting the time does.
type fakeClock struct {
	*clocktest.Clock
	mono time.Duration
}

func (c *fakeClock) Elapsed() time.Duration { return c.mono }

func (c *fakeClock) add(d time.Duration) { c.Add(d); c.mono += d }
func (c *fakeClock) set(s string)        { c.Set(at(s)) }
func at(s string) time.Time              { t, _ := time.ParseInLocation(time.DateTime, s, hcm); return t }
func newClock(s string) *fakeClock       { return &fakeClock{Clock: clocktest.New(at(s))} }

func testConfig() *config.Config {
	return &config.Config{
		Unit:  config.Unit{ID: "ubnd-test", Name: "UBND xã Thử", Timezone: "Asia/Ho_Chi_Minh"},
		Queue: config.Queue{PriorityRatio: 1, DefaultServiceTime: config.Duration(5 * time.Minute)},
		Services: []config.Service{
			{ID: "dat-dai", Name: "Đất đai", Prefix: "A", First: 1, Digits: 3},
			{ID: "ho-tich", Name: "Tư pháp – Hộ tịch", Prefix: "B", First: 1, Digits: 3},
			{ID: "chung-thuc", Name: "Chứng thực", Prefix: "", First: 100, Digits: 4},
		},
		Counters: []config.Counter{
			{ID: 1, Name: "Quầy 1", Services: []string{"dat-dai"}},
			{ID: 2, Name: "Quầy 2", Services: []string{"ho-tich", "dat-dai"}},
			{ID: 3, Name: "Quầy 3", Services: []string{"chung-thuc"}},
		},
		Location: hcm,
	}
}

// env is an engine with every event it produced, for replay checks.
type env struct {
	t   *testing.T
	e   *Engine
	c   *fakeClock
	log []Event
}

func newEnv(t *testing.T, start string) *env {
	c := newClock(start)
	return &env{t: t, e: New(testConfig(), c), c: c}
}

func (v *env) do(evs []Event, err error) ([]Event, error) {
	v.log = append(v.log, evs...)
	return evs, err
}

func (v *env) must(evs []Event, err error) []Event {
	v.t.Helper()
	if err != nil {
		v.t.Fatalf("command failed: %v", err)
	}
	v.log = append(v.log, evs...)
	return evs
}

func (v *env) issue(service string, priority bool) *Ticket {
	v.t.Helper()
	evs := v.must(v.e.Issue(service, priority))
	return evs[len(evs)-1].Ticket
}

// next calls at counter id and returns the called ticket's number, or "".
func (v *env) next(id int) string {
	v.t.Helper()
	evs := v.must(v.e.Next(id))
	if len(evs) == 0 || evs[len(evs)-1].Name != TicketCalled {
		return ""
	}
	return evs[len(evs)-1].Ticket.Number
}

func (v *env) open(ids ...int) {
	v.t.Helper()
	for _, id := range ids {
		v.must(v.e.Open(id, fmt.Sprintf("Cán bộ %d", id)))
	}
}

func TestNumbering(t *testing.T) {
	v := newEnv(t, "2026-11-26 07:30:00")
	tests := []struct {
		service string
		want    string
	}{
		{"dat-dai", "A001"},
		{"dat-dai", "A002"},
		{"ho-tich", "B001"},
		{"chung-thuc", "0100"},
		{"chung-thuc", "0101"},
		{"dat-dai", "A003"},
	}
	for i, tt := range tests {
		v.c.add(time.Second)
		got := v.issue(tt.service, false)
		if got.Number != tt.want {
			t.Errorf("%d: got %v, want %v", i, got.Number, tt.want)
		}
		if want := "20261126-" + tt.want; got.ID != want {
			t.Errorf("%d: id got %v, want %v", i, got.ID, want)
		}
	}
	if _, err := v.e.Issue("khong-co", false); !errors.Is(err, ErrUnknownService) {
		t.Errorf("unknown service: got %v, want %v", err, ErrUnknownService)
	}
}

func TestNumbersWidenPastDigits(t *testing.T) {
	cfg := testConfig()
	cfg.Services[0].Digits = 1
	cfg.Services[0].First = 8
	e := New(cfg, newClock("2026-11-26 08:00:00"))
	var got []string
	for range 3 {
		evs, err := e.Issue("dat-dai", false)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, evs[len(evs)-1].Ticket.Number)
	}
	if want := "A8 A9 A10"; strings.Join(got, " ") != want {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestDayRollover(t *testing.T) {
	tests := []struct {
		name    string
		second  string // clock for the second ticket
		synced  bool
		want    string // second ticket's number
		wantDay string
	}{
		{"same day, one second before midnight", "2026-11-26 23:59:59", true, "A002", "2026-11-26"},
		{"after local midnight", "2026-11-27 00:00:01", true, "A001", "2026-11-27"},
		// 17:30 UTC is 00:30 in Hồ Chí Minh City: the day is local.
		{"midnight is local, not UTC", "2026-11-27 00:30:00", true, "A001", "2026-11-27"},
		{"new date but clock not synced", "2026-11-27 08:00:00", false, "A002", "2026-11-26"},
		{"clock jumped back to 1970", "1970-01-01 07:00:00", true, "A002", "2026-11-26"},
		{"clock jumped back a day", "2026-11-25 10:00:00", true, "A002", "2026-11-26"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newEnv(t, "2026-11-26 23:00:00")
			v.open(1)
			first := v.issue("dat-dai", false)
			v.c.set(tt.second)
			v.c.SetSynced(tt.synced)
			second := v.issue("dat-dai", false)
			if second.Number != tt.want {
				t.Errorf("number: got %v, want %v", second.Number, tt.want)
			}
			if v.e.Day() != tt.wantDay {
				t.Errorf("day: got %v, want %v", v.e.Day(), tt.wantDay)
			}
			if second.ID == first.ID {
				t.Errorf("ids repeat: %v", second.ID)
			}
			if second.IssuedAt.Before(first.IssuedAt) {
				t.Errorf("time went back: %v after %v", second.IssuedAt, first.IssuedAt)
			}
			st := v.e.State()
			waiting := len(st.Services[0].Waiting)
			newDay := tt.wantDay != "2026-11-26"
			if newDay && (waiting != 1 || st.Counters[0].State != Closed) {
				t.Errorf("new day: waiting %d, counter %s; want 1, closed", waiting, st.Counters[0].State)
			}
			if !newDay && waiting != 2 {
				t.Errorf("same day: waiting %d, want 2", waiting)
			}
		})
	}
}

func TestClockJumpForwardAndBackResetsOnce(t *testing.T) {
	v := newEnv(t, "2026-11-26 10:00:00")
	v.issue("dat-dai", false) // A001 on the 26th
	v.c.set("2026-11-27 10:00:00")
	if got := v.issue("dat-dai", false).Number; got != "A001" {
		t.Fatalf("after jump forward: got %v, want A001", got)
	}
	v.c.set("2026-11-26 11:00:00") // back: the wrong jump is corrected
	if got := v.issue("dat-dai", false).Number; got != "A002" {
		t.Fatalf("after jump back: got %v, want A002", got)
	}
	v.c.set("2026-11-27 00:00:05") // the real midnight: no second reset
	if got := v.issue("dat-dai", false).Number; got != "A003" {
		t.Fatalf("at the real midnight: got %v, want A003", got)
	}
	starts := 0
	for _, ev := range v.log {
		if ev.Name == DayStarted {
			starts++
		}
	}
	if starts != 2 {
		t.Errorf("day.started events: got %d, want 2 (first day, one reset)", starts)
	}
}

func TestTickTurnsTheDay(t *testing.T) {
	v := newEnv(t, "2026-11-26 16:00:00")
	v.open(1)
	v.issue("dat-dai", false)
	v.c.set("2026-11-26 23:59:59")
	if evs := v.e.Tick(); len(evs) != 0 {
		t.Fatalf("tick before midnight: got %v, want none", evs)
	}
	v.c.set("2026-11-27 00:00:00")
	evs := v.e.Tick()
	if len(evs) != 1 || evs[0].Name != DayStarted || evs[0].Day != "2026-11-27" {
		t.Fatalf("tick at midnight: got %+v, want one day.started for 2026-11-27", evs)
	}
	if evs := v.e.Tick(); len(evs) != 0 {
		t.Fatalf("second tick: got %v, want none", evs)
	}
}

func TestNextTakesLongestWaiting(t *testing.T) {
	v := newEnv(t, "2026-11-26 08:00:00")
	v.open(1, 2)
	v.issue("dat-dai", false) // A001 08:00:01
	v.c.add(time.Second)
	v.issue("ho-tich", false) // B001 08:00:02
	v.c.add(time.Second)
	v.issue("dat-dai", false) // A002 08:00:03
	// Counter 2 prefers ho-tich but A001 waited longer.
	tests := []struct {
		counter int
		want    string
	}{
		{2, "A001"},
		{2, "B001"},
		{1, "A002"},
		{1, ""},
	}
	for i, tt := range tests {
		v.c.add(time.Minute)
		if got := v.next(tt.counter); got != tt.want {
			t.Errorf("%d: counter %d got %q, want %q", i, tt.counter, got, tt.want)
		}
	}
}

func TestTiesGoByCounterServiceOrder(t *testing.T) {
	v := newEnv(t, "2026-11-26 08:00:00")
	v.open(2)
	// Same millisecond: the clock does not move between the two.
	v.issue("dat-dai", false)
	v.issue("ho-tich", false)
	if got := v.next(2); got != "B001" {
		t.Errorf("got %v, want B001 (counter 2 lists ho-tich first)", got)
	}
}

func TestPriorityRatio(t *testing.T) {
	tests := []struct {
		ratio int
		want  string
	}{
		{1, "A001 A004 A002 A005 A003 A006"},
		{2, "A001 A002 A004 A003 A005 A006"},
		{3, "A001 A002 A003 A004 A005 A006"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.ratio), func(t *testing.T) {
			v := newEnv(t, "2026-11-26 08:00:00")
			v.e.cfg.Queue.PriorityRatio = tt.ratio
			v.open(1)
			// Three priority tickets, then three normal ones.
			for i := range 6 {
				v.c.add(time.Second)
				v.issue("dat-dai", i < 3)
			}
			var got []string
			for range 6 {
				v.c.add(time.Minute)
				got = append(got, v.next(1))
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("got %v, want %v", strings.Join(got, " "), tt.want)
			}
		})
	}
}

// TestPriorityFairOverLongRuns issues random mixes and checks, over
// thousands of calls, that while both kinds wait the counter never calls
// more than ratio priority tickets in a row and never two normal ones in a
// row: neither kind starves.
func TestPriorityFairOverLongRuns(t *testing.T) {
	for _, ratio := range []int{1, 2, 3} {
		v := newEnv(t, "2026-11-26 07:00:00")
		v.e.cfg.Queue.PriorityRatio = ratio
		v.open(1)
		rng := rand.New(rand.NewPCG(1, uint64(ratio)))
		run := 0
		for i := range 5000 {
			for range rng.IntN(3) {
				v.c.add(time.Second)
				v.issue("dat-dai", rng.IntN(3) == 0)
			}
			s := v.e.services["dat-dai"]
			both := len(s.prio) > 0 && len(s.normal) > 0
			prioBefore := len(s.prio)
			v.c.add(time.Second)
			if v.next(1) == "" {
				continue
			}
			calledPrio := len(s.prio) < prioBefore
			if calledPrio {
				run++
			}
			switch {
			case both && calledPrio && run > ratio:
				t.Fatalf("ratio %d, call %d: %d priority tickets in a row while normal ones wait", ratio, i, run)
			case both && !calledPrio && run < ratio:
				t.Fatalf("ratio %d, call %d: normal ticket called after %d priority, want %d first", ratio, i, run, ratio)
			}
			if !calledPrio {
				run = 0
			}
		}
	}
}

func TestTransferKeepsPlace(t *testing.T) {
	v := newEnv(t, "2026-11-26 08:00:00")
	v.open(1, 2)
	a := v.issue("dat-dai", false) // 08:00:00
	v.c.add(time.Minute)
	v.issue("ho-tich", false) // B001 08:01
	v.c.add(time.Minute)
	v.issue("ho-tich", false) // B002 08:02
	v.c.add(time.Minute)
	if got := v.next(1); got != "A001" {
		t.Fatalf("got %v, want A001", got)
	}
	evs := v.must(v.e.Transfer(1, "ho-tich", 0))
	tr := evs[len(evs)-1]
	if tr.Name != TicketTransferred || tr.Ticket.Number != "A001" || tr.Ticket.Status != Waiting ||
		tr.Ticket.Service != "ho-tich" || !tr.Ticket.IssuedAt.Equal(a.IssuedAt) {
		t.Fatalf("transfer event: got %+v", tr.Ticket)
	}
	if tr.From == nil || tr.From.Service != "dat-dai" || tr.From.Counter == nil || *tr.From.Counter != 1 {
		t.Errorf("from: got %+v, want dat-dai at counter 1", tr.From)
	}
	if tr.Ticket.Ahead != 0 {
		t.Errorf("ahead after transfer: got %d, want 0 (it waited longest)", tr.Ticket.Ahead)
	}
	// Counter 2 serves ho-tich: A001, issued first, comes before B001.
	if got := v.next(2); got != "A001" {
		t.Errorf("got %v, want A001 first at its new service", got)
	}
	if st := v.e.State(); st.Counters[0].Serving != nil {
		t.Errorf("counter 1 still serves %v after the transfer", st.Counters[0].Serving.Number)
	}
}

func TestTransferToCounter(t *testing.T) {
	v := newEnv(t, "2026-11-26 08:00:00")
	v.open(1, 2, 3)
	v.issue("dat-dai", false)
	v.c.add(time.Minute)
	v.issue("dat-dai", false)
	v.next(1) // A001
	v.must(v.e.Transfer(1, "", 3))
	if st := v.e.State(); len(st.Counters[2].Waiting) != 1 || st.Counters[2].Waiting[0].Number != "A001" || st.Counters[2].Waiting[0].Ahead != 0 {
		t.Errorf("counter 3's waiting list: got %v, want A001 first", st.Counters[2].Waiting)
	}
	// Counter 1 may not take it back; counter 3 (chung-thuc only) gets it.
	if got := v.next(1); got != "A002" {
		t.Errorf("counter 1: got %v, want A002", got)
	}
	if got := v.next(3); got != "A001" {
		t.Errorf("counter 3: got %v, want A001", got)
	}
	tests := []struct {
		name      string
		service   string
		counter   int
		wantError error
	}{
		{"nowhere", "", 0, ErrBadTransfer},
		{"same service", "chung-thuc", 0, ErrBadTransfer},
		{"same counter", "", 3, ErrBadTransfer},
		{"unknown service", "khong-co", 0, ErrUnknownService},
		{"unknown counter", "", 9, ErrUnknownCounter},
	}
	v.issue("chung-thuc", false)
	v.must(v.e.Done(3))
	v.next(3)
	for _, tt := range tests {
		if _, err := v.do(v.e.Transfer(3, tt.service, tt.counter)); !errors.Is(err, tt.wantError) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.wantError)
		}
	}
}

func TestCounterStates(t *testing.T) {
	v := newEnv(t, "2026-11-26 08:00:00")
	v.issue("dat-dai", false)
	v.issue("dat-dai", false)
	tests := []struct {
		name string
		cmd  func() ([]Event, error)
		want error
	}{
		{"next on closed", func() ([]Event, error) { return v.e.Next(1) }, ErrCounterClosed},
		{"pause closed", func() ([]Event, error) { return v.e.Pause(1, "họp") }, ErrInvalidState},
		{"open", func() ([]Event, error) { return v.e.Open(1, "Nguyễn Văn A") }, nil},
		{"recall with none", func() ([]Event, error) { return v.e.Recall(1) }, ErrNotServing},
		{"done with none", func() ([]Event, error) { return v.e.Done(1) }, ErrNotServing},
		{"next", func() ([]Event, error) { return v.e.Next(1) }, nil},
		{"pause", func() ([]Event, error) { return v.e.Pause(1, "họp") }, nil},
		{"next while paused", func() ([]Event, error) { return v.e.Next(1) }, ErrCounterPaused},
		{"recall while paused", func() ([]Event, error) { return v.e.Recall(1) }, ErrCounterPaused},
		{"pause twice", func() ([]Event, error) { return v.e.Pause(1, "") }, ErrInvalidState},
		{"resume", func() ([]Event, error) { return v.e.Resume(1) }, nil},
		{"resume open", func() ([]Event, error) { return v.e.Resume(1) }, ErrInvalidState},
		{"recall", func() ([]Event, error) { return v.e.Recall(1) }, nil},
		{"close", func() ([]Event, error) { return v.e.Close(1) }, nil},
		{"close twice", func() ([]Event, error) { return v.e.Close(1) }, ErrInvalidState},
		{"unknown counter", func() ([]Event, error) { return v.e.Open(7, "") }, ErrUnknownCounter},
	}
	for _, tt := range tests {
		v.c.add(time.Second)
		if _, err := v.do(tt.cmd()); !errors.Is(err, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
		}
	}
	// close finished the served ticket as done; recall counted 2 calls.
	a1, _ := v.e.Ticket("20261126-A001")
	if a1.Status != Done || a1.Calls != 2 || a1.DoneAt == nil {
		t.Errorf("A001 after close: got status %s calls %d done_at %v, want done, 2 calls", a1.Status, a1.Calls, a1.DoneAt)
	}
}

func TestNextClosesServedTicket(t *testing.T) {
	v := newEnv(t, "2026-11-26 08:00:00")
	v.open(1)
	v.issue("dat-dai", false)
	v.next(1)
	v.c.add(3 * time.Minute)
	evs := v.must(v.e.Next(1))
	if len(evs) != 1 || evs[0].Name != TicketDone || evs[0].Ticket.Number != "A001" {
		t.Fatalf("got %+v, want only ticket.done for A001", evs)
	}
	if st := v.e.State(); st.Counters[0].Served != 1 || st.Counters[0].Serving != nil {
		t.Errorf("counter: got served %d serving %v, want 1 and none", st.Counters[0].Served, st.Counters[0].Serving)
	}
}

func TestSkipAndRating(t *testing.T) {
	v := newEnv(t, "2026-11-26 08:00:00")
	v.open(1)
	v.issue("dat-dai", false)
	v.issue("dat-dai", false)
	if _, err := v.do(v.e.Rate(1, 4, "")); !errors.Is(err, ErrNothingToRate) {
		t.Errorf("rate before any: got %v, want %v", err, ErrNothingToRate)
	}
	v.next(1)
	evs := v.must(v.e.Skip(1))
	if evs[0].Name != TicketNoShow || evs[0].Ticket.Status != NoShow {
		t.Errorf("skip: got %s %s, want ticket.no_show", evs[0].Name, evs[0].Ticket.Status)
	}
	if _, err := v.do(v.e.Rate(1, 4, "")); !errors.Is(err, ErrNothingToRate) {
		t.Errorf("rate a no-show: got %v, want %v", err, ErrNothingToRate)
	}
	v.next(1)
	v.must(v.e.Done(1))
	tests := []struct {
		score int
		want  error
	}{
		{0, ErrBadScore},
		{5, ErrBadScore},
		{3, nil},
		{4, ErrAlreadyRated},
	}
	for _, tt := range tests {
		if _, err := v.do(v.e.Rate(1, tt.score, "Phải chờ lâu")); !errors.Is(err, tt.want) {
			t.Errorf("score %d: got %v, want %v", tt.score, err, tt.want)
		}
	}
	if a2, _ := v.e.Ticket("20261126-A002"); a2.Rating != 3 {
		t.Errorf("A002 rating: got %d, want 3", a2.Rating)
	}
	if last := v.log[len(v.log)-1]; last.Name != TicketRated || last.Score != 3 || last.Reason != "Phải chờ lâu" {
		t.Errorf("rating event: got %s score %d reason %q", last.Name, last.Score, last.Reason)
	}
}

func TestAheadAndEstimate(t *testing.T) {
	v := newEnv(t, "2026-11-26 08:00:00")
	v.open(1)
	for range 4 {
		v.c.add(time.Second)
		v.issue("dat-dai", false)
	}
	// Serve two tickets of 4 and 6 minutes: the mean is 5 minutes.
	v.next(1)
	v.c.add(4 * time.Minute)
	v.next(1)
	v.c.add(6 * time.Minute)
	v.must(v.e.Done(1))
	p := v.issue("dat-dai", true) // priority: goes first
	n := v.issue("dat-dai", false)
	tests := []struct {
		name     string
		t        *Ticket
		ahead    int
		waitSecs int
	}{
		{"priority", p, 0, 0},
		{"normal, 3 before it", n, 3, 3 * 300},
	}
	for _, tt := range tests {
		if tt.t.Ahead != tt.ahead || tt.t.WaitSeconds != tt.waitSecs {
			t.Errorf("%s: got ahead %d wait %d, want %d and %d", tt.name, tt.t.Ahead, tt.t.WaitSeconds, tt.ahead, tt.waitSecs)
		}
	}
	// A second open counter for dat-dai halves the wait.
	v.open(2)
	got, _ := v.e.Ticket(n.ID)
	if got.WaitSeconds != 3*300/2 {
		t.Errorf("with two counters: got %d, want %d", got.WaitSeconds, 3*300/2)
	}
}

// TestReplay rebuilds the state from the events of a busy random day and
// checks it is the same as the state the commands built.
func TestReplay(t *testing.T) {
	v := newEnv(t, "2026-11-26 07:30:00")
	v.open(1, 2, 3)
	rng := rand.New(rand.NewPCG(7, 7))
	services := []string{"dat-dai", "ho-tich", "chung-thuc"}
	for range 3000 {
		v.c.add(time.Duration(rng.IntN(90)) * time.Second)
		id := 1 + rng.IntN(3)
		switch rng.IntN(10) {
		case 0, 1, 2, 3:
			v.do(v.e.Issue(services[rng.IntN(3)], rng.IntN(5) == 0))
		case 4, 5:
			v.do(v.e.Next(id))
		case 6:
			v.do(v.e.Done(id))
		case 7:
			v.do(v.e.Transfer(id, services[rng.IntN(3)], 0))
		case 8:
			v.do(v.e.Rate(id, 1+rng.IntN(4), ""))
		case 9:
			v.do(v.e.Recall(id))
		}
	}
	v.c.add(20 * time.Hour) // a new day in the middle
	v.open(1)
	v.issue("dat-dai", false)
	replayed := New(testConfig(), newClock("2000-01-01 00:00:00"))
	for i, ev := range v.log {
		// Through JSON, as the log stores them.
		b, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		var back Event
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if err := replayed.Apply(back); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
	}
	want, _ := json.Marshal(v.e.State())
	got, _ := json.Marshal(replayed.State())
	if string(got) != string(want) {
		t.Errorf("replayed state differs:\n got %s\nwant %s", got, want)
	}
	if err := replayed.Apply(Event{Seq: 99999}); !errors.Is(err, ErrBadSeq) {
		t.Errorf("out of sequence: got %v, want %v", err, ErrBadSeq)
	}
	for i, ev := range v.log {
		if ev.Seq != int64(i+1) {
			t.Fatalf("event %d has seq %d", i, ev.Seq)
		}
	}
}

func TestSetDeviceOnlyOnChange(t *testing.T) {
	v := newEnv(t, "2026-11-26 08:00:00")
	d := Device{Name: "printer", Status: DeviceWarning, Detail: "sắp hết giấy"}
	if evs := v.e.SetDevice(d); len(evs) == 0 || evs[len(evs)-1].Name != DeviceStatus {
		t.Fatalf("first status: got %v, want a device.status event", evs)
	}
	if evs := v.e.SetDevice(d); len(evs) != 0 {
		t.Errorf("same status again: got %d events, want 0", len(evs))
	}
	if got := v.e.State().Devices; len(got) != 1 || got[0] != d {
		t.Errorf("devices: got %v, want %v", got, d)
	}
}

// TestDurationsAreMonotonic sets the wall clock forward an hour while a
// ticket is served: its service time, and so the estimate of the next
// ones, comes from the monotonic clock, not from the event times.
func TestDurationsAreMonotonic(t *testing.T) {
	v := newEnv(t, "2026-11-26 08:00:00")
	v.open(1)
	v.issue("dat-dai", false)
	v.c.add(2 * time.Minute)
	evs := v.must(v.e.Next(1))
	if got := evs[len(evs)-1].WaitMS; got != 120000 {
		t.Errorf("wait: got %d ms, want 120000", got)
	}
	v.c.add(3 * time.Minute)
	v.c.set("2026-11-26 09:05:00") // NTP steps the wall clock an hour on
	v.c.add(1 * time.Minute)
	evs = v.must(v.e.Done(1))
	if got := evs[len(evs)-1].ServiceMS; got != 240000 {
		t.Errorf("service: got %d ms, want 240000 (4 min on the monotonic clock)", got)
	}
	v.issue("dat-dai", false)
	w := v.issue("dat-dai", false)
	if w.WaitSeconds != 240 {
		t.Errorf("estimate: got %d s, want 240 (one ticket ahead × 4 min)", w.WaitSeconds)
	}
	// Replayed from the log, the service time is the same.
	replayed := New(testConfig(), newClock("2000-01-01 00:00:00"))
	for _, ev := range v.log {
		if err := replayed.Apply(ev); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := replayed.Ticket(w.ID); got.WaitSeconds != 240 {
		t.Errorf("estimate after replay: got %d s, want 240", got.WaitSeconds)
	}
}

// TestStartDayByHand: with a clock that is not synced the day never turns
// by itself; the admin starts one, which moves forward even when the
// clock says an earlier date.
func TestStartDayByHand(t *testing.T) {
	v := newEnv(t, "2026-11-26 08:00:00")
	v.c.SetSynced(false)
	v.open(1)
	v.issue("dat-dai", false)
	v.c.set("2026-11-27 07:30:00") // the next morning, clock not synced
	if got := v.issue("dat-dai", false).Number; got != "A002" {
		t.Fatalf("unsynced: got %v, want A002 (no new day)", got)
	}
	tests := []struct {
		clock   string
		wantDay string
	}{
		{"2026-11-27 07:31:00", "2026-11-27"}, // the clock's date is after the day
		{"1970-01-01 07:00:00", "2026-11-28"}, // a clock in the past: the day after
	}
	for _, tt := range tests {
		v.c.set(tt.clock)
		evs, err := v.e.StartDay()
		if err != nil {
			t.Fatalf("clock %s: %v", tt.clock, err)
		}
		v.log = append(v.log, evs...)
		if len(evs) != 1 || evs[0].Name != DayStarted || evs[0].Day != tt.wantDay {
			t.Fatalf("clock %s: got %+v, want day.started %s", tt.clock, evs, tt.wantDay)
		}
		if got := v.issue("dat-dai", false); got.Number != "A001" || got.Day != tt.wantDay {
			t.Errorf("clock %s: first ticket %s of %s, want A001 of %s", tt.clock, got.Number, got.Day, tt.wantDay)
		}
	}
}

// TestStartDayTrustedClock: on a synchronised clock a new day by hand is
// refused once the clock's date has begun, and nothing changes (it used to
// move the queue to tomorrow: 20261204-B001 on 3 Dec); when the clock's
// date is after the queue day (the midnight tick has not run yet), the day
// by hand is the clock's date.
func TestStartDayTrustedClock(t *testing.T) {
	v := newEnv(t, "2026-12-03 08:00:00")
	v.issue("dat-dai", false)
	seq := v.e.Seq()
	evs, err := v.e.StartDay()
	if !errors.Is(err, ErrDayBegun) || len(evs) != 0 {
		t.Fatalf("got %v, %v; want no events and ErrDayBegun", evs, err)
	}
	if got := Code(err); got != "day_already_begun" {
		t.Errorf("code: got %q, want day_already_begun", got)
	}
	if v.e.Seq() != seq || v.e.Day() != "2026-12-03" {
		t.Errorf("after the refusal: seq %d day %s, want %d 2026-12-03", v.e.Seq(), v.e.Day(), seq)
	}
	if got := v.issue("dat-dai", false); got.Number != "A002" || got.Day != "2026-12-03" || got.ID != "20261203-A002" {
		t.Errorf("next ticket: got %s %s %s, want 20261203-A002 of 2026-12-03", got.ID, got.Number, got.Day)
	}

	v.c.set("2026-12-04 00:00:05")
	evs, err = v.e.StartDay()
	if err != nil || len(evs) != 1 || evs[0].Day != "2026-12-04" {
		t.Fatalf("after midnight: got %+v, %v; want day.started 2026-12-04", evs, err)
	}
}
