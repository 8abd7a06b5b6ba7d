package daemon_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"motcua/clock"
	"motcua/kiosk/config"
	"motcua/kiosk/daemon"
)

const benchAdmin = "bench-admin-secret-0001"

// startDaemon runs a daemon of the demo office on a loopback port and
// returns its base URL and data directory.
func startDaemon(b *testing.B) (string, string) {
	b.Helper()
	cfg := config.Demo()
	cfg.Server.DataDir = b.TempDir()
	if err := cfg.AddToken(config.Token{Role: config.RoleAdmin, Secret: benchAdmin}); err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	d, err := daemon.New(context.Background(), daemon.Options{Config: cfg, Clock: clock.Trusted{}, Listener: ln})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	b.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			b.Errorf("daemon: %v", err)
		}
	})
	return "http://" + d.Addr(), cfg.Server.DataDir
}

func newClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
}

// post sends an admin request and checks the status.
func post(c *http.Client, url, body string, ok ...int) error {
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+benchAdmin)
	req.Header.Set("Content-Type", "application/json")
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return err
	}
	if !slices.Contains(ok, res.StatusCode) {
		return fmt.Errorf("POST %s: %s: %s", url, res.Status, data)
	}
	return nil
}

const issueBody = `{"service":"dat-dai"}`

func percentile(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// BenchmarkIssue is one client issuing tickets one after another over
// HTTP, each answer sent once the ticket is durable. In the same loop it
// writes and fsyncs a file of the event's size in the data directory, the
// least a durable write costs on this disk, and the same request for an
// unknown service, which the API answers without writing (HTTP, token,
// JSON and engine only). It reports the latencies and the ratio of the
// first two. ns/op covers all three.
func BenchmarkIssue(b *testing.B) {
	base, dir := startDaemon(b)
	c := newClient()
	url := base + "/api/v1/tickets"
	if err := post(c, url, issueBody, http.StatusCreated); err != nil { // day.started
		b.Fatal(err)
	}
	// Counter 1 calls a ticket after each issue, untimed, so that the line
	// stays as short as in an office (the engine's work grows with it).
	next := base + "/api/v1/counters/1/next"
	if err := post(c, base+"/api/v1/counters/1/open", `{"officer":"Bench"}`, http.StatusOK); err != nil {
		b.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "bare"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	buf := bytes.Repeat([]byte{'x'}, 380) // a ticket.issued event's JSON
	got := make([]time.Duration, 0, b.N)
	bare := make([]time.Duration, 0, b.N)
	dry := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		if err := post(c, url, issueBody, http.StatusCreated); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		b.StopTimer()
		if err := post(c, next, "", http.StatusOK); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t3 := time.Now()
		if err := post(c, url, `{"service":"nope"}`, http.StatusBadRequest); err != nil {
			b.Fatal(err)
		}
		dry = append(dry, time.Since(t3))
		t2 := time.Now()
		if _, err := f.Write(buf); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
		got = append(got, t1.Sub(t0))
		bare = append(bare, time.Since(t2))
	}
	b.StopTimer()
	p50, p99 := percentile(got, 0.50), percentile(got, 0.99)
	s50, s99 := percentile(bare, 0.50), percentile(bare, 0.99)
	b.ReportMetric(float64(p50.Microseconds()), "p50-µs")
	b.ReportMetric(float64(p99.Microseconds()), "p99-µs")
	b.ReportMetric(float64(s50.Microseconds()), "fsync-p50-µs")
	b.ReportMetric(float64(s99.Microseconds()), "fsync-p99-µs")
	b.ReportMetric(float64(percentile(dry, 0.50).Microseconds()), "nowrite-p50-µs")
	b.ReportMetric(float64(p50)/float64(s50), "ratio-p50")
	b.ReportMetric(float64(p99)/float64(s99), "ratio-p99")
}

// BenchmarkIssueParallel is several clients issuing tickets at once; it
// reports durable tickets per second.
func BenchmarkIssueParallel(b *testing.B) {
	base, _ := startDaemon(b)
	c := newClient()
	url := base + "/api/v1/tickets"
	if err := post(c, url, issueBody, http.StatusCreated); err != nil {
		b.Fatal(err)
	}
	b.SetParallelism(4) // 8 clients on 2 cores
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := post(c, url, issueBody, http.StatusCreated); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "tickets/s")
}

// BenchmarkOpsParallel is several clients at once, each alternating
// between issuing a ticket and calling the next one at its counter (which
// finishes the ticket served there): the day's two commonest commands.
// It reports durable operations per second.
func BenchmarkOpsParallel(b *testing.B) {
	base, _ := startDaemon(b)
	c := newClient()
	for id := 1; id <= 5; id++ {
		if err := post(c, fmt.Sprintf("%s/api/v1/counters/%d/open", base, id), `{"officer":"Bench"}`, http.StatusOK); err != nil {
			b.Fatal(err)
		}
	}
	// A service each counter of the demo office serves.
	services := map[int]string{1: "dat-dai", 2: "dat-dai", 3: "tu-phap-ho-tich", 4: "tu-phap-ho-tich", 5: "kinh-doanh"}
	var worker atomic.Int64
	b.SetParallelism(4)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		w := int(worker.Add(1))
		counter := w%5 + 1
		issue := fmt.Sprintf(`{"service":%q}`, services[counter])
		next := fmt.Sprintf("%s/api/v1/counters/%d/next", base, counter)
		for i := 0; pb.Next(); i++ {
			var err error
			if i%2 == 0 {
				err = post(c, base+"/api/v1/tickets", issue, http.StatusCreated)
			} else {
				err = post(c, next, "", http.StatusOK, http.StatusNoContent, http.StatusConflict)
			}
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "ops/s")
}
