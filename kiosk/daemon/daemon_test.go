package daemon

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"motcua/clock"
	"motcua/kiosk/config"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A daemon serves, says which unit it is at start, takes a reload of what
// it can change and refuses one of what needs a restart.
func TestDaemon(t *testing.T) {
	cfg := config.Demo()
	cfg.Server.DataDir = t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	d, err := New(context.Background(), Options{Config: cfg, Clock: clock.Trusted{}, Listener: ln,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	res, err := http.Get("http://" + d.Addr() + "/healthz")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %v %v", res, err)
	}
	res.Body.Close()

	next := config.Demo()
	next.Server.DataDir = cfg.Server.DataDir
	next.Services = next.Services[:len(next.Services)-1]
	if err := d.Reload(next); err != nil {
		t.Errorf("reload of fewer services: %v", err)
	}
	if got := len(d.Room.Config().Services); got != len(next.Services) {
		t.Errorf("services in force: got %d, want %d", got, len(next.Services))
	}
	moved := config.Demo()
	moved.Server.DataDir = t.TempDir()
	if err := d.Reload(moved); err == nil || !strings.Contains(err.Error(), "data_dir") {
		t.Errorf("reload to another data_dir: got %v, want a refusal", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	line := logs.String()
	if !strings.Contains(line, "unit="+cfg.Unit.ID) || strings.Contains(line, "day="+cfg.Unit.ID) {
		t.Errorf("start-up line: want unit=%s, not day=:\n%s", cfg.Unit.ID, line)
	}
}

// The hub takes all connections but a reserve, so that screens never keep
// a kiosk from issuing a ticket.
func TestWebsocketReserve(t *testing.T) {
	tests := []struct{ max, want int }{
		{0, 1800}, {2000, 1800}, {100, 84}, {10, 1},
	}
	for _, tt := range tests {
		if got := wsClients(tt.max); got != tt.want {
			t.Errorf("wsClients(%d): got %d, want %d", tt.max, got, tt.want)
		}
	}
}
