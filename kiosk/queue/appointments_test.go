package queue

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"motcua/kiosk/config"
)

func apptConfig() *config.Config {
	cfg := testConfig()
	cfg.Appointments = config.Appointments{DaysAhead: 6, Grace: config.Duration(15 * time.Minute)}
	return cfg
}

func newApptEnv(t *testing.T, start string, cfg *config.Config) *env {
	c := newClock(start)
	return &env{t: t, e: New(cfg, c), c: c}
}

func (v *env) book(code, service, date, from, to, citizen string) error {
	v.t.Helper()
	evs, _, _, err := v.e.Book(Appointment{Code: code, Service: service, Date: date, From: from, To: to, Citizen: citizen})
	v.log = append(v.log, evs...)
	return err
}

func (v *env) checkIn(code string) (*Ticket, error) {
	v.t.Helper()
	evs, t, _, err := v.e.CheckIn(code)
	v.log = append(v.log, evs...)
	return t, err
}

// run plays a script of steps, one a line: "HH:MM:SS verb args...", on
// 2026-12-03, and returns what the next calls called, space-separated
// ("-" when none waited). Verbs: book CODE SERVICE FROM TO; checkin CODE;
// walk SERVICE; prio SERVICE; next COUNTER; transfer COUNTER SERVICE;
// tocounter COUNTER COUNTER; tick.
func (v *env) run(script string) string {
	v.t.Helper()
	var called []string
	for _, line := range strings.Split(strings.TrimSpace(script), "\n") {
		f := strings.Fields(line)
		v.c.set("2026-12-03 " + f[0])
		switch f[1] {
		case "book":
			if err := v.book(f[2], f[3], "2026-12-03", f[4], f[5], ""); err != nil {
				v.t.Fatalf("%s: %v", line, err)
			}
		case "checkin":
			if _, err := v.checkIn(f[2]); err != nil {
				v.t.Fatalf("%s: %v", line, err)
			}
		case "walk", "prio":
			v.issue(f[2], f[1] == "prio")
		case "next":
			id, _ := strconv.Atoi(f[2])
			n := v.next(id)
			if n == "" {
				n = "-"
			}
			called = append(called, n)
		case "transfer":
			id, _ := strconv.Atoi(f[2])
			v.must(v.e.Transfer(id, f[3], 0))
		case "tocounter":
			id, _ := strconv.Atoi(f[2])
			to, _ := strconv.Atoi(f[3])
			v.must(v.e.Transfer(id, "", to))
		case "tick":
			v.log = append(v.log, v.e.Tick()...)
		default:
			v.t.Fatalf("unknown step %q", line)
		}
	}
	return strings.Join(called, " ")
}

