package unit

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"motcua/clock"
	"motcua/kiosk"
	"motcua/kiosk/config"
	"motcua/kiosk/queue"
	"motcua/kiosk/sdnotify"
)

// lockedBuffer is a bytes.Buffer for a logger of several goroutines.
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

// TestServeReloads reloads on each signal: a new configuration goes in
// force, one that cannot be read is logged and told to systemd and leaves
// the old one, and the unit stops with its context.
func TestServeReloads(t *testing.T) {
	dir := t.TempDir()
	cfg := simConfig(t, dir, false)
	two, err := config.Parse("unit.toml", []byte(simTOML(dir)+"[[counter]]\nid = 2\nname = \"Quầy 2\"\nservices = [\"dat-dai\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(t.TempDir(), "notify")
	systemd, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer systemd.Close()
	notifier, err := sdnotify.New(sock)
	if err != nil {
		t.Fatal(err)
	}
	var logged lockedBuffer
	u, err := New(context.Background(), cfg, Options{Clock: clock.Trusted{}, Listener: ln, Logger: slog.New(slog.NewTextHandler(&logged, nil)), Notifier: notifier})
	if err != nil {
		t.Fatal(err)
	}
	loads := []func() (*config.Config, error){
		func() (*config.Config, error) { return two, nil },
		func() (*config.Config, error) { return nil, errors.New("unit.toml:3: bad line") },
		func() (*config.Config, error) { return two, nil },
	}
	var loaded int
	load := func() (*config.Config, error) { loaded++; return loads[loaded-1]() }
	counters := func() int {
		st, err := kiosk.View(u.Room(), (*queue.Engine).State)
		if err != nil {
			t.Fatal(err)
		}
		return len(st.Counters)
	}

	ctx, cancel := context.WithCancel(context.Background())
	hup := make(chan os.Signal) // unbuffered: a send returns once Serve waits again
	served := make(chan error, 1)
	go func() { served <- u.Serve(ctx, hup, load) }()
	hup <- syscall.SIGHUP
	hup <- syscall.SIGHUP // the first reload is done, the bad one is taken
	if n := counters(); n != 2 {
		t.Errorf("after a reload: got %d counters, want 2", n)
	}
	hup <- syscall.SIGHUP // the bad one is done
	if n := counters(); n != 2 {
		t.Errorf("after a bad file: got %d counters, want 2", n)
	}
	if !strings.Contains(logged.String(), "configuration reload refused") || !strings.Contains(logged.String(), "unit.toml:3: bad line") {
		t.Errorf("the bad file is not logged:\n%s", logged.String())
	}
	// systemd's status says so too: a file that cannot be read never
	// reaches Reload, which tells systemd of the refusals it makes.
	buf := make([]byte, 4096)
	for status := ""; !strings.Contains(status, "STATUS=reload refused: unit.toml:3: bad line"); {
		systemd.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, err := systemd.Read(buf)
		if err != nil {
			t.Fatalf("no refusal told to systemd: %v", err)
		}
		status = string(buf[:n])
	}
	cancel()
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if loaded != 3 {
		t.Errorf("loaded %d times, want 3", loaded)
	}
}
