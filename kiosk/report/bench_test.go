package report_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"motcua/kiosk/config"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/report"
	"motcua/kiosk/report/gen"
)

// busyTOML is an office with 20 counters, four for each service, for the
// benchmark of about two million events a year.
func busyTOML() string {
	var b strings.Builder
	b.WriteString("[unit]\nid = \"busy\"\nname = \"Trung tâm phục vụ hành chính công\"\ntimezone = \"Asia/Ho_Chi_Minh\"\n\n[server]\nlisten = \"127.0.0.1:0\"\n")
	svcs := []string{"dat-dai", "tu-phap", "kinh-doanh", "xay-dung", "chung-thuc"}
	for i, s := range svcs {
		fmt.Fprintf(&b, "\n[[service]]\nid = %q\nname = %q\nprefix = %q\n", s, s, string(rune('A'+i)))
	}
	for c := range 20 {
		fmt.Fprintf(&b, "\n[[counter]]\nid = %d\nservices = [%q, %q]\n", c+1, svcs[c%5], svcs[(c+1)%5])
	}
	return b.String()
}

// generated writes a year (2025) into a new data directory.
func generated(b *testing.B, cfg *config.Config, perDay int) string {
	b.Helper()
	dir := b.TempDir()
	cfg.Server.DataDir = dir
	log, err := eventlog.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	n, err := gen.Generate(context.Background(), cfg, log, gen.Options{Seed: 1, From: "2025-01-01", Days: 365, TicketsPerDay: perDay})
	if cerr := log.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %d events (%d tickets a weekday) in %s", n, perDay, time.Since(start).Round(time.Millisecond))
	return dir
}

// peakHeap samples the live heap while fn runs and returns its peak
// above what was live before, in bytes.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	base := sample[0].Value.Uint64()
	stop, done := make(chan struct{}), make(chan uint64)
	go func() {
		var peak uint64
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-stop:
				done <- peak
				return
			case <-t.C:
			}
		}
	}()
	fn()
	close(stop)
	peak := <-done
	if peak < base {
		return 0
	}
	return peak - base
}

func benchRanges(b *testing.B, dir string, cfg *config.Config) {
	db, err := report.OpenLog(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ranges := []struct{ name, from, to string }{
		{"month", "2025-03-01", "2025-03-31"},
		{"6months", "2025-01-01", "2025-06-30"},
		{"year", "2025-01-01", "2025-12-31"},
	}
	cachePath := filepath.Join(dir, report.CacheFile)
	for _, warm := range []bool{false, true} {
		for _, rg := range ranges {
			name := rg.name + "/cold"
			if warm {
				name = rg.name + "/cached"
			}
			b.Run(name, func(b *testing.B) {
				q := report.Query{From: rg.from, To: rg.to, By: report.ByService}
				var peak uint64
				for b.Loop() {
					if !warm {
						b.StopTimer()
						for _, suffix := range []string{"", "-wal", "-shm"} {
							os.Remove(cachePath + suffix)
						}
						b.StartTimer()
					}
					cache, err := report.OpenCache(cachePath)
					if err != nil {
						b.Fatal(err)
					}
					var rep *report.Report
					p := peakHeap(func() {
						rep, err = report.New(db, cfg, cache).Report(context.Background(), q)
					})
					peak = max(peak, p)
					cache.Close()
					if err != nil {
						b.Fatal(err)
					}
					if rep.Total.Issued == 0 {
						b.Fatal("empty report")
					}
				}
				b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			})
		}
	}
}

// BenchmarkYear400 reports a year of the demo office at 400 tickets a
// weekday (about 430,000 events): cold (the cache of finished days is
// empty and filled on the way) and cached.
//
//	go test -run '^$' -bench Year400 -benchtime 3x ./kiosk/report/
func BenchmarkYear400(b *testing.B) {
	cfg := config.Demo()
	dir := generated(b, cfg, 400)
	benchRanges(b, dir, cfg)
}

// BenchmarkYear2M is the same with 20 counters and 1,800 tickets a
// weekday: about two million events.
//
//	go test -run '^$' -bench Year2M -benchtime 3x -timeout 30m ./kiosk/report/
func BenchmarkYear2M(b *testing.B) {
	cfg, err := config.Parse("busy.toml", []byte(busyTOML()))
	if err != nil {
		b.Fatal(err)
	}
	dir := generated(b, cfg, 1800)
	benchRanges(b, dir, cfg)
}
