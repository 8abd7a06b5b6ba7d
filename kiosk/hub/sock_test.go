package hub

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"
)

// TestSockKeepsWhatASoftWriteLeft writes to a peer that takes 3 bytes
// and then stops reading: the publisher's (soft) write returns at once as
// done, sock keeps the rest and is behind; the next ordinary write sends
// the rest first, so the peer reads every byte in order.
func TestSockKeepsWhatASoftWriteLeft(t *testing.T) {
	server, peer := net.Pipe()
	defer server.Close()
	defer peer.Close()
	s := &sock{Conn: server}

	got := make(chan []byte, 1)
	go func() {
		b := make([]byte, 3)
		n, _ := io.ReadFull(peer, b)
		got <- b[:n]
	}()
	first := bytes.Repeat([]byte("abcdefgh"), 100)
	s.setSoft(true)
	n, err := s.Write(first)
	behind := s.setSoft(false)
	if n != len(first) || err != nil {
		t.Fatalf("soft write: got %d, %v; want %d, nil", n, err, len(first))
	}
	if !behind || !s.behind() {
		t.Fatal("not behind after a soft write the peer did not take")
	}
	// An ordinary write sends the rest first. The peer's 3 bytes come
	// from the soft write, or from the rest when the peer came after the
	// soft write gave up.
	second := []byte("ijkl")
	done := make(chan error, 1)
	go func() {
		s.SetWriteDeadline(time.Now().Add(30 * time.Second))
		_, err := s.Write(second)
		done <- err
	}()
	var read []byte
	select {
	case read = <-got:
	case <-time.After(30 * time.Second):
		t.Fatal("the peer's read of 3 bytes did not return")
	}
	want := append(append([]byte(nil), first...), second...)
	rest := make([]byte, len(want)-len(read))
	peer.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.ReadFull(peer, rest); err != nil {
		t.Fatalf("reading the rest: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("ordinary write: %v", err)
	}
	if all := append(read, rest...); !bytes.Equal(all, want) {
		t.Fatalf("the peer read %q..., want %q...", all[:20], want[:20])
	}
	if s.behind() {
		t.Error("still behind once the rest is sent")
	}
}

// TestSockSoftWriteWhileBehindQueues: a soft write while something is
// left (a pong written during the publisher's write) is kept behind it,
// and flush sends both in order.
func TestSockSoftWriteWhileBehindQueues(t *testing.T) {
	server, peer := net.Pipe()
	defer server.Close()
	defer peer.Close()
	s := &sock{Conn: server}
	s.setSoft(true)
	for _, p := range []string{"one ", "two"} {
		if n, err := s.Write([]byte(p)); n != len(p) || err != nil {
			t.Fatalf("soft write %q: got %d, %v", p, n, err)
		}
	}
	s.setSoft(false)
	done := make(chan error, 1)
	go func() { done <- s.flush(time.Now().Add(30 * time.Second)) }()
	b := make([]byte, len("one two"))
	peer.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.ReadFull(peer, b); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("flush: %v", err)
	}
	if string(b) != "one two" {
		t.Errorf("got %q, want %q", b, "one two")
	}
}

// TestSockWriteFailsAtItsDeadline: outside soft writes, a write the peer
// does not take fails at gorilla's deadline, as on the bare socket.
func TestSockWriteFailsAtItsDeadline(t *testing.T) {
	server, peer := net.Pipe()
	defer server.Close()
	defer peer.Close()
	s := &sock{Conn: server}
	s.SetWriteDeadline(time.Now().Add(time.Millisecond))
	if _, err := s.Write([]byte("x")); err == nil {
		t.Fatal("a write nobody reads returned no error")
	}
	if s.behind() {
		t.Error("behind after a write that failed")
	}
}
