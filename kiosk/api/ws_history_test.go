package api_test

import (
	"context"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"motcua/clock"
	"motcua/kiosk/config"
	"motcua/kiosk/daemon"
	"motcua/kiosk/queue"
)

// smallBuffers sets a socket's kernel buffer for op (SO_SNDBUF or
// SO_RCVBUF) to its floor, so that a few KB the peer does not read fill it.
func smallBuffers(op int) func(network, address string, c syscall.RawConn) error {
	return func(_, _ string, c syscall.RawConn) error {
		var err error
		c.Control(func(fd uintptr) { err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, op, 4096) })
		return err
	}
}

// TestSlowHistoryReadersKeepHealthz: eight clients replay the whole log
// (?since=0) and do not read it. Their history must not hold the log's
// read connections while their sockets are full: the replay once wrote to
// the network inside the database read, so the four read connections
// stayed taken and /healthz answered 503 until the writes timed out.
func TestSlowHistoryReadersKeepHealthz(t *testing.T) {
	cfg := config.Demo()
	cfg.Server.DataDir = t.TempDir()
	const display = "display-secret-01"
	if err := cfg.AddToken(config.Token{Role: config.RoleDisplay, Secret: display}); err != nil {
		t.Fatal(err)
	}
	// The daemon's sockets inherit the listener's small send buffer, so a
	// client that does not read blocks the writes to it at once.
	lc := net.ListenConfig{Control: smallBuffers(syscall.SO_SNDBUF)}
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
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
	service := cfg.Services[0].ID
	if _, err := d.Room.Do(func(e *queue.Engine) ([]queue.Event, error) {
		var evs []queue.Event
		for range 1000 {
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

	base := "http://" + d.Addr()
	dialer := websocket.Dialer{
		NetDialContext:   (&net.Dialer{Control: smallBuffers(syscall.SO_RCVBUF)}).DialContext,
		HandshakeTimeout: 30 * time.Second,
	}
	for range 8 {
		c, _, err := dialer.Dial(strings.Replace(base, "http", "ws", 1)+"/api/v1/ws?since=0&token="+display, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
	}
	// /healthz waits 2 s for a read connection; the old replay held them
	// for its 10 s write timeout.
	for i := range 20 {
		if a := doReq(t, base, "GET", "/healthz", "", ""); a.status != 200 {
			t.Fatalf("/healthz %d: %d %s with eight slow readers replaying the log", i, a.status, a.body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if n := d.Hub.Clients(); n != 8 {
		t.Errorf("%d websocket clients, want the 8 slow readers still served", n)
	}
}
