package main

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSystemdNotify runs the daemon as systemd would for a Type=notify
// unit with a watchdog: it must say READY=1 once serving, keep the watchdog
// fed, and say STOPPING=1 on SIGTERM.
func TestSystemdNotify(t *testing.T) {
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sock := filepath.Join(dir, "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	addr := freePort(t)
	cmd := exec.Command(bin, "run", "-config", writeCrashConfig(t, dir, addr))
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+sock, "WATCHDOG_USEC=200000")
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	var got []string
	read := func(until string) {
		t.Helper()
		buf := make([]byte, 4096)
		for !strings.Contains(strings.Join(got, "\n"), until) {
			conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			n, err := conn.Read(buf)
			if err != nil {
				t.Fatalf("waiting for %s: %v; got %q\n%s", until, err, got, out.String())
			}
			got = append(got, string(buf[:n]))
		}
	}
	read("READY=1")
	read("WATCHDOG=1")
	cmd.Process.Signal(syscall.SIGTERM)
	read("STOPPING=1")
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v\n%s", err, out.String())
	}
}
