// Package attack is a loopback attacker for tests: it floods a server
// with connections from a chosen source address, as someone on the
// office network without a token would. Every attack is bounded in
// connections, in dials and in time, and refuses any target that is not
// on this machine.
package attack

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// Bounds of an attack.
const (
	MaxConns    = 5000
	MaxDials    = 200_000
	MaxDuration = 2 * time.Minute
)

// Errors of [Flood.Run].
var (
	ErrNotLoopback = errors.New("attack: target and source must be loopback addresses")
	ErrUnbounded   = errors.New("attack: an attack needs a deadline of at most 2 minutes, at most 5000 connections and 200000 dials")
)

// Flood holds up to Conns connections to Target from the source address
// From. Each sends Request (a whole HTTP/1.1 request; empty: send
// nothing), reads the answer's head and then holds the connection open;
// a connection the server closes is dialled again, until the context ends
// or Dials connections were made.
type Flood struct {
	Target  string // "127.0.0.1:8080"
	From    string // "127.0.0.2": a loopback address other than the target's
	Conns   int
	Dials   int
	Request string
	// Redial is how long a slot waits before it dials again after the
	// server closed its connection (default 100 ms): an attacker that
	// holds connections, not one that measures how fast it can dial.
	Redial time.Duration

	dials, answered, held, maxHeld atomic.Int64
}

// Held is how many connections the flood holds now (answered and still
// open); it is safe to call while [Flood.Run] runs.
func (f *Flood) Held() int64 { return f.held.Load() }

// Made is how many connections the flood has dialled so far.
func (f *Flood) Made() int64 { return min(f.dials.Load(), int64(f.Dials)) }

// Result is what a [Flood] achieved.
type Result struct {
	Dials    int64 // connections made
	Answered int64 // requests answered
	MaxHeld  int64 // most connections open at once after their answer
}

// Run attacks until ctx ends or the dials are used up, then closes every
// connection it holds. ctx must have a deadline at most [MaxDuration]
// away.
func (f *Flood) Run(ctx context.Context) (Result, error) {
	dl, ok := ctx.Deadline()
	if !ok || time.Until(dl) > MaxDuration || f.Conns <= 0 || f.Conns > MaxConns || f.Dials <= 0 || f.Dials > MaxDials {
		return Result{}, ErrUnbounded
	}
	target, err := netip.ParseAddrPort(f.Target)
	if err != nil {
		return Result{}, fmt.Errorf("attack: target %q: %w", f.Target, err)
	}
	from, err := netip.ParseAddr(f.From)
	if err != nil {
		return Result{}, fmt.Errorf("attack: source %q: %w", f.From, err)
	}
	if !target.Addr().IsLoopback() || !from.IsLoopback() {
		return Result{}, ErrNotLoopback
	}
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: from.AsSlice()}, Timeout: time.Second}
	redial := f.Redial
	if redial <= 0 {
		redial = 100 * time.Millisecond
	}
	var wg sync.WaitGroup
	for range f.Conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && f.dials.Add(1) <= int64(f.Dials) {
				f.one(ctx, &d)
				select {
				case <-ctx.Done():
				case <-time.After(redial):
				}
			}
		}()
	}
	wg.Wait()
	return Result{Dials: f.Made(), Answered: f.answered.Load(), MaxHeld: f.maxHeld.Load()}, nil
}

// one makes one connection, sends the request, reads the answer and
// holds the connection until the server closes it or ctx ends.
func (f *Flood) one(ctx context.Context, d *net.Dialer) {
	c, err := d.DialContext(ctx, "tcp", f.Target)
	if err != nil {
		return // out of ports or refused: Run waits before the next
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	defer c.Close()
	br := bufio.NewReader(c)
	if f.Request != "" {
		if _, err := io.WriteString(c, f.Request); err != nil {
			return
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			return
		}
		io.Copy(io.Discard, resp.Body) //nolint:errcheck // only the connection matters
		resp.Body.Close()
		f.answered.Add(1)
	}
	n := f.held.Add(1)
	defer f.held.Add(-1)
	for {
		m := f.maxHeld.Load()
		if n <= m || f.maxHeld.CompareAndSwap(m, n) {
			break
		}
	}
	// Hold: wait for the server to close (or for ctx).
	br.ReadByte() //nolint:errcheck // EOF or a close is the point
}