// TestOrderRule checks that a checked-in booking waits as if issued at
// its From time, for every counter, with priority tickets and transfers.
func TestOrderRule(t *testing.T) {
	tests := []struct {
		name   string
		ratio  int
		script string
		want   string
	}{{
		name: "between walk-ins before and after From",
		script: `
07:00:00 book HN1 dat-dai 08:00 08:30
07:50:00 walk dat-dai
08:05:00 walk dat-dai
08:10:00 checkin HN1
08:20:00 next 1
08:21:00 next 1
08:22:00 next 1`,
		want: "A001 A003 A002",
	}, {
		name: "early check-in waits from From, behind walk-ins before it",
		script: `
07:00:00 book HN1 dat-dai 08:00 08:30
07:40:00 checkin HN1
07:50:00 walk dat-dai
08:05:00 walk dat-dai
08:20:00 next 1
08:21:00 next 1
08:22:00 next 1`,
		want: "A002 A001 A003",
	}, {
		name: "tie with a walk-in issued at From: the walk-in came first",
		script: `
07:00:00 book HN1 dat-dai 08:00 08:30
08:00:00 walk dat-dai
08:10:00 checkin HN1
08:20:00 next 1
08:21:00 next 1`,
		want: "A001 A002",
	}, {
		name: "a counter with two services takes the booking of its second service first",
		script: `
07:00:00 book HN1 dat-dai 08:00 08:30
08:10:00 walk ho-tich
08:20:00 checkin HN1
08:25:00 next 2
08:26:00 next 2`,
		want: "A001 B001",
	}, {
		name: "each counter sees the same order",
		script: `
07:00:00 book HN1 dat-dai 08:00 08:30
07:00:00 book HN2 dat-dai 08:30 09:00
07:55:00 walk dat-dai
08:15:00 walk dat-dai
08:40:00 checkin HN2
08:41:00 checkin HN1
08:50:00 next 2
08:51:00 next 1
08:52:00 next 2
08:53:00 next 1
08:54:00 next 1`,
		want: "A001 A004 A002 A003 -",
	}, {
		name:  "priority first, the booking as the oldest normal ticket (ratio 1)",
		ratio: 1,
		script: `
07:00:00 book HN1 dat-dai 08:00 08:30
08:05:00 walk dat-dai
08:06:00 prio dat-dai
08:07:00 prio dat-dai
08:10:00 checkin HN1
08:20:00 next 1
08:21:00 next 1
08:22:00 next 1
08:23:00 next 1
08:24:00 next 1`,
		want: "A002 A004 A003 A001 -",
	}, {
		name:  "priority ratio 2",
		ratio: 2,
		script: `
07:00:00 book HN1 dat-dai 08:00 08:30
08:05:00 walk dat-dai
08:06:00 prio dat-dai
08:07:00 prio dat-dai
08:08:00 prio dat-dai
08:10:00 checkin HN1
08:20:00 next 1
08:21:00 next 1
08:22:00 next 1
08:23:00 next 1
08:24:00 next 1`,
		want: "A002 A003 A005 A004 A001",
	}, {
		name: "a transferred booking keeps its From place in the new service",
		script: `
07:00:00 book HN1 dat-dai 08:00 08:30
08:05:00 walk ho-tich
08:10:00 checkin HN1
08:15:00 next 1
08:16:00 transfer 1 ho-tich
08:17:00 walk ho-tich
08:20:00 next 2
08:21:00 next 2
08:22:00 next 2`,
		want: "A001 A001 B001 B002",
	}, {
		name: "a booking transferred to a counter keeps its place there",
		script: `
07:00:00 book HN1 dat-dai 08:00 08:30
08:10:00 checkin HN1
08:12:00 walk ho-tich
08:15:00 next 1
08:16:00 tocounter 1 2
08:20:00 next 2
08:21:00 next 2`,
		want: "A001 A001 B001",
	}, {
		name: "checked in late within the grace, still from From",
		script: `
07:00:00 book HN1 dat-dai 08:00 08:30
08:01:00 walk dat-dai
08:20:00 walk dat-dai
08:44:59 checkin HN1
08:50:00 next 1
08:51:00 next 1
08:52:00 next 1`,
		want: "A003 A001 A002",
	}, {
		name: "an expired booking never gets in line",
		script: `
07:00:00 book HN1 dat-dai 08:00 08:30
08:01:00 walk dat-dai
08:45:01 tick
08:50:00 next 1
08:51:00 next 1`,
		want: "A001 -",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := apptConfig()
			if tt.ratio > 0 {
				cfg.Queue.PriorityRatio = tt.ratio
			}
			v := newApptEnv(t, "2026-12-03 06:00:00", cfg)
			v.open(1, 2)
			if got := v.run(tt.script); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
			// The order holds after a replay too.
			r := replay(t, cfg, v.log)
			want, _ := json.Marshal(v.e.State())
			got, _ := json.Marshal(r.State())
			if string(got) != string(want) {
				t.Errorf("replayed state differs:\n got %s\nwant %s", got, want)
			}
		})
	}
}

func replay(t *testing.T, cfg *config.Config, log []Event) *Engine {
	t.Helper()
	r := New(cfg, newClock("2000-01-01 00:00:00"))
	for i, ev := range log {
		b, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		var back Event
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if err := r.Apply(back); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
	}
	return r
}

