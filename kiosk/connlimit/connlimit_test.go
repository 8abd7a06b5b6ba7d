package connlimit_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"motcua/kiosk/connlimit"
)

// server serves on a loopback listener wrapped by a Listener; a request
// with "X-Trust: screen" or "privileged" vouches its connection.
func server(t *testing.T, opt connlimit.Options) (*connlimit.Listener, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := connlimit.New(ln, opt)
	srv := &http.Server{
		ConnContext: l.ConnContext,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			trust := map[string]connlimit.Trust{"screen": connlimit.Screen, "privileged": connlimit.Privileged}[r.Header.Get("X-Trust")]
			if !connlimit.Vouch(r.Context(), trust) {
				w.Header().Set("Connection", "close")
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			io.WriteString(w, "ok")
		}),
		IdleTimeout: time.Minute,
	}
	done := make(chan struct{})
	go func() { defer close(done); srv.Serve(l) }()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return l, ln.Addr().String()
}

// dial connects from the loopback address from.
func dial(t *testing.T, addr, from string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// get sends one request on c and returns the status, or 0 when the
// connection was closed.
func get(t *testing.T, c net.Conn, trust string) int {
	t.Helper()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nX-Trust: "+trust+"\r\n\r\n"); err != nil {
		return 0
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// closed reports whether the server closed c within 30 s.
func closed(c net.Conn) bool {
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	_, err := c.Read(make([]byte, 1))
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout())
}

// waitFor polls cond (the listener's counts settle after the server
// goroutines ran) for at most 30 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(30 * time.Second); !cond(); {
		if time.Now().After(end) {
			t.Fatalf("waited 30 s for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestPerAddress(t *testing.T) {
	l, addr := server(t, connlimit.Options{PerAddress: 3})
	var held []net.Conn
	for range 3 {
		c := dial(t, addr, "127.0.0.2")
		if s := get(t, c, ""); s != 200 {
			t.Fatalf("anonymous connection within the cap: got %d, want 200", s)
		}
		held = append(held, c)
	}
	extra := dial(t, addr, "127.0.0.2")
	if !closed(extra) {
		t.Error("a 4th anonymous connection from 127.0.0.2 stayed open")
	}
	if s := get(t, dial(t, addr, "127.0.0.1"), ""); s != 200 {
		t.Errorf("another address: got %d, want 200", s)
	}
	// A connection that shows a token stops counting against its address.
	if s := get(t, held[0], "screen"); s != 200 {
		t.Fatalf("vouching: got %d", s)
	}
	if s := get(t, dial(t, addr, "127.0.0.2"), ""); s != 200 {
		t.Errorf("after one connection showed a token: got %d, want 200", s)
	}
	if st := l.Stats(); st.PerAddress != 1 {
		t.Errorf("refused per address: got %d, want 1", st.PerAddress)
	}
	// A lower cap applies to the next connection.
	l.SetPerAddress(1)
	if !closed(dial(t, addr, "127.0.0.2")) {
		t.Error("after SetPerAddress(1), a new anonymous connection from 127.0.0.2 stayed open")
	}
}

// Anonymous connections are closed after AnonymousWait idle; those that
// showed a token keep the server's idle timeout.
func TestAnonymousWait(t *testing.T) {
	_, addr := server(t, connlimit.Options{AnonymousWait: 200 * time.Millisecond})
	anon, screen, silent := dial(t, addr, "127.0.0.2"), dial(t, addr, "127.0.0.2"), dial(t, addr, "127.0.0.2")
	if get(t, anon, "") != 200 || get(t, screen, "screen") != 200 {
		t.Fatal("first requests failed")
	}
	if !closed(anon) {
		t.Error("an idle anonymous connection stayed open 30 s")
	}
	if !closed(silent) {
		t.Error("a connection that sends nothing stayed open 30 s")
	}
	// The screen's connection outlives the anonymous wait many times.
	screen.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := screen.Read(make([]byte, 1)); err == nil || !strings.Contains(err.Error(), "timeout") {
		t.Errorf("the screen's idle connection: got %v, want our own read timeout", err)
	}
	if s := get(t, screen, "screen"); s != 200 {
		t.Errorf("screen after idling: got %d, want 200", s)
	}
}

// The last places are for privileged clients: an anonymous or screen
// request there is answered 503; when every place is taken, the oldest
// anonymous connection makes room for a new one.
func TestReserve(t *testing.T) {
	l, addr := server(t, connlimit.Options{Max: 4, Reserve: 2})
	a := dial(t, addr, "127.0.0.2")
	b := dial(t, addr, "127.0.0.3")
	if get(t, a, "screen") != 200 || get(t, b, "") != 200 {
		t.Fatal("first requests failed")
	}
	reserved := dial(t, addr, "127.0.0.4")
	if s := get(t, reserved, "screen"); s != 503 {
		t.Errorf("screen in a reserved place: got %d, want 503", s)
	}
	waitFor(t, "the refused connection to close", func() bool { return l.Stats().Open == 2 })
	kiosk := dial(t, addr, "127.0.0.1")
	if s := get(t, kiosk, "privileged"); s != 200 {
		t.Errorf("privileged in a reserved place: got %d, want 200", s)
	}
	// Fill the last place with an anonymous connection, then one more:
	// the oldest anonymous one (b) is closed to make room.
	dial(t, addr, "127.0.0.5")
	waitFor(t, "4 open", func() bool { return l.Stats().Open == 4 })
	d := dial(t, addr, "127.0.0.6")
	if !closed(b) {
		t.Error("the oldest anonymous connection was not closed for a newcomer")
	}
	if s := get(t, d, "privileged"); s != 200 {
		t.Errorf("newcomer: got %d, want 200", s)
	}
	if st := l.Stats(); st.Evicted != 1 || st.Refused != 1 {
		t.Errorf("stats: got %+v, want 1 evicted, 1 refused", st)
	}
}

func TestVouchWithoutListener(t *testing.T) {
	if !connlimit.Vouch(context.Background(), connlimit.Anonymous) {
		t.Error("a request not from a Listener was refused")
	}
}
