package sdnotify_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"motcua/kiosk/sdnotify"
)

// listen opens a unixgram socket as systemd does and returns its path and
// a function that reads the next datagram.
func listen(t *testing.T) (string, func() string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notify.sock")
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	next := func() string {
		t.Helper()
		buf := make([]byte, 4096)
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, err := c.Read(buf)
		if err != nil {
			t.Fatalf("reading notification: %v", err)
		}
		return string(buf[:n])
	}
	return path, next
}

func TestMessages(t *testing.T) {
	path, next := listen(t)
	n, err := sdnotify.New(path)
	if err != nil {
		t.Fatal(err)
	}
	if !n.Enabled() {
		t.Fatal("notifier with a socket is disabled")
	}
	tests := []struct {
		name string
		send func() error
		want string
	}{
		{"ready", func() error { return n.Ready("") }, "READY=1"},
		{"ready with status", func() error { return n.Ready("serving\non :8080") }, "READY=1\nSTATUS=serving on :8080"},
		{"watchdog", n.Watchdog, "WATCHDOG=1"},
		{"stopping", n.Stopping, "STOPPING=1"},
		{"status", func() error { return n.Status("printer out of paper") }, "STATUS=printer out of paper"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.send(); err != nil {
				t.Fatal(err)
			}
			if got := next(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("reloading", func(t *testing.T) {
		if err := n.Reloading(); err != nil {
			t.Fatal(err)
		}
		got := next()
		if !strings.HasPrefix(got, "RELOADING=1\nMONOTONIC_USEC=") || len(got) <= len("RELOADING=1\nMONOTONIC_USEC=") {
			t.Errorf("got %q, want RELOADING=1 and MONOTONIC_USEC", got)
		}
	})
}

func TestAbstractSocket(t *testing.T) {
	name := "@motcua-test-" + filepath.Base(t.TempDir())
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	n, err := sdnotify.New(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Ready(""); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	k, err := c.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(buf[:k]); got != "READY=1" {
		t.Errorf("got %q, want READY=1", got)
	}
}

func TestDisabled(t *testing.T) {
	n, err := sdnotify.New("")
	if err != nil {
		t.Fatal(err)
	}
	var nilN *sdnotify.Notifier
	for _, n := range []*sdnotify.Notifier{n, nilN} {
		if n.Enabled() {
			t.Error("got enabled, want disabled")
		}
		if err := n.Ready(""); err != nil {
			t.Errorf("Ready: got %v, want nil", err)
		}
		if err := n.RunWatchdog(context.Background(), time.Second, nil); err != nil {
			t.Errorf("RunWatchdog: got %v, want nil", err)
		}
	}
	if _, err := sdnotify.New("vsock:2:1234"); !errors.Is(err, sdnotify.ErrSocket) {
		t.Errorf("vsock: got %v, want ErrSocket", err)
	}
}

func TestSendFailsWithoutListener(t *testing.T) {
	n, err := sdnotify.New(filepath.Join(t.TempDir(), "gone.sock"))
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Ready(""); err == nil {
		t.Error("got nil, want an error for a socket nobody listens on")
	}
}

func TestRunWatchdog(t *testing.T) {
	path, next := listen(t)
	n, err := sdnotify.New(path)
	if err != nil {
		t.Fatal(err)
	}
	// The first check fails: no keep-alive, the status says why. Later
	// checks pass: keep-alives flow.
	var calls atomic.Int32
	healthy := func() error {
		if calls.Add(1) == 1 {
			return errors.New("event log failed")
		}
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.RunWatchdog(ctx, time.Millisecond, healthy) }()
	if got, want := next(), "STATUS=unhealthy: event log failed"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	for i := 0; i < 3; i++ {
		if got := next(); got != "WATCHDOG=1" {
			t.Errorf("keep-alive %d: got %q, want WATCHDOG=1", i, got)
		}
	}
	if c := calls.Load(); c < 4 {
		t.Errorf("health checked %d times, want at least 4 (one per message)", c)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("RunWatchdog: got %v, want nil", err)
	}
}

func TestWatchdogInterval(t *testing.T) {
	tests := []struct {
		name      string
		usec, pid string
		want      time.Duration
		wantErr   bool
	}{
		{"off", "", "", 0, false},
		{"30s", "30000000", "", 30 * time.Second, false},
		{"for us", "30000000", "42", 30 * time.Second, false},
		{"for another process", "30000000", "7", 0, false},
		{"zero", "0", "", 0, true},
		{"not a number", "30s", "", 0, true},
		{"negative", "-5", "", 0, true},
		{"bad pid", "30000000", "x", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := sdnotify.WatchdogInterval(tt.usec, tt.pid, 42)
			if (err != nil) != tt.wantErr {
				t.Fatalf("got error %v, want error %v", err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, sdnotify.ErrWatchdog) {
				t.Errorf("got %v, want ErrWatchdog", err)
			}
			if got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func ExampleWatchdogInterval() {
	// In cmd/motcua: os.Getenv("WATCHDOG_USEC"), os.Getenv("WATCHDOG_PID"), os.Getpid().
	d, _ := sdnotify.WatchdogInterval("30000000", "", 1234)
	fmt.Println("timeout", d, "keep-alive every", d/2)
	// Output: timeout 30s keep-alive every 15s
}
