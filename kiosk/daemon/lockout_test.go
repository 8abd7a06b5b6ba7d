package daemon_test

import (
	"context"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"motcua/clock"
	"motcua/internal/attack"
	"motcua/kiosk/config"
	"motcua/kiosk/daemon"
)

const lockoutKiosk = "lockout-kiosk-secret-01"

// TestMain lets the attack run in a child process (internal/attack).
func TestMain(m *testing.M) {
	if attack.Main() {
		return
	}
	os.Exit(m.Run())
}

// runDaemon runs a daemon of the demo office with a kiosk token on a
// loopback port until the test ends.
func runDaemon(t testing.TB, edit func(*config.Config)) *daemon.Daemon {
	t.Helper()
	cfg := config.Demo()
	cfg.Server.DataDir = t.TempDir()
	if err := cfg.AddToken(config.Token{Role: config.RoleKiosk, Secret: lockoutKiosk}); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(cfg)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d, err := daemon.New(context.Background(), daemon.Options{Config: cfg, Clock: clock.Trusted{}, Listener: ln})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("daemon: %v", err)
		}
	})
	return d
}

// issueWithin issues a ticket as the kiosk on a new connection from
// 127.0.0.1 and fails the test unless it is answered within limit.
func issueWithin(t *testing.T, base string, limit time.Duration) time.Duration {
	t.Helper()
	client := &http.Client{Timeout: limit, Transport: &http.Transport{DisableKeepAlives: true}}
	req, err := http.NewRequest("POST", base+"/api/v1/tickets", strings.NewReader(`{"service":"dat-dai"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+lockoutKiosk)
	start := time.Now()
	resp, err := client.Do(req)
	took := time.Since(start)
	if err != nil {
		t.Fatalf("kiosk ticket under attack: %v after %v", err, took.Round(time.Millisecond))
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("kiosk ticket under attack: got %d, want 201", resp.StatusCode)
	}
	return took
}

// Issue 13, part 1: 2,000 connections held from another address, each
// after one GET /healthz, no longer lock the kiosk out. The 1 s bound is a
// correctness bound (the old daemon made the kiosk wait until the
// attacker stopped), generous for a loaded machine.
func TestLockoutWithoutToken(t *testing.T) {
	d := runDaemon(t, nil)
	base := "http://" + d.Addr()
	f := &attack.Flood{Target: d.Addr(), From: "127.0.0.2", Conns: 2000, Dials: 100_000,
		Request: "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"}
	child, err := attack.Start(f, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if !child.WaitMade(2000) {
		r, err := child.Stop()
		t.Fatalf("the attack ended before 2,000 connections: %+v %v", r, err)
	}
	// What the daemon holds for the attacker, sampled through the attack:
	// the attacker's own count lags, as it sees a close only when its read
	// ends, while the daemon already admitted the next connection.
	var maxAnon atomic.Int64
	sampled := make(chan struct{})
	stopSampling := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			if n := int64(daemon.ConnStats(d).Anonymous); n > maxAnon.Load() {
				maxAnon.Store(n)
			}
			select {
			case <-stopSampling:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	// Tickets through a few seconds of the attack, each on a new
	// connection.
	var worst time.Duration
	for range 10 {
		time.Sleep(200 * time.Millisecond)
		took := issueWithin(t, base, time.Second)
		t.Logf("ticket in %v", took.Round(time.Millisecond))
		worst = max(worst, took)
	}
	close(stopSampling)
	<-sampled
	r, err := child.Stop()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("attack: %d connections made, %d answered, at most %d held (the daemon held at most %d without a token); kiosk's slowest ticket %v",
		r.Dials, r.Answered, r.MaxHeld, maxAnon.Load(), worst.Round(time.Millisecond))
	if m := metricsText(t, d, "motcua_connections_refused_total"); !strings.Contains(m, `motcua_connections_refused_total{reason="per_address"}`) ||
		strings.Contains(m, `{reason="per_address"} 0`) {
		t.Errorf("metrics do not show the refused connections:\n%s", m)
	}
	// The cap, plus the kiosk's own connection before its token is read.
	if capped := int64(d.Room.Config().Server.MaxConnectionsPerAddress); maxAnon.Load() > capped+1 || capped == 0 {
		t.Errorf("the daemon held %d connections without a token, want at most the per-address cap %d and the kiosk's", maxAnon.Load(), capped)
	}
}

// Connections from several addresses that fill every place: the places
// kept in reserve, and room made by closing the oldest connection without
// a token, still let the kiosk in.
func TestLockoutFromManyAddresses(t *testing.T) {
	d := runDaemon(t, func(c *config.Config) { c.Server.MaxConnections = 100; c.Server.MaxConnectionsPerAddress = 40 })
	var children []*attack.Child
	for _, from := range []string{"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"} {
		child, err := attack.Start(&attack.Flood{Target: d.Addr(), From: from, Conns: 40, Dials: 20_000,
			Request: "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"}, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		children = append(children, child)
	}
	for _, c := range children {
		c.WaitMade(200)
	}
	var worst time.Duration
	for range 10 {
		time.Sleep(100 * time.Millisecond)
		worst = max(worst, issueWithin(t, "http://"+d.Addr(), time.Second))
	}
	var held int64
	for _, c := range children {
		r, err := c.Stop()
		if err != nil {
			t.Fatal(err)
		}
		held += r.MaxHeld
	}
	t.Logf("4 attackers held up to %d connections in all; the kiosk's slowest ticket %v", held, worst.Round(time.Millisecond))
	if held < 100 {
		t.Errorf("the attackers held at most %d connections in all, want them to have filled the 100 places", held)
	}
}

// BenchmarkTicketUnderFlood: one kiosk ticket, each on a new connection
// from 127.0.0.1, on a quiet daemon and while an attacker process holds
// 2,000 connections from 127.0.0.2 (re-dialling each one the daemon
// closes). Reports p50 and p99 in ms.
func BenchmarkTicketUnderFlood(b *testing.B) {
	for _, flood := range []bool{false, true} {
		name := "quiet"
		if flood {
			name = "flood-2000"
		}
		b.Run(name, func(b *testing.B) {
			d := runDaemon(b, func(c *config.Config) { c.Server.TicketRate, c.Server.TicketBurst = 1e9, 1e9 })
			if flood {
				child, err := attack.Start(&attack.Flood{Target: d.Addr(), From: "127.0.0.2", Conns: 2000, Dials: attack.MaxDials,
					Request: "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"}, attack.MaxDuration)
				if err != nil {
					b.Fatal(err)
				}
				defer child.Stop() //nolint:errcheck // the figures are the point
				child.WaitMade(2000)
			}
			client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				req, _ := http.NewRequest("POST", "http://"+d.Addr()+"/api/v1/tickets", strings.NewReader(`{"service":"dat-dai"}`))
				req.Header.Set("Authorization", "Bearer "+lockoutKiosk)
				start := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
				lat = append(lat, time.Since(start))
				if resp.StatusCode != http.StatusCreated {
					b.Fatalf("got %d", resp.StatusCode)
				}
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
