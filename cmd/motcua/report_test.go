package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"motcua/clock/clocktest"
	"motcua/kiosk"
	"motcua/kiosk/config"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/queue"
)

// TestReportCommand runs "motcua report" beside a daemon's open (and
// locked) event log: one ticket of service a waits 4 min and is served in
// 6 min on 2026-11-23.
func TestReportCommand(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "motcua.toml")
	toml := `[unit]
id = "thu"
name = "Thử"
timezone = "Asia/Ho_Chi_Minh"
[server]
data_dir = "` + filepath.Join(dir, "data") + `"
[[service]]
id = "a"
name = "Đất đai"
prefix = "A"
[[counter]]
id = 1
services = ["a"]
`
	if err := os.WriteFile(cfgPath, []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	log, err := eventlog.Open(cfg.Server.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	clk := clocktest.New(time.Time{})
	room, err := kiosk.OpenRoom(context.Background(), cfg, log, clk)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		hm  string
		cmd func(*queue.Engine) ([]queue.Event, error)
	}{
		{"2026-11-23 08:00", func(e *queue.Engine) ([]queue.Event, error) { return e.Open(1, "An") }},
		{"2026-11-23 08:01", func(e *queue.Engine) ([]queue.Event, error) { return e.Issue("a", false) }},
		{"2026-11-23 08:05", func(e *queue.Engine) ([]queue.Event, error) { return e.Next(1) }},
		{"2026-11-23 08:11", func(e *queue.Engine) ([]queue.Event, error) { return e.Done(1) }},
		{"2026-11-24 07:00", func(e *queue.Engine) ([]queue.Event, error) { return e.Tick(), nil }},
	} {
		at, _ := time.ParseInLocation("2006-01-02 15:04", step.hm, cfg.Location)
		clk.Set(at)
		if _, err := room.Do(step.cmd); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "r.csv")
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"report", "-config", cfgPath, "-from", "2026-11-23", "-to", "2026-11-24", "-by", "service", "-format", "csv", "-o", out}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || strings.Join(recs[1], ",") != "a,Đất đai,1,1,0,0,240,240,240,360,1,0," {
		t.Errorf("got %q", recs)
	}
	if _, err := os.Stat(filepath.Join(cfg.Server.DataDir, "reports.db")); err != nil {
		t.Errorf("no cache: %v", err)
	}

	stderr.Reset()
	if code := Main(context.Background(), []string{"report", "-config", cfgPath, "-by", "week"}, &stdout, &stderr); code != 2 {
		t.Errorf("-by week: exit %d, want 2", code)
	}
	if !strings.Contains(stderr.String(), "by is one of day, month, service, counter, officer") {
		t.Errorf("-by week: stderr %q", stderr.String())
	}
}
