package report_test

import (
	"context"
	"testing"
	"time"

	"motcua/clock/clocktest"
	"motcua/kiosk"
	"motcua/kiosk/config"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/queue"
	"motcua/kiosk/report"
)

// TestPriorityAndBookings counts priority tickets by category and the
// day's bookings by how they ended.
func TestPriorityAndBookings(t *testing.T) {
	cfg, err := config.Parse("test.toml", []byte(testTOML))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	log, err := eventlog.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	clk := clocktest.New(time.Date(2026, 11, 23, 7, 0, 0, 0, cfg.Location))
	room, err := kiosk.OpenRoom(context.Background(), cfg, log, clk)
	if err != nil {
		t.Fatal(err)
	}
	do := func(cmd func(e *queue.Engine) ([]queue.Event, error)) {
		t.Helper()
		clk.Add(time.Minute)
		if _, err := room.Do(cmd); err != nil {
			t.Fatal(err)
		}
	}
	svc := cfg.Services[0].ID
	for _, cat := range []string{"elderly", "elderly", "pregnant", ""} {
		do(func(e *queue.Engine) ([]queue.Event, error) { return e.IssueCategory(svc, cat == "", cat) })
	}
	do(func(e *queue.Engine) ([]queue.Event, error) { return e.Issue(svc, false) })
	for _, code := range []string{"B1", "B2", "B3", "B4"} {
		do(func(e *queue.Engine) ([]queue.Event, error) {
			evs, _, _, err := e.Book(queue.Appointment{Code: code, Service: svc, Date: "2026-11-23", From: "08:00", To: "08:30"})
			return evs, err
		})
	}
	do(func(e *queue.Engine) ([]queue.Event, error) { evs, _, _, err := e.CheckIn("B1"); return evs, err })
	do(func(e *queue.Engine) ([]queue.Event, error) { evs, _, err := e.Cancel("B2"); return evs, err })
	clk.Set(time.Date(2026, 11, 23, 9, 0, 0, 0, cfg.Location))
	if _, err := room.Do(func(e *queue.Engine) ([]queue.Event, error) { return e.Tick(), nil }); err != nil {
		t.Fatal(err)
	}
	rep, err := newReporter(t, dir, cfg, false).Report(context.Background(), report.Query{From: "2026-11-23", To: "2026-11-23", By: report.ByService})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, c := range rep.Priority {
		got[c.Code] = c.Issued
	}
	want := map[string]int{"elderly": 2, "pregnant": 1, "disabled": 0, "young_child": 0, "merit": 0, "": 1}
	for code, n := range want {
		if got[code] != n {
			t.Errorf("category %q: got %d, want %d (all: %+v)", code, got[code], n, rep.Priority)
		}
	}
	if len(rep.Priority) != len(want) {
		t.Errorf("got %d categories, want %d", len(rep.Priority), len(want))
	}
	if w := (report.Bookings{Booked: 4, CheckedIn: 1, Cancelled: 1, Expired: 2}); rep.Appointments != w {
		t.Errorf("bookings: got %+v, want %+v", rep.Appointments, w)
	}
}
