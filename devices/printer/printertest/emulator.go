package printertest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"motcua/devices/escpos"
)

// Paper is the state of the emulated paper roll.
type Paper int

// Paper states.
const (
	PaperOK Paper = iota
	PaperLow
	PaperOut
)

// Emulator is an emulated ESC/POS printer. Its methods are safe for
// concurrent use.
type Emulator struct {
	mu        sync.Mutex
	changed   chan struct{} // closed and replaced on every change
	paper     Paper
	cover     bool
	offline   bool
	silent    bool
	cur       []byte   // bytes of the job being received
	jobs      [][]byte // jobs printed
	lost      [][]byte // jobs received while not ready (a real printer would not print them now)
	queries   [5]int   // DLE EOT queries by n
	garbage   int      // bytes it could not parse
	outAfter  int      // paper runs out when this many jobs are printed (0: never)
	muteAfter int      // stops answering when this many jobs are printed (0: never)
	hold      bool     // replies are kept in held, not sent
	held      []byte   // replies kept back, oldest first
	w         io.Writer
	wmu       sync.Mutex // orders writes to w; taken before mu when both are held
}

// New returns a ready printer with paper and its cover shut.
func New() *Emulator { return &Emulator{changed: make(chan struct{})} }

func (e *Emulator) notify() {
	close(e.changed)
	e.changed = make(chan struct{})
}

func (e *Emulator) set(f func()) {
	e.mu.Lock()
	f()
	e.notify()
	e.mu.Unlock()
}

// SetPaper sets the paper roll state.
func (e *Emulator) SetPaper(p Paper) { e.set(func() { e.paper = p }) }

// SetCover opens or shuts the cover.
func (e *Emulator) SetCover(open bool) { e.set(func() { e.cover = open }) }

// SetOffline takes the printer offline or back online.
func (e *Emulator) SetOffline(off bool) { e.set(func() { e.offline = off }) }

// SetSilent makes the printer ignore status queries (a printer that was
// switched off behind a powered USB adapter).
func (e *Emulator) SetSilent(s bool) { e.set(func() { e.silent = s }) }

func (e *Emulator) ready() bool { return e.paper != PaperOut && !e.cover && !e.offline }

// RunOutAfter makes the paper run out right after the n-th job printed
// (counting all jobs so far), as when a roll ends on a ticket.
func (e *Emulator) RunOutAfter(n int) { e.set(func() { e.outAfter = n }) }

// SilentAfter makes the printer stop answering status queries right after
// the n-th job printed, as when it is switched off just after a ticket.
func (e *Emulator) SilentAfter(n int) { e.set(func() { e.muteAfter = n }) }

// Jobs returns copies of the jobs printed so far.
func (e *Emulator) Jobs() [][]byte {
	e.mu.Lock()
	defer e.mu.Unlock()
	return clone(e.jobs)
}

// Lost returns the jobs that arrived while the printer was not ready.
func (e *Emulator) Lost() [][]byte {
	e.mu.Lock()
	defer e.mu.Unlock()
	return clone(e.lost)
}

// Queries returns how many DLE EOT n queries arrived (index n, 1..4).
func (e *Emulator) Queries() [5]int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.queries
}

// Garbage returns how many bytes it could not parse.
func (e *Emulator) Garbage() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.garbage
}

func clone(in [][]byte) [][]byte {
	out := make([][]byte, len(in))
	for i, b := range in {
		out[i] = append([]byte(nil), b...)
	}
	return out
}

// Wait blocks until cond (called with the emulator locked, so it must only
// read the values given) is true or ctx ends.
func (e *Emulator) Wait(ctx context.Context, cond func(s Snapshot) bool) error {
	for {
		e.mu.Lock()
		ok := cond(e.snapshot())
		ch := e.changed
		e.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("printertest: %w", ctx.Err())
		case <-ch:
		}
	}
}

// Snapshot is what [Emulator.Wait] conditions see.
type Snapshot struct {
	Jobs, Lost int
	Queries    int // all DLE EOT queries
}

func (e *Emulator) snapshot() Snapshot {
	q := 0
	for _, n := range e.queries {
		q += n
	}
	return Snapshot{Jobs: len(e.jobs), Lost: len(e.lost), Queries: q}
}

