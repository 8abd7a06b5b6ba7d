package hub

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"os"
	"sync"
	"time"
)

// softWait is how long the publisher waits for a client's socket to take
// a frame before it leaves the rest to the client's writer goroutine. The
// wait happens only when the socket's send buffer is full, that is when
// the client is already well behind.
const softWait = time.Millisecond

// sock is a client's socket under its gorilla Conn. Gorilla writes whole
// frames to it, one write at a time (its own lock), and sets the write
// deadline before each.
//
// While the publisher writes to the client (soft), a write that the
// socket does not take within softWait returns as done, and sock keeps
// the rest of the frame: the client is behind. The next write that is not
// soft, or flush, first sends the rest, so the bytes on the wire stay in
// order, frames whole. Outside soft writes a write fails at gorilla's
// deadline as on the bare socket.
type sock struct {
	net.Conn // set by the hijack

	mu       sync.Mutex
	soft     bool
	deadline time.Time // gorilla's write deadline
	rest     []byte    // what a soft write left; nil when none
}

// SetWriteDeadline records gorilla's deadline for the writes that follow.
func (s *sock) SetWriteDeadline(t time.Time) error {
	s.mu.Lock()
	s.deadline = t
	s.mu.Unlock()
	return nil
}

// SetDeadline sets the read deadline and records the write deadline.
func (s *sock) SetDeadline(t time.Time) error {
	s.SetWriteDeadline(t)
	return s.Conn.SetReadDeadline(t)
}

func (s *sock) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.soft {
		if len(s.rest) > 0 {
			s.rest = append(s.rest, p...)
			return len(p), nil
		}
		s.Conn.SetWriteDeadline(time.Now().Add(softWait))
		n, err := s.Conn.Write(p)
		if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
			s.rest = append([]byte(nil), p[n:]...)
			return len(p), nil
		}
		return n, err
	}
	if err := s.flushLocked(s.deadline); err != nil {
		return 0, err
	}
	s.Conn.SetWriteDeadline(s.deadline)
	return s.Conn.Write(p)
}

// flush sends what a soft write left, with the deadline.
func (s *sock) flush(deadline time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.flushLocked(deadline)
}

func (s *sock) flushLocked(deadline time.Time) error {
	if len(s.rest) == 0 {
		return nil
	}
	s.Conn.SetWriteDeadline(deadline)
	n, err := s.Conn.Write(s.rest)
	s.rest = s.rest[n:]
	if len(s.rest) == 0 {
		s.rest = nil
	}
	return err
}

// setSoft starts or ends the publisher's writes and reports whether a
// soft write left something (the client is behind).
func (s *sock) setSoft(soft bool) (behind bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.soft = soft
	return len(s.rest) > 0
}

// behind reports whether a soft write left something to send.
func (s *sock) behind() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.rest) > 0
}

// hijacker hands gorilla's upgrader the client's socket as a [sock].
type hijacker struct {
	http.ResponseWriter
	sock *sock
}

func (w hijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	w.sock.Conn = conn
	return w.sock, rw, nil
}
