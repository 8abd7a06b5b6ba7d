package scanner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"motcua/clock"
	"strings"
	"sync"
	"time"
)

// Kind is how a scanner is connected, which says how to decode what it
// sends.
type Kind string

// Kinds of scanner.
const (
	KindSerial Kind = "serial" // text bytes (USB CDC or RS-232)
	KindHIDPOS Kind = "hidraw" // HID POS reports from /dev/hidrawN
	KindEvdev  Kind = "evdev"  // key events of a keyboard-mode scanner
	KindSim    Kind = "sim"    // a [Sim]: text bytes
)

func (k Kind) decoder() (decoder, error) {
	switch k {
	case KindSerial, KindSim:
		return rawDecoder{}, nil
	case KindHIDPOS:
		return hidposDecoder{}, nil
	case KindEvdev:
		return &evdevDecoder{size: eventSize}, nil
	}
	return nil, fmt.Errorf("scanner: unknown kind %q; use serial, hidraw, evdev or sim", string(k))
}

// Scan is one barcode read.
type Scan struct {
	// Text is the symbol's content, decoded as UTF-8 (bytes that are not
	// UTF-8 become U+FFFD), without the suffix.
	Text string
	// Symbology is the AIM identifier ("]Q1" for QR) when the scanner
	// sends it (HID POS), else "".
	Symbology string
	At        time.Time // when the scan ended
}

// String returns the length of the scan, never its text: scans may be
// personal data.
func (s Scan) String() string { return fmt.Sprintf("scan of %d bytes", len(s.Text)) }

// Config configures a [Dev].
type Config struct {
	Name string // shown by String and in logs, e.g. "hidraw:/dev/hidraw0"
	Kind Kind   // how to decode what Open returns
	// Open opens the scanner; it is called again after every failure.
	// Required.
	Open func(ctx context.Context) (io.ReadCloser, error)
	// OnScan receives each scan, in order, from Run's goroutine. It must
	// not block for long. Required.
	OnScan func(Scan)
	// OnStatus is called from Run when the status code changes.
	OnStatus func(Status)

	// Ends are the bytes that end a scan (the scanner's suffix); "" means
	// CR and LF. A CR LF suffix ends the scan at CR; the LF then ends an
	// empty scan, which is dropped.
	Ends string
	// TimeoutOnly ignores Ends: only Timeout ends a scan (a scanner sending
	// no suffix). Bytes then pass as they are, CR and LF included.
	TimeoutOnly bool
	// Timeout ends a scan when no byte came for this long (a scanner
	// without a suffix, or a suffix lost); 0 = 100 ms.
	Timeout time.Duration
	// MaxLen is the longest scan in bytes; a longer one is dropped whole
	// (noise, a wrong baud rate). 0 = 4096.
	MaxLen int

	Clock   clock.Clock                     // nil: the real clock
	Backoff func(attempt int) time.Duration // reopen delay; nil: 0.5 s doubling to 15 s, ±25 % jitter
	Logger  *slog.Logger                    // nil: no logging
}

// Dev owns one scanner. Create it with [New] and start [Dev.Run] once.
// Methods are safe for concurrent use.
type Dev struct {
	cfg   Config
	clock clock.Clock
	log   *slog.Logger

	mu      sync.Mutex
	status  Status
	halted  bool
	running bool
	port    io.Closer // the open port, closed by Halt to end a Read

	wake    chan struct{}
	stopped chan struct{}
}

// New returns a Dev; it does nothing until Run.
func New(c Config) (*Dev, error) {
	if c.Open == nil || c.OnScan == nil {
		return nil, errors.New("scanner: Config.Open and Config.OnScan are required")
	}
	if _, err := c.Kind.decoder(); err != nil {
		return nil, err
	}
	if c.Ends == "" {
		c.Ends = "\r\n"
	}
	if c.Timeout <= 0 {
		c.Timeout = 100 * time.Millisecond
	}
	if c.MaxLen <= 0 {
		c.MaxLen = 4096
	}
	c.Clock = clock.Or(c.Clock)
	if c.Backoff == nil {
		c.Backoff = defaultBackoff
	}
	lg := c.Logger
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	return &Dev{
		cfg: c, clock: c.Clock, log: lg,
		status:  statusStarting(),
		wake:    make(chan struct{}, 1),
		stopped: make(chan struct{}),
	}, nil
}

func defaultBackoff(attempt int) time.Duration {
	d := 500 * time.Millisecond << min(attempt, 5)
	d = min(d, 15*time.Second)
	return time.Duration(float64(d) * (0.75 + 0.5*rand.Float64()))
}

// String returns e.g. "scanner hidraw:/dev/hidraw0".
func (d *Dev) String() string { return "scanner " + d.cfg.Name }

// Status returns the current status.
func (d *Dev) Status() Status {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.status
}

// Halt stops reading: the port is closed and Run returns nil. A scan cut
// short is dropped. If Run is active, Halt waits for it to return.
func (d *Dev) Halt() error {
	d.mu.Lock()
	d.halted = true
	running := d.running
	if d.port != nil {
		d.port.Close()
	}
	select {
	case d.wake <- struct{}{}:
	default:
	}
	d.mu.Unlock()
	if running {
		<-d.stopped
	}
	return nil
}

func (d *Dev) isHalted() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.halted
}

