// Package serialport makes go.bug.st/serial ports keep io.Writer's
// promise: go.bug.st/serial writes with one write(2), which returns early
// on a blocking tty when a signal arrives (the Go runtime preempts
// goroutines with SIGURG) and then reports fewer bytes without an error.
// A ticket's raster data cut that way leaves the printer waiting for the
// rest of an image, and the next status query is taken for image data.
// Drain (tcdrain) has the same weakness: Linux ends the wait with EINTR
// when a signal arrives, and go.bug.st/serial passes that on.
package serialport

import (
	"errors"
	"fmt"
	"io"
	"syscall"

	"go.bug.st/serial"
)

// Port is a serial port whose Write writes everything or fails and whose
// Drain waits until the output is on the wire or fails.
type Port struct {
	serial.Port
}

// Full wraps p so that Write retries until all of b is written.
func Full(p serial.Port) *Port { return &Port{Port: p} }

// Write writes all of b, retrying after short writes and interrupted
// system calls; it returns an error when fewer than len(b) bytes went out.
func (p *Port) Write(b []byte) (int, error) {
	return writeAll(p.Port, b)
}

// Drain waits until everything written has left the port, waiting again
// when a signal interrupts the wait. (The printer drains after each job; an
// EINTR taken for a failed port printed the job twice.)
func (p *Port) Drain() error {
	for {
		if err := p.Port.Drain(); !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

func writeAll(w io.Writer, b []byte) (int, error) {
	done := 0
	for done < len(b) {
		n, err := w.Write(b[done:])
		done += max(n, 0)
		switch {
		case errors.Is(err, syscall.EINTR), errors.Is(err, syscall.EAGAIN):
			continue
		case err != nil:
			return done, err
		case n == 0:
			return done, fmt.Errorf("serialport: wrote %d of %d bytes: %w", done, len(b), io.ErrShortWrite)
		}
	}
	return done, nil
}