// HoldReplies makes the printer keep its replies to status queries back,
// in order, until [Emulator.ReleaseReplies], as a busy printer (cutting,
// waking up, a full buffer) answers late. The replies say what the state
// was when the query arrived.
func (e *Emulator) HoldReplies() { e.set(func() { e.hold = true }) }

// ReleaseReplies sends the replies held back since [Emulator.HoldReplies],
// oldest first, and answers at once again; replies to queries that arrive
// meanwhile are sent after them. It fails if no connection is being
// served (the held replies are then dropped).
func (e *Emulator) ReleaseReplies() error {
	e.wmu.Lock()
	defer e.wmu.Unlock()
	e.mu.Lock()
	out := e.held
	e.held = nil
	e.hold = false
	w := e.w
	e.notify()
	e.mu.Unlock()
	if w == nil {
		return errors.New("printertest: not connected")
	}
	if len(out) == 0 {
		return nil
	}
	_, err := w.Write(out)
	return err
}

// Held returns how many replies are being held back.
func (e *Emulator) Held() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.held)
}

// Inject sends raw bytes to the host, as if the printer sent them (noise,
// an automatic status block). It fails if no connection is being served.
func (e *Emulator) Inject(p []byte) error {
	e.mu.Lock()
	w := e.w
	e.mu.Unlock()
	if w == nil {
		return errors.New("printertest: not connected")
	}
	return e.write(w, p)
}

func (e *Emulator) write(w io.Writer, p []byte) error {
	e.wmu.Lock()
	defer e.wmu.Unlock()
	_, err := w.Write(p)
	return err
}

// reply is the answer to DLE EOT n for the current state; e.mu is held.
func (e *Emulator) reply(n byte) byte {
	b := byte(0x12)
	switch n {
	case 1:
		if !e.ready() {
			b |= 0x08
		}
	case 2:
		if e.cover {
			b |= 0x04
		}
		if e.paper == PaperOut {
			b |= 0x20
		}
	case 4:
		switch e.paper {
		case PaperLow:
			b |= 0x0c
		case PaperOut:
			b |= 0x6c
		}
	}
	return b
}

// Serve talks ESC/POS over rw until reading fails; it returns that error
// (io.EOF or the error of a closed file).
func (e *Emulator) Serve(rw io.ReadWriter) error {
	e.mu.Lock()
	e.w = rw
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		e.w = nil
		e.cur = e.cur[:0]
		e.held = nil
		e.mu.Unlock()
	}()
	var buf []byte
	p := make([]byte, 4096)
	for {
		n, err := rw.Read(p)
		if n > 0 {
			buf = append(buf, p[:n]...)
			var out []byte
			buf, out = e.take(buf)
			if len(out) > 0 {
				if err := e.write(rw, out); err != nil {
					return err
				}
			}
		}
		if err != nil {
			return err
		}
	}
}

// take handles the complete commands at the start of buf, returning what
// is left and the replies to send.
func (e *Emulator) take(buf []byte) (rest, out []byte) {
	ops, err := escpos.Parse(buf)
	e.mu.Lock()
	defer e.mu.Unlock()
	end := 0
	for _, op := range ops {
		end = op.End
		switch op.Cmd {
		case "DLE EOT":
			n := op.Args[0]
			if n >= 1 && n <= 4 {
				e.queries[n]++
				switch {
				case e.silent:
				case e.hold:
					e.held = append(e.held, e.reply(n))
				default:
					out = append(out, e.reply(n))
				}
			}
		case "GS V", "ESC d": // a cut, or the feed that ends a NoCut job
			e.cur = append(e.cur, buf[op.Off:op.End]...)
			job := append([]byte(nil), e.cur...)
			if e.ready() {
				e.jobs = append(e.jobs, job)
				if e.outAfter > 0 && len(e.jobs) == e.outAfter {
					e.paper = PaperOut
				}
				if e.muteAfter > 0 && len(e.jobs) == e.muteAfter {
					e.silent = true
				}
			} else {
				e.lost = append(e.lost, job)
			}
			e.cur = e.cur[:0]
		default:
			e.cur = append(e.cur, buf[op.Off:op.End]...)
		}
	}
	if err != nil && !errors.Is(err, escpos.ErrShort) {
		// Not ESC/POS we know: count it and start afresh.
		e.garbage += len(buf) - end
		end = len(buf)
	}
	e.notify()
	return append(buf[:0], buf[end:]...), out
}