func TestGraceExpiry(t *testing.T) {
	tests := []struct {
		at      string
		want    error
		expired bool // an appointment.expired event was written
	}{
		{"08:44:59", nil, false},
		{"08:45:00", nil, false},
		{"08:45:01", ErrExpired, true},
		{"11:00:00", ErrExpired, true},
	}
	for _, tt := range tests {
		t.Run(tt.at, func(t *testing.T) {
			v := newApptEnv(t, "2026-12-03 07:00:00", apptConfig())
			if err := v.book("HN1", "dat-dai", "2026-12-03", "08:00", "08:30", ""); err != nil {
				t.Fatal(err)
			}
			v.c.set("2026-12-03 " + tt.at)
			n := len(v.log)
			_, err := v.checkIn("HN1")
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			expired := slices.ContainsFunc(v.log[n:], func(ev Event) bool { return ev.Name == AppointmentExpired })
			if expired != tt.expired {
				t.Errorf("expired event: got %v, want %v", expired, tt.expired)
			}
			a, _ := v.e.Appointment("HN1")
			if tt.expired && a.Status != Expired {
				t.Errorf("status: got %s, want %s", a.Status, Expired)
			}
			// A second try gives the same answer and no second event.
			n = len(v.log)
			if _, err2 := v.checkIn("HN1"); !errors.Is(err2, tt.want) && tt.want != nil {
				t.Errorf("again: got %v, want %v", err2, tt.want)
			}
			if slices.ContainsFunc(v.log[n:], func(ev Event) bool { return ev.Name == AppointmentExpired }) {
				t.Errorf("expired twice")
			}
		})
	}
}

func TestTickExpiresOnlyOnASyncedClock(t *testing.T) {
	v := newApptEnv(t, "2026-12-03 07:00:00", apptConfig())
	for i, from := range []string{"08:00", "09:00", "08:30"} {
		to, _ := config.ClockTime(from)
		end := fmt.Sprintf("%02d:%02d", int((to+30*time.Minute)/time.Hour), int((to+30*time.Minute)%time.Hour/time.Minute))
		if err := v.book(fmt.Sprint("HN", i), "dat-dai", "2026-12-03", from, end, ""); err != nil {
			t.Fatal(err)
		}
	}
	v.c.set("2026-12-03 09:30:00")
	v.c.SetSynced(false)
	if evs := v.e.Tick(); len(evs) != 0 {
		t.Errorf("unsynced tick: got %d events, want none", len(evs))
	}
	v.c.SetSynced(true)
	var got []string
	for _, ev := range v.e.Tick() {
		if ev.Name != AppointmentExpired {
			t.Errorf("got %s, want %s", ev.Name, AppointmentExpired)
			continue
		}
		got = append(got, ev.Appointment.Code)
	}
	if want := []string{"HN0", "HN2"}; !slices.Equal(got, want) {
		t.Errorf("expired: got %v, want %v (by deadline)", got, want)
	}
	if evs := v.e.Tick(); len(evs) != 0 {
		t.Errorf("second tick: got %d events, want none", len(evs))
	}
}

