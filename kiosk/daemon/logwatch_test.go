package daemon_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"motcua/clock"
	"motcua/kiosk"
	"motcua/kiosk/config"
	"motcua/kiosk/daemon"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/queue"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// deviceStatus waits until device has status want in the room, looking
// again after each commit (a status change is a device.status event), for
// at most 30 s.
func deviceStatus(t *testing.T, d *daemon.Daemon, device, want string) queue.Device {
	t.Helper()
	committed := make(chan struct{}, 1)
	d.Subscribe(func([]eventlog.Record) {
		select {
		case committed <- struct{}{}:
		default:
		}
	})
	timeout := time.After(30 * time.Second)
	for {
		st, err := kiosk.View(d.Room, (*queue.Engine).State)
		if err != nil {
			t.Fatal(err)
		}
		for _, dev := range st.Devices {
			if dev.Name == device && dev.Status == want {
				return dev
			}
		}
		select {
		case <-committed:
		case <-timeout:
			t.Fatalf("device %s: not %s after 30 s: %+v", device, want, st.Devices)
		}
	}
}

// When the day's events pass server.log_alarm_mb, the device "eventlog"
// turns warning, the log says so and /metrics has the size; a daemon
// started again the same day counts what the log already holds.
func TestDayLogAlarm(t *testing.T) {
	dir := t.TempDir()
	var logs lockedBuffer
	start := func() (*daemon.Daemon, func()) {
		cfg := config.Demo()
		cfg.Server.DataDir = dir
		cfg.Server.LogAlarmMB = 1
		ctx, cancel := context.WithCancel(context.Background())
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		d, err := daemon.New(ctx, daemon.Options{Config: cfg, Clock: clock.Trusted{}, Listener: ln,
			Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- d.Run(ctx) }()
		return d, func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("daemon: %v", err)
			}
		}
	}
	d, stop := start()
	// 3,000 tickets at once (~1.25 MB of events), as a flood would.
	service := d.Room.Config().Services[0].ID
	if _, err := d.Room.Do(func(e *queue.Engine) ([]queue.Event, error) {
		var evs []queue.Event
		for range 3000 {
			ev, err := e.Issue(service, false)
			if err != nil {
				return evs, err
			}
			evs = append(evs, ev...)
		}
		return evs, nil
	}); err != nil {
		t.Fatal(err)
	}
	dev := deviceStatus(t, d, "eventlog", queue.DeviceWarning)
	if !strings.Contains(dev.Detail, "log_alarm_mb = 1") {
		t.Errorf("detail: got %q", dev.Detail)
	}
	if !strings.Contains(logs.String(), "the day's event log grows abnormally") {
		t.Errorf("no log line:\n%s", logs.String())
	}
	if m := metricsText(t, d, "motcua_eventlog"); !strings.Contains(m, "motcua_eventlog_day_bytes 1.") {
		t.Errorf("metrics lack the day's size over 1 MB:\n%s", m)
	}
	stop()

	// Started again the same day, it counts what the log holds.
	d, stop = start()
	defer stop()
	if m := metricsText(t, d, "motcua_eventlog"); !strings.Contains(m, "motcua_eventlog_day_bytes 1.") {
		t.Errorf("after a restart, metrics lack the day's size over 1 MB:\n%s", m)
	}
}

// metricsText returns the lines of /metrics that start with prefix.
func metricsText(t *testing.T, d *daemon.Daemon, prefix string) string {
	t.Helper()
	resp, err := http.Get("http://" + d.Addr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var lines []string
	for _, l := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(l, prefix) {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}
