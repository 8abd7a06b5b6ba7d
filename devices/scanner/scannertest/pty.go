// Package scannertest has fakes of barcode scanners for tests: a serial
// scanner emulator on a pseudo-terminal pair ([PTY]) and a playback of
// recorded hidraw or evdev reads ([Playback]).
package scannertest

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"sync"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// PTY emulates a scanner in USB serial mode on the master side of a
// pseudo-terminal pair; the code under test opens [PTY.Path] as its serial
// port. Safe for concurrent use.
type PTY struct {
	mu     sync.Mutex
	master *os.File
	slave  *os.File // held open so the host's first open does not race a hangup
	path   string
	rnd    *rand.Rand
}

// StartPTY opens a pseudo-terminal pair. seed makes the chunking of
// [PTY.Scan] repeatable.
func StartPTY(seed uint64) (*PTY, error) {
	p := &PTY{rnd: rand.New(rand.NewPCG(seed, 1))}
	if err := p.Replug(); err != nil {
		return nil, err
	}
	return p, nil
}

// Path returns the tty path of the current pair ("" while unplugged).
func (p *PTY) Path() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.path
}

// Scan sends text and then suffix, as a scanner does when it reads a code,
// cut into writes of random sizes (1 to 64 bytes, as USB packets and a
// UART's FIFO cut them).
func (p *PTY) Scan(text, suffix string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.master == nil {
		return errors.New("scannertest: scanner unplugged")
	}
	b := []byte(text + suffix)
	for len(b) > 0 {
		n := min(1+p.rnd.IntN(64), len(b))
		if _, err := p.master.Write(b[:n]); err != nil {
			return fmt.Errorf("scannertest: write: %w", err)
		}
		b = b[n:]
	}
	return nil
}

// Write sends bytes as they are, in one write.
func (p *PTY) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.master == nil {
		return 0, errors.New("scannertest: scanner unplugged")
	}
	return p.master.Write(b)
}

// Unplug closes the pair: the host's reads fail, as when a USB scanner is
// pulled out.
func (p *PTY) Unplug() error {
	p.mu.Lock()
	m, s := p.master, p.slave
	p.master, p.slave, p.path = nil, nil, ""
	p.mu.Unlock()
	if m == nil {
		return nil
	}
	return errors.Join(m.Close(), s.Close())
}

// Replug opens a new pair, with a new path. A pair still open is unplugged
// first.
func (p *PTY) Replug() error {
	if err := p.Unplug(); err != nil {
		return err
	}
	m, s, err := pty.Open()
	if err != nil {
		return fmt.Errorf("scannertest: open pty: %w", err)
	}
	// Raw from the start: no echo and no CR to LF before the host sets its
	// own mode.
	t, err := unix.IoctlGetTermios(int(s.Fd()), unix.TCGETS)
	if err == nil {
		t.Lflag &^= unix.ECHO | unix.ICANON | unix.ISIG | unix.IEXTEN
		t.Oflag &^= unix.OPOST
		t.Iflag &^= unix.ICRNL | unix.IXON
		err = unix.IoctlSetTermios(int(s.Fd()), unix.TCSETS, t)
	}
	if err != nil {
		m.Close()
		s.Close()
		return fmt.Errorf("scannertest: set pty raw: %w", err)
	}
	p.mu.Lock()
	p.master, p.slave, p.path = m, s, s.Name()
	p.mu.Unlock()
	return nil
}

// Close unplugs for good.
func (p *PTY) Close() error { return p.Unplug() }

// Playback replays recorded reads of a device: each Read returns the next
// record whole (hidraw returns one report per read; evdev whole events),
// then Read blocks until Close, as a device with nothing more to say; or,
// when End is set, returns End (os.ErrNotExist-like errors simulate an
// unplug).
type Playback struct {
	Records [][]byte
	End     error

	once sync.Once
	done chan struct{}
	mu   sync.Mutex
	i    int
}

// NewPlayback returns a playback of records.
func NewPlayback(records [][]byte, end error) *Playback {
	return &Playback{Records: records, End: end, done: make(chan struct{})}
}

// Read returns the next record; p must hold it.
func (pb *Playback) Read(p []byte) (int, error) {
	pb.mu.Lock()
	if pb.i < len(pb.Records) {
		r := pb.Records[pb.i]
		pb.i++
		pb.mu.Unlock()
		if len(p) < len(r) {
			return 0, io.ErrShortBuffer
		}
		return copy(p, r), nil
	}
	pb.mu.Unlock()
	if pb.End != nil {
		return 0, pb.End
	}
	<-pb.done
	return 0, os.ErrClosed
}

// Close ends a blocked Read.
func (pb *Playback) Close() error {
	pb.once.Do(func() { close(pb.done) })
	return nil
}