func TestBookingRules(t *testing.T) {
	cfg := apptConfig()
	cfg.Appointments.PerPersonDay = 2
	cfg.Appointments.PerPersonService = 1
	cfg.Appointments.PerServiceDay = 3
	cfg.Appointments.Hours = []config.Hours{
		{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Open: []string{"07:30-11:30", "13:30-17:00"}},
		{Days: []string{"sat"}, Open: []string{"07:30-11:30"}},
	}
	v := newApptEnv(t, "2026-12-03 07:00:00", cfg) // a Thursday
	tests := []struct {
		name                                   string
		code, service, date, from, to, citizen string
		want                                   error
	}{
		{"first", "HN-1", "dat-dai", "2026-12-03", "08:00", "08:30", "p1", nil},
		{"same content again", "hn-1", "dat-dai", "2026-12-03", "08:00", "08:30", "p1", nil},
		{"same code other time", "HN-1", "dat-dai", "2026-12-03", "08:30", "09:00", "p1", ErrDuplicate},
		{"same person same service", "HN-2", "dat-dai", "2026-12-03", "09:00", "09:30", "p1", ErrLimitReached},
		{"same person other service", "HN-3", "ho-tich", "2026-12-03", "09:00", "09:30", "p1", nil},
		{"same person third of the day", "HN-4", "chung-thuc", "2026-12-03", "09:00", "09:30", "p1", ErrLimitReached},
		{"same person other day", "HN-5", "dat-dai", "2026-12-04", "09:00", "09:30", "p1", nil},
		{"no citizen key", "HN-6", "dat-dai", "2026-12-03", "10:00", "10:30", "", nil},
		{"service full", "HN-7", "dat-dai", "2026-12-03", "10:00", "10:30", "p2", nil},
		{"service full 4th", "HN-8", "dat-dai", "2026-12-03", "10:30", "11:00", "p3", ErrLimitReached},
		{"yesterday", "HN-9", "dat-dai", "2026-12-02", "08:00", "08:30", "", ErrNotBookable},
		{"today, over", "HN-10", "dat-dai", "2026-12-03", "06:00", "07:00", "", ErrNotBookable},
		{"last bookable day", "HN-11", "dat-dai", "2026-12-09", "08:00", "08:30", "", nil},
		{"one day too far", "HN-12", "dat-dai", "2026-12-10", "08:00", "08:30", "", ErrNotBookable},
		{"lunch", "HN-13", "dat-dai", "2026-12-04", "11:00", "14:00", "", ErrOutsideHours},
		{"saturday afternoon", "HN-14", "dat-dai", "2026-12-05", "13:30", "14:00", "", ErrOutsideHours},
		{"saturday morning", "HN-15", "dat-dai", "2026-12-05", "08:00", "08:30", "", nil},
		{"sunday", "HN-16", "dat-dai", "2026-12-06", "08:00", "08:30", "", ErrOutsideHours},
		{"unknown service", "HN-17", "xay-dung", "2026-12-04", "08:00", "08:30", "", ErrUnknownService},
		{"bad code", "HN 18", "dat-dai", "2026-12-04", "08:00", "08:30", "", ErrBadAppointment},
		{"bad date", "HN-19", "dat-dai", "2026-12-32", "08:00", "08:30", "", ErrBadAppointment},
		{"to before from", "HN-20", "dat-dai", "2026-12-04", "08:30", "08:00", "", ErrBadAppointment},
		{"bad time", "HN-21", "dat-dai", "2026-12-04", "8:00", "08:30", "", ErrBadAppointment},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := len(v.log)
			err := v.book(tt.code, tt.service, tt.date, tt.from, tt.to, tt.citizen)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			booked := slices.ContainsFunc(v.log[n:], func(ev Event) bool { return ev.Name == AppointmentBooked })
			if wantBooked := tt.want == nil && tt.name != "same content again"; booked != wantBooked {
				t.Errorf("appointment.booked: got %v, want %v", booked, wantBooked)
			}
		})
	}
	// Cancelling frees the person's place for that service.
	if _, _, err := v.e.Cancel("HN-1"); err != nil {
		t.Fatal(err)
	}
	if err := v.book("HN-2", "dat-dai", "2026-12-03", "09:00", "09:30", "p1"); err != nil {
		t.Errorf("after cancelling: %v", err)
	}
}

