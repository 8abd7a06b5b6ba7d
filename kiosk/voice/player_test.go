package voice

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// fakeAplay writes a shell script standing in for aplay and returns a
// player that runs it.
func fakeAplay(t *testing.T, device, script string) *Aplay {
	t.Helper()
	path := filepath.Join(t.TempDir(), "aplay")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+script), 0o755); err != nil {
		t.Fatal(err)
	}
	p := NewAplay(device)
	p.command = path
	return p
}

func TestAplayArgsAndInput(t *testing.T) {
	dir := t.TempDir()
	p := fakeAplay(t, "plughw:1,0", `echo "$@" > `+dir+`/args; cat > `+dir+`/stdin`)
	wav := []byte("RIFF....WAVEdata")
	if err := p.Play(context.Background(), wav); err != nil {
		t.Fatal(err)
	}
	args, err := os.ReadFile(filepath.Join(dir, "args"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(args), "-q -D plughw:1,0 -\n"; got != want {
		t.Errorf("args: got %q, want %q", got, want)
	}
	stdin, err := os.ReadFile(filepath.Join(dir, "stdin"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(stdin, wav) {
		t.Errorf("stdin: got %q, want %q", stdin, wav)
	}
	if got, want := p.String(), "aplay plughw:1,0"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got, want := NewAplay("").String(), "aplay default"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestAplayDefaultDevice(t *testing.T) {
	dir := t.TempDir()
	p := fakeAplay(t, "", `echo "$@" > `+dir+`/args; cat >/dev/null`)
	if err := p.Play(context.Background(), []byte("x")); err != nil {
		t.Fatal(err)
	}
	args, err := os.ReadFile(filepath.Join(dir, "args"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(args), "-q -\n"; got != want {
		t.Errorf("args: got %q, want %q", got, want)
	}
}

func TestAplayErrors(t *testing.T) {
	p := fakeAplay(t, "hw:9", `cat >/dev/null; echo "aplay: main:831: audio open error: No such file or directory" >&2; exit 1`)
	err := p.Play(context.Background(), []byte("x"))
	if err == nil || !strings.Contains(err.Error(), "aplay -L") || !strings.HasPrefix(err.Error(), "voice: ") {
		t.Errorf("got %v, want an error that points at aplay -L", err)
	}
	missing := NewAplay("")
	for _, cmd := range []string{filepath.Join(t.TempDir(), "aplay"), "motcua-test-no-such-aplay"} {
		missing.command = cmd
		if err := missing.Play(context.Background(), []byte("x")); err == nil || !strings.Contains(err.Error(), "alsa-utils") {
			t.Errorf("%s: got %v, want an error that says to install alsa-utils", cmd, err)
		}
	}
}

func TestAplayCancel(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "started")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// The fake reports that it runs, then blocks until it is killed.
	p := fakeAplay(t, "", `echo up > `+fifo+`; exec sleep 600`)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.Play(ctx, []byte("x")) }()
	b, err := os.ReadFile(fifo) // returns once the script has written
	if err != nil || string(b) != "up\n" {
		t.Fatalf("fifo: %q, %v", b, err)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

func TestDiscard(t *testing.T) {
	if err := (Discard{}).Play(context.Background(), nil); err != nil {
		t.Errorf("got %v, want nil", err)
	}
}
