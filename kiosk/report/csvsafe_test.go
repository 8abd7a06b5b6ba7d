package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"motcua/clock/clocktest"
	"motcua/kiosk"
	"motcua/kiosk/config"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/queue"
	"motcua/kiosk/report"
)

// An officer named like a formula and pause reasons that start with the
// other formula characters must reach every CSV as text: each such cell
// starts with an apostrophe (OWASP's advice), and nothing else changes.
func TestCSVFormulaInjection(t *testing.T) {
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
	const officer = `=HYPERLINK("http://evil.example/x","Bấm")`
	steps := []func(e *queue.Engine) ([]queue.Event, error){
		func(e *queue.Engine) ([]queue.Event, error) { return e.Open(1, officer) },
		func(e *queue.Engine) ([]queue.Event, error) { return e.Issue("a", false) },
		func(e *queue.Engine) ([]queue.Event, error) { return e.Next(1) },
		func(e *queue.Engine) ([]queue.Event, error) { return e.Done(1) },
		func(e *queue.Engine) ([]queue.Event, error) { return e.Pause(1, "@SUM(1+1)") },
		func(e *queue.Engine) ([]queue.Event, error) { return e.Resume(1) },
		func(e *queue.Engine) ([]queue.Event, error) { return e.Close(1) },
		func(e *queue.Engine) ([]queue.Event, error) { return e.Open(2, "+cmd|' /C calc'!A0") },
		func(e *queue.Engine) ([]queue.Event, error) { return e.Pause(2, "-2+3") },
		func(e *queue.Engine) ([]queue.Event, error) { return e.Close(2) },
	}
	for i, step := range steps {
		clk.Add(time.Minute)
		if _, err := room.Do(step); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	rr := newReporter(t, dir, cfg, false)
	tests := []struct {
		by   report.Grouping
		want map[string]string // first cell of a row → a cell it must have
	}{
		{report.ByOfficer, map[string]string{
			"'" + officer:         "'@SUM(1+1)=60",
			"'+cmd|' /C calc'!A0": "'-2+3=60",
		}},
		{report.ByCounter, map[string]string{"1": "'@SUM(1+1)=60", "2": "'-2+3=60"}},
	}
	for _, tc := range tests {
		t.Run(string(tc.by), func(t *testing.T) {
			rep, err := rr.Report(context.Background(), report.Query{From: "2026-11-23", To: "2026-11-23", By: tc.by})
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := rep.Write(&buf, report.CSV); err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte("\xEF\xBB\xBF")))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			found := 0
			for _, rec := range recs[1:] {
				for _, cell := range rec {
					if cell != "" && strings.ContainsAny(cell[:1], "=+-@\t\r") {
						t.Errorf("cell %q starts with a formula character; row %q", cell, rec)
					}
				}
				want, ok := tc.want[rec[0]]
				if !ok {
					t.Errorf("unexpected row %q", rec)
					continue
				}
				found++
				if last := rec[len(rec)-1]; last != want {
					t.Errorf("paused_by_reason of %q: got %q, want %q", rec[0], last, want)
				}
			}
			if found != len(tc.want) {
				t.Errorf("got %d rows, want %d: %q", found, len(tc.want), recs)
			}
		})
	}
}
