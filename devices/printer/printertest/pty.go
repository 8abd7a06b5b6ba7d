package printertest

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// PTY serves an [Emulator] on the master side of a pseudo-terminal pair;
// the code under test opens [PTY.Path] as its serial port. Safe for
// concurrent use.
type PTY struct {
	e *Emulator

	mu     sync.Mutex
	master *os.File
	slave  *os.File // held open so the master does not see a hangup before the host opens
	path   string
	served chan error
}

// StartPTY opens a pseudo-terminal pair and serves e on it.
func StartPTY(e *Emulator) (*PTY, error) {
	p := &PTY{e: e}
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

// Unplug closes the pair: the host's reads and writes fail, as when a USB
// printer is pulled out. It waits for the emulator to stop serving.
func (p *PTY) Unplug() error {
	p.mu.Lock()
	m, s, served := p.master, p.slave, p.served
	p.master, p.slave, p.path, p.served = nil, nil, "", nil
	p.mu.Unlock()
	if m == nil {
		return nil
	}
	err := errors.Join(m.Close(), s.Close())
	<-served
	return err
}

// Replug opens a new pair (with a new path) and serves the emulator on it.
// A pair still open is unplugged first.
func (p *PTY) Replug() error {
	if err := p.Unplug(); err != nil {
		return err
	}
	m, s, err := pty.Open()
	if err != nil {
		return fmt.Errorf("printertest: open pty: %w", err)
	}
	// Raw from the start, so nothing is echoed back before the host sets
	// its own mode.
	if t, err := unix.IoctlGetTermios(int(s.Fd()), unix.TCGETS); err == nil {
		t.Lflag &^= unix.ECHO | unix.ICANON | unix.ISIG | unix.IEXTEN
		t.Oflag &^= unix.OPOST
		t.Iflag &^= unix.ICRNL | unix.IXON
		if err := unix.IoctlSetTermios(int(s.Fd()), unix.TCSETS, t); err != nil {
			m.Close()
			s.Close()
			return fmt.Errorf("printertest: set pty raw: %w", err)
		}
	}
	served := make(chan error, 1)
	p.mu.Lock()
	p.master, p.slave, p.path, p.served = m, s, s.Name(), served
	p.mu.Unlock()
	go func() { served <- p.e.Serve(m) }()
	return nil
}

// Close unplugs for good.
func (p *PTY) Close() error { return p.Unplug() }
