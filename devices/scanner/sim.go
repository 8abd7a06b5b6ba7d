package scanner

import (
	"errors"
	"io"
	"sync"
)

// ErrSimClosed is returned by [Sim.Feed] after the Sim was closed.
var ErrSimClosed = errors.New("scanner: simulated scanner closed")

// Sim is a simulated serial scanner: each [Sim.Feed] sends a text and a
// CR, as a scanner does when a code is scanned. It is the transport of a
// [Dev] of KindSim (Config.Open returns it). Safe for concurrent use.
type Sim struct {
	ch   chan []byte
	rest []byte // what a Read could not take yet; the reader's alone

	once sync.Once
	done chan struct{}
}

// NewSim returns a simulated scanner.
func NewSim() *Sim { return &Sim{ch: make(chan []byte, 16), done: make(chan struct{})} }

// Feed scans text. It blocks while 16 scans wait to be read, and fails
// after Close.
func (s *Sim) Feed(text string) error {
	select {
	case <-s.done:
		return ErrSimClosed
	default:
	}
	select {
	case s.ch <- []byte(text + "\r"):
		return nil
	case <-s.done:
		return ErrSimClosed
	}
}

// Read returns the bytes of the scans fed.
func (s *Sim) Read(p []byte) (int, error) {
	if len(s.rest) == 0 {
		select {
		case b := <-s.ch:
			s.rest = b
		case <-s.done:
			return 0, io.EOF
		}
	}
	n := copy(p, s.rest)
	s.rest = s.rest[n:]
	return n, nil
}

// Close ends reads and feeds.
func (s *Sim) Close() error {
	s.once.Do(func() { close(s.done) })
	return nil
}

// String returns "sim".
func (s *Sim) String() string { return "sim" }