func (d *Dev) setStatus(st Status) {
	d.mu.Lock()
	changed := st.Code != d.status.Code
	d.status = st
	d.mu.Unlock()
	if changed {
		args := []any{"scanner", d.cfg.Name, "code", st.Code, "detail", st.DetailEN}
		if st.Err != nil {
			// Tells "permission denied" (groups, udev rule) from "no such
			// device" (unplugged).
			args = append(args, "err", st.Err)
		}
		d.log.Info("scanner status", args...)
		if d.cfg.OnStatus != nil {
			d.cfg.OnStatus(st)
		}
	}
}

// Run owns the scanner until ctx ends (it returns ctx.Err()) or Halt (it
// returns nil). Call it once.
func (d *Dev) Run(ctx context.Context) error {
	d.mu.Lock()
	if d.running {
		d.mu.Unlock()
		return errors.New("scanner: Run called twice")
	}
	d.running = true
	d.mu.Unlock()
	defer close(d.stopped)
	attempt := 0
	for {
		if d.isHalted() {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		port, err := d.cfg.Open(ctx)
		if err == nil {
			attempt = 0
			err = d.serve(ctx, port)
			if err == nil || ctx.Err() != nil || d.isHalted() {
				continue
			}
		}
		d.setStatus(statusUnplugged(err))
		if err := d.sleep(ctx, d.cfg.Backoff(attempt)); err != nil {
			return err
		}
		attempt++
	}
}

// sleep waits dur, returning early on Halt (nil) or ctx (its error).
func (d *Dev) sleep(ctx context.Context, dur time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-d.clock.After(dur):
	case <-d.wake:
	}
	return nil
}

type chunk struct {
	p   []byte
	err error
}

// serve reads one open port until it fails (the error), Halt or ctx (nil).
func (d *Dev) serve(ctx context.Context, port io.ReadCloser) error {
	d.mu.Lock()
	if d.halted {
		d.mu.Unlock()
		port.Close()
		return nil
	}
	d.port = port
	d.mu.Unlock()
	dec, _ := d.cfg.Kind.decoder()
	rx := make(chan chunk, 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 4096)
		for {
			n, err := port.Read(buf)
			if n > 0 {
				rx <- chunk{p: append([]byte(nil), buf[:n]...)}
			}
			if err != nil {
				rx <- chunk{err: err}
				return
			}
		}
	}()
	defer func() {
		d.mu.Lock()
		d.port = nil
		d.mu.Unlock()
		port.Close()
		for {
			select {
			case <-rx:
			case <-done:
				return
			}
		}
	}()
	d.setStatus(statusOK())
	f := framer{cfg: &d.cfg}
	var timeout <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-d.wake:
			if d.isHalted() {
				return nil
			}
		case <-timeout:
			timeout = nil
			d.emit(f.flush(), "")
		case c := <-rx:
			if c.err != nil {
				if d.isHalted() {
					return nil
				}
				if errors.Is(c.err, io.EOF) {
					return fmt.Errorf("scanner %s: connection closed: %w", d.cfg.Name, c.err)
				}
				return fmt.Errorf("scanner %s: read: %w", d.cfg.Name, c.err)
			}
			text, end, sym := dec.decode(c.p)
			for _, s := range f.feed(text) {
				d.emit(s, sym)
			}
			if end {
				d.emit(f.flush(), sym)
			}
			timeout = nil
			if f.pending() {
				timeout = d.clock.After(d.cfg.Timeout)
			}
		}
	}
}

func (d *Dev) emit(b []byte, sym string) {
	if b == nil {
		return
	}
	if len(b) > d.cfg.MaxLen {
		d.log.Warn("scanner: scan too long, dropped; check the baud rate and the suffix setting", "scanner", d.cfg.Name, "bytes", len(b))
		return
	}
	d.cfg.OnScan(Scan{Text: strings.ToValidUTF8(string(b), "\uFFFD"), Symbology: sym, At: d.clock.Now()})
}

// framer cuts a byte stream into scans.
type framer struct {
	cfg  *Config
	buf  []byte
	over bool // buf passed MaxLen: drop the scan
}

// feed adds bytes and returns the scans they complete, without their end
// bytes. Empty scans are dropped.
func (f *framer) feed(p []byte) [][]byte {
	var out [][]byte
	for len(p) > 0 {
		i := -1
		if !f.cfg.TimeoutOnly {
			i = bytes.IndexAny(p, f.cfg.Ends)
		}
		if i < 0 {
			f.add(p)
			break
		}
		f.add(p[:i])
		if s := f.flush(); s != nil {
			out = append(out, s)
		}
		p = p[i+1:]
	}
	return out
}

func (f *framer) add(p []byte) {
	if f.over {
		return
	}
	if len(f.buf)+len(p) > f.cfg.MaxLen {
		f.over = true
		f.buf = f.buf[:0]
		return
	}
	f.buf = append(f.buf, p...)
}

func (f *framer) pending() bool { return len(f.buf) > 0 || f.over }

// flush returns the scan in progress, nil when empty; a scan that passed
// MaxLen is returned as MaxLen+1 bytes so that emit reports it.
func (f *framer) flush() []byte {
	if f.over {
		f.over = false
		return make([]byte, f.cfg.MaxLen+1)
	}
	if len(f.buf) == 0 {
		return nil
	}
	s := append([]byte(nil), f.buf...)
	f.buf = f.buf[:0]
	return s
}
