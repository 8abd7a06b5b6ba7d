package receiver

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Serve serves [Server.Handler] on ln until ctx is done, then stops
// accepting, ends the requests in flight and returns; close the Server
// after it to end the units' websockets. At most MaxConns connections
// are open at once: one more is closed as soon as it is accepted, so that
// holding connections cannot grow the receiver's memory or file
// descriptors without end. A connection must send its request headers
// within HeaderTimeout, and a kept-alive one idle for IdleTimeout is
// closed; those two run on the real clock, inside net/http.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: s.o.HeaderTimeout,
		IdleTimeout:       s.o.IdleTimeout,
		MaxHeaderBytes:    16 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(&capListener{Listener: ln, max: int64(s.o.MaxConns)}) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	err := hs.Shutdown(sctx) // websockets are hijacked: Close ends them
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// capListener accepts at most max connections open at once.
type capListener struct {
	net.Listener
	max  int64
	open atomic.Int64
}

func (l *capListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.open.Add(1) > l.max {
			l.open.Add(-1)
			c.Close()
			continue
		}
		return &capConn{Conn: c, l: l}, nil
	}
}

// capConn gives its place back when closed, once.
type capConn struct {
	net.Conn
	l    *capListener
	once sync.Once
}

func (c *capConn) Close() error {
	c.once.Do(func() { c.l.open.Add(-1) })
	return c.Conn.Close()
}