func TestCancelAndCheckInStates(t *testing.T) {
	v := newApptEnv(t, "2026-12-03 07:00:00", apptConfig())
	for _, code := range []string{"C1", "C2", "C3"} {
		if err := v.book(code, "dat-dai", "2026-12-03", "08:00", "08:30", ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := v.book("T1", "dat-dai", "2026-12-04", "08:00", "08:30", ""); err != nil {
		t.Fatal(err)
	}
	evs, a, err := v.e.Cancel("C1")
	v.log = append(v.log, evs...)
	if err != nil || a.Status != Cancelled || len(evs) != 1 || evs[0].Name != AppointmentCancelled {
		t.Fatalf("cancel: got %v %v %v", evs, a, err)
	}
	if evs, a, err := v.e.Cancel("c1"); err != nil || a.Status != Cancelled || len(evs) != 0 {
		t.Errorf("cancel again: got %d events, %v, %v; want none, cancelled, nil", len(evs), a, err)
	}
	first, err := v.checkIn("C2")
	if err != nil || first.Appointment != "C2" || first.Number != "A001" {
		t.Fatalf("check-in: got %+v, %v", first, err)
	}
	evs, again, created, err := v.e.CheckIn("C2")
	if err != nil || created || len(evs) != 0 || again.ID != first.ID {
		t.Errorf("second check-in: got %v created=%v events=%d err=%v; want the same ticket, no event", again, created, len(evs), err)
	}
	if _, _, err := v.e.Cancel("C2"); !errors.Is(err, ErrCheckedIn) {
		t.Errorf("cancel after check-in: got %v, want %v", err, ErrCheckedIn)
	}
	tests := []struct {
		code string
		want error
	}{
		{"C1", ErrCancelled},
		{"T1", ErrNotToday},
		{"NOPE", ErrUnknownAppointment},
	}
	for _, tt := range tests {
		if _, err := v.checkIn(tt.code); !errors.Is(err, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.code, err, tt.want)
		}
	}
	if _, _, err := v.e.Cancel("NOPE"); !errors.Is(err, ErrUnknownAppointment) {
		t.Errorf("cancel unknown: got %v", err)
	}
	// The ticket's events carry the code.
	v.open(1)
	for _, ev := range v.must(v.e.Next(1)) {
		if ev.Name == TicketCalled && ev.Ticket.Appointment != "C2" {
			t.Errorf("ticket.called: appointment %q, want C2", ev.Ticket.Appointment)
		}
	}
	a, _ = v.e.Appointment("C2")
	if a.Status != CheckedIn || a.Ticket == nil || *a.Ticket != first.ID || a.Number != "A001" {
		t.Errorf("checked-in booking: got %+v", a)
	}
}

// TestBookingsSurviveTheDay checks that bookings of later days are
// carried in day.started: the log from the last day.started alone (what
// a restart replays) rebuilds them, and the old day's bookings expire.
func TestBookingsSurviveTheDay(t *testing.T) {
	cfg := apptConfig()
	v := newApptEnv(t, "2026-12-03 07:00:00", cfg)
	v.must(nil, v.book("OLD", "dat-dai", "2026-12-03", "16:00", "16:30", "p"))
	v.must(nil, v.book("NEXT", "dat-dai", "2026-12-04", "08:00", "08:30", "p"))
	v.must(nil, v.book("LATER", "ho-tich", "2026-12-08", "08:00", "08:30", "p"))
	v.c.set("2026-12-04 07:00:00")
	evs := v.e.Tick()
	v.log = append(v.log, evs...)
	if len(evs) != 2 || evs[0].Name != AppointmentExpired || evs[0].Appointment.Code != "OLD" || evs[0].Day != "2026-12-03" ||
		evs[1].Name != DayStarted || len(evs[1].Appointments) != 2 {
		t.Fatalf("day turn: got %+v", evs)
	}
	start := slices.IndexFunc(v.log, func(ev Event) bool { return ev.Name == DayStarted && ev.Day == "2026-12-04" })
	r := New(cfg, newClock("2026-12-04 07:00:00"))
	r.Rebase(v.log[start].Seq - 1)
	for _, ev := range v.log[start:] {
		if err := r.Apply(ev); err != nil {
			t.Fatal(err)
		}
	}
	v2 := &env{t: t, e: r, c: v.c}
	if _, err := v2.checkIn("NEXT"); err != nil {
		t.Errorf("check-in after restart: %v", err)
	}
	if got := r.Appointments("2026-12-08"); len(got) != 1 || got[0].Code != "LATER" {
		t.Errorf("later booking after restart: got %v", got)
	}
	// The person's limit is still counted.
	r.cfg.Appointments.PerPersonDay = 1
	if _, _, _, err := r.Book(Appointment{Code: "X", Service: "dat-dai", Date: "2026-12-08", From: "09:00", To: "09:30", Citizen: "p"}); !errors.Is(err, ErrLimitReached) {
		t.Errorf("limit after restart: got %v, want %v", err, ErrLimitReached)
	}
	if _, ok := r.Appointment("OLD"); ok {
		t.Errorf("yesterday's booking is still kept")
	}
}

// TestReplayWithBookings mixes bookings, check-ins, cancellations and
// expiries into random queue traffic and checks the replay, that no
// booking is checked in twice and no number is given twice.
func TestReplayWithBookings(t *testing.T) {
	cfg := apptConfig()
	v := newApptEnv(t, "2026-12-03 07:00:00", cfg)
	v.open(1, 2, 3)
	rng := rand.New(rand.NewPCG(3, 9))
	services := []string{"dat-dai", "ho-tich", "chung-thuc"}
	var codes []string
	for i := range 400 {
		h := 7 + rng.IntN(9)
		code := fmt.Sprintf("B%03d", i)
		if err := v.book(code, services[rng.IntN(3)], "2026-12-03", fmt.Sprintf("%02d:00", h), fmt.Sprintf("%02d:30", h), ""); err == nil {
			codes = append(codes, code)
		}
	}
	for range 3000 {
		v.c.add(time.Duration(rng.IntN(20)) * time.Second)
		id := 1 + rng.IntN(3)
		switch rng.IntN(12) {
		case 0, 1, 2:
			v.do(v.e.Issue(services[rng.IntN(3)], rng.IntN(5) == 0))
		case 3, 4:
			v.checkIn(codes[rng.IntN(len(codes))])
		case 5:
			evs, _, err := v.e.Cancel(codes[rng.IntN(len(codes))])
			v.do(evs, err)
		case 6, 7:
			v.do(v.e.Next(id))
		case 8:
			v.do(v.e.Done(id))
		case 9:
			v.do(v.e.Transfer(id, services[rng.IntN(3)], 0))
		case 10:
			v.log = append(v.log, v.e.Tick()...)
		case 11:
			v.do(v.e.Transfer(id, "", 1+rng.IntN(3)))
		}
	}
	r := replay(t, cfg, v.log)
	want, _ := json.Marshal(v.e.State())
	got, _ := json.Marshal(r.State())
	if string(got) != string(want) {
		t.Errorf("replayed state differs")
	}
	wantA, _ := json.Marshal(v.e.Appointments("2026-12-03"))
	gotA, _ := json.Marshal(r.Appointments("2026-12-03"))
	if string(gotA) != string(wantA) {
		t.Errorf("replayed bookings differ")
	}
	numbers, checkins := map[string]bool{}, map[string]bool{}
	for _, ev := range v.log {
		if ev.Name != TicketIssued {
			continue
		}
		if numbers[ev.Ticket.Number] {
			t.Errorf("number %s given twice", ev.Ticket.Number)
		}
		numbers[ev.Ticket.Number] = true
		if a := ev.Ticket.Appointment; a != "" {
			if checkins[a] {
				t.Errorf("booking %s checked in twice", a)
			}
			checkins[a] = true
		}
	}
	if len(checkins) == 0 {
		t.Errorf("no booking was checked in; the test tests nothing")
	}
}

// TestCarryIsBounded fills the engine with bookings until it refuses: the
// day.started that carries them stays under the uplink's message limit.
func TestCarryIsBounded(t *testing.T) {
	v := newApptEnv(t, "2026-12-03 07:00:00", apptConfig())
	key := strings.Repeat("k", 64)
	n := 0
	for ; ; n++ {
		day := fmt.Sprintf("2026-12-%02d", 4+n%6)
		from := 7*60 + n%600
		_, _, _, err := v.e.Book(Appointment{Code: fmt.Sprintf("CARRY-%06d", n), Service: "dat-dai", Date: day,
			From: fmt.Sprintf("%02d:%02d", from/60, from%60), To: fmt.Sprintf("%02d:%02d", from/60+1, from%60), Citizen: key})
		if errors.Is(err, ErrLimitReached) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if n > 100000 {
			t.Fatal("no bound")
		}
	}
	v.c.set("2026-12-04 06:00:00")
	evs := v.e.Tick()
	b, err := json.Marshal(evs[len(evs)-1])
	if err != nil {
		t.Fatal(err)
	}
	if evs[len(evs)-1].Name != DayStarted || len(evs[len(evs)-1].Appointments) != n || len(b) > 4<<20 {
		t.Errorf("day.started: %d bookings, %d bytes; want %d bookings under 4 MiB", len(evs[len(evs)-1].Appointments), len(b), n)
	}
	t.Logf("%d bookings held, day.started of %d bytes", n, len(b))
}
