package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"motcua/clock/clocktest"
	"motcua/kiosk"
	"motcua/kiosk/config"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/queue"
	"motcua/kiosk/report"
)

// dossierCode is the dossier code numbered n.
func dossierCode(n int) string {
	return "000.00.12.H56-261123-000" + string(rune('0'+n))
}

// TestDossierFigures writes two days of visits with dossiers and ratings
// through the real engine and log, and checks the dossier figures against
// hand arithmetic:
//
//	day 1: A001 (quầy 1, An) D1, rated 4; A002 (An) D1+D2, rated 1 "Chờ lâu";
//	       B001 (quầy 2, Bình) no dossier, rated 1; B002 (Bình) D3, rated 3;
//	       A003 (An) D4, no-show (not a visit)
//	day 2: A001 (An) D5, not rated; B001 (Bình) no dossier
//
// visits 4 + 2 = 6, linked 3 + 1 = 4: 4/6; day 1 3/4, day 2 1/2.
// D1: 2 ratings, mean (4+1)/2 = 2.5, 1 not satisfied; D2: 1, 1, 1; D3: 1, 3, 0.
// An: 2 ratings of linked visits, mean 2.5, 1; Bình: 1, 3, 0 (B001 had none).
// Not satisfied: A002's D1 and D2, score 1, "Chờ lâu".
func TestDossierFigures(t *testing.T) {
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
	clk := clocktest.New(time.Date(2026, 11, 23, 8, 0, 0, 0, cfg.Location))
	room, err := kiosk.OpenRoom(context.Background(), cfg, log, clk)
	if err != nil {
		t.Fatal(err)
	}
	act := func(a kiosk.Action) {
		t.Helper()
		clk.Add(time.Minute)
		if _, err := room.Act(a); err != nil {
			t.Fatalf("%+v: %v", a, err)
		}
	}
	issue := func(svc string) {
		t.Helper()
		if _, err := room.Do(func(e *queue.Engine) ([]queue.Event, error) { return e.Issue(svc, false) }); err != nil {
			t.Fatal(err)
		}
	}
	visit := func(counter int, dossiers []int, end string, score int, reason string) {
		t.Helper()
		act(kiosk.Action{Name: "next", Counter: counter})
		for _, d := range dossiers {
			act(kiosk.Action{Name: "dossier", Counter: counter, Dossier: dossierCode(d)})
		}
		act(kiosk.Action{Name: end, Counter: counter})
		if score > 0 {
			act(kiosk.Action{Name: "rating", Counter: counter, Score: score, Reason: reason})
		}
	}
	for _, s := range []string{"a", "a", "a", "b", "b"} {
		issue(s)
	}
	act(kiosk.Action{Name: "open", Counter: 1, Officer: "An"})
	act(kiosk.Action{Name: "open", Counter: 2, Officer: "Bình"})
	visit(1, []int{1}, "done", 4, "")
	visit(1, []int{1, 2}, "done", 1, "Chờ lâu")
	visit(2, nil, "done", 1, "")
	visit(2, []int{3}, "done", 3, "")
	visit(1, []int{4}, "skip", 0, "")

	clk.Set(time.Date(2026, 11, 24, 8, 0, 0, 0, cfg.Location))
	issue("a")
	issue("b")
	act(kiosk.Action{Name: "open", Counter: 1, Officer: "An"})
	act(kiosk.Action{Name: "open", Counter: 2, Officer: "Bình"})
	visit(1, []int{5}, "done", 0, "")
	visit(2, nil, "done", 0, "")

	rep, err := newReporter(t, dir, cfg, false).Report(context.Background(), report.Query{From: "2026-11-23", To: "2026-11-24", By: report.ByDay})
	if err != nil {
		t.Fatal(err)
	}
	d := rep.Dossiers
	if d.Visits != 6 || d.Linked != 4 || !near(d.LinkedShare, 4.0/6) {
		t.Errorf("linked: got %d of %d (%v), want 4 of 6", d.Linked, d.Visits, d.LinkedShare)
	}
	wantDays := []report.DossierDay{{Day: "2026-11-23", Visits: 4, Linked: 3, LinkedShare: 0.75}, {Day: "2026-11-24", Visits: 2, Linked: 1, LinkedShare: 0.5}}
	if !slices.Equal(d.Days, wantDays) {
		t.Errorf("days: got %+v, want %+v", d.Days, wantDays)
	}
	wantRatings := []report.DossierRating{{Code: dossierCode(1), Ratings: 2, Mean: 2.5, Dissatisfied: 1}, {Code: dossierCode(2), Ratings: 1, Mean: 1, Dissatisfied: 1}, {Code: dossierCode(3), Ratings: 1, Mean: 3}}
	if !slices.Equal(d.Ratings, wantRatings) {
		t.Errorf("per dossier: got %+v, want %+v", d.Ratings, wantRatings)
	}
	wantOfficers := []report.OfficerRating{{Officer: "An", Ratings: 2, Mean: 2.5, Dissatisfied: 1}, {Officer: "Bình", Ratings: 1, Mean: 3}}
	if !slices.Equal(d.Officers, wantOfficers) {
		t.Errorf("per officer: got %+v, want %+v", d.Officers, wantOfficers)
	}
	if len(d.Dissatisfied) != 2 {
		t.Fatalf("dissatisfied: got %+v, want A002's two dossiers", d.Dissatisfied)
	}
	for i, x := range d.Dissatisfied {
		if x.Code != dossierCode(i+1) || x.Number != "A002" || x.Counter != 1 || x.Officer != "An" || x.Score != 1 || x.Reason != "Chờ lâu" || x.Day != "2026-11-23" {
			t.Errorf("dissatisfied %d: got %+v", i, x)
		}
	}

	// The CSV of the ratings per dossier, the HTML section and the XLSX sheet.
	var buf bytes.Buffer
	if err := rep.WriteDossiersCSV(&buf); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"code", "ratings", "mean_score", "dissatisfied", "reasons"},
		{dossierCode(1), "2", "2.5", "1", "Chờ lâu"}, {dossierCode(2), "1", "1", "1", "Chờ lâu"}, {dossierCode(3), "1", "3", "0", ""}}
	if len(recs) != len(want) {
		t.Fatalf("csv: got %q, want %q", recs, want)
	}
	for i := range want {
		if !slices.Equal(recs[i], want[i]) {
			t.Errorf("csv line %d: got %q, want %q", i, recs[i], want[i])
		}
	}
	buf.Reset()
	if err := rep.WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	if h := buf.String(); !strings.Contains(h, "Lượt phục vụ có mã hồ sơ: 4 / 6 (66,7 %)") || !strings.Contains(h, "<td>"+dossierCode(2)+"</td><td>1</td><td>1</td><td>1</td>") {
		t.Errorf("html: the dossier section is missing or wrong")
	}
	buf.Reset()
	if err := rep.WriteXLSX(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(report.SheetDossiers)
	if err != nil || len(rows) < 6 || rows[0][0] != "Lượt phục vụ có mã hồ sơ: 4 / 6" || !slices.Equal(rows[2], []string{"2026-11-23", "4", "3", "0.75"}) {
		t.Errorf("xlsx sheet %s: got %q (%v)", report.SheetDossiers, rows, err)
	}
}
