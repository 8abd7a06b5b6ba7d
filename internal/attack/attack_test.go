package attack

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"
)

// A flood is refused unless it is bounded and stays on this machine.
func TestBounds(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tests := []struct {
		name string
		ctx  context.Context
		f    *Flood
		want error
	}{
		{"no deadline", context.Background(), &Flood{Target: "127.0.0.1:9", From: "127.0.0.2", Conns: 1, Dials: 1}, ErrUnbounded},
		{"too many connections", ctx, &Flood{Target: "127.0.0.1:9", From: "127.0.0.2", Conns: MaxConns + 1, Dials: 1}, ErrUnbounded},
		{"no dial budget", ctx, &Flood{Target: "127.0.0.1:9", From: "127.0.0.2", Conns: 1}, ErrUnbounded},
		{"off this machine", ctx, &Flood{Target: "192.0.2.1:80", From: "127.0.0.2", Conns: 1, Dials: 1}, ErrNotLoopback},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.f.Run(tc.ctx); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := Start(&Flood{}, 3*time.Minute); !errors.Is(err, ErrUnbounded) {
		t.Errorf("Start for 3 minutes: got %v, want %v", err, ErrUnbounded)
	}
}

// A flood holds its connections from its source address, and uses no
// more dials than allowed.
func TestFloodHolds(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	from := make(chan string, 10)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			from <- c.RemoteAddr().(*net.TCPAddr).IP.String()
			defer c.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	f := &Flood{Target: ln.Addr().String(), From: "127.0.0.3", Conns: 3, Dials: 3}
	done := make(chan Result, 1)
	go func() {
		r, err := f.Run(ctx)
		if err != nil {
			t.Error(err)
		}
		done <- r
	}()
	for range 3 {
		if ip := <-from; ip != "127.0.0.3" {
			t.Errorf("source: got %s, want 127.0.0.3", ip)
		}
	}
	for f.Held() < 3 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if r := <-done; r.Dials != 3 || r.MaxHeld != 3 {
		t.Errorf("got %+v, want 3 dials, 3 held", r)
	}
}
