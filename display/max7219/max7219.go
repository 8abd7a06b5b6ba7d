package max7219

import (
	"errors"
	"fmt"
	"sync"

	"periph.io/x/conn/v3/spi"

	"motcua/display"
)

// Registers of the MAX7219.
const (
	regNoop      = 0x00
	regDigit0    = 0x01
	regDecode    = 0x09
	regIntensity = 0x0A
	regScanLimit = 0x0B
	regShutdown  = 0x0C
	regTest      = 0x0F
)

// Decode selects how digit registers are interpreted.
type Decode int

// Decode modes.
const (
	NoDecode Decode = iota // segments, any glyph of package display
	CodeB                  // the chip's font: 0-9 - E H L P blank
)

// Opts configures a chain. The zero value is one chip of 8 digits in
// no-decode mode at the dimmest brightness.
type Opts struct {
	Chips      int                // chips in the chain, 1 to 64; 0 means 1
	Digits     int                // digits per chip (scan limit), 1 to 8; 0 means 8
	Decode     Decode             // NoDecode or CodeB
	Brightness display.Brightness // initial intensity, 0 to 15
}

// Errors.
var (
	ErrOpts = errors.New("max7219: invalid options")
)

// Dev is a chain of MAX7219 chips. It is safe for concurrent use.
type Dev struct {
	c    spi.Conn
	opts Opts

	mu       sync.Mutex
	shutdown []bool
	buf      []byte
}

var (
	_ display.Counter = (*Display)(nil)
	_ display.Dimmer  = (*Display)(nil)
)

// New initialises every chip on c: display test off, scan limit, decode
// mode, intensity, all digits blank, then out of shutdown.
func New(c spi.Conn, o *Opts) (*Dev, error) {
	var opts Opts
	if o != nil {
		opts = *o
	}
	if opts.Chips == 0 {
		opts.Chips = 1
	}
	if opts.Digits == 0 {
		opts.Digits = 8
	}
	switch {
	case opts.Chips < 1 || opts.Chips > 64:
		return nil, fmt.Errorf("%w: %d chips; use 1 to 64", ErrOpts, opts.Chips)
	case opts.Digits < 1 || opts.Digits > 8:
		return nil, fmt.Errorf("%w: %d digits; use 1 to 8", ErrOpts, opts.Digits)
	case opts.Decode != NoDecode && opts.Decode != CodeB:
		return nil, fmt.Errorf("%w: decode mode %d", ErrOpts, opts.Decode)
	}
	d := &Dev{c: c, opts: opts, shutdown: make([]bool, opts.Chips), buf: make([]byte, 2*opts.Chips)}
	decode := byte(0x00)
	if opts.Decode == CodeB {
		decode = 0xFF
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	steps := [][2]byte{
		{regTest, 0},
		{regScanLimit, byte(opts.Digits - 1)},
		{regDecode, decode},
		{regIntensity, byte(min(opts.Brightness, display.MaxBrightness))},
	}
	for i := range opts.Digits {
		steps = append(steps, [2]byte{byte(regDigit0 + i), d.blankCode()})
	}
	steps = append(steps, [2]byte{regShutdown, 1})
	for _, s := range steps {
		if err := d.writeAll(s[0], s[1]); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// String returns e.g. "max7219 chain of 4".
func (d *Dev) String() string {
	return fmt.Sprintf("max7219 chain of %d", d.opts.Chips)
}

// Halt puts every chip in shutdown.
func (d *Dev) Halt() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.writeAll(regShutdown, 0); err != nil {
		return err
	}
	for i := range d.shutdown {
		d.shutdown[i] = true
	}
	return nil
}

// Display returns the counter display made of chip (0 is nearest the Pi).
func (d *Dev) Display(chip int) (*Display, error) {
	if chip < 0 || chip >= d.opts.Chips {
		return nil, fmt.Errorf("%w: chip %d of a chain of %d", ErrOpts, chip, d.opts.Chips)
	}
	return &Display{d: d, chip: chip}, nil
}

func (d *Dev) blankCode() byte {
	if d.opts.Decode == CodeB {
		return 0x0F
	}
	return 0
}

// writeAll writes one register of every chip in one transaction.
func (d *Dev) writeAll(reg, val byte) error {
	for i := 0; i < len(d.buf); i += 2 {
		d.buf[i], d.buf[i+1] = reg, val
	}
	return d.tx()
}

// write writes one register of one chip; the others get a no-op (register
// 0, which clear leaves in the buffer). The bytes
// for the last chip of the chain go out first.
func (d *Dev) write(chip int, reg, val byte) error {
	clear(d.buf)
	at := 2 * (d.opts.Chips - 1 - chip)
	d.buf[at], d.buf[at+1] = reg, val
	return d.tx()
}

func (d *Dev) tx() error {
	if err := d.c.Tx(d.buf, nil); err != nil {
		return fmt.Errorf("max7219: %w", err)
	}
	return nil
}

// codes returns the digit register values for text, leftmost first.
func (d *Dev) codes(text string) []byte {
	if d.opts.Decode == NoDecode {
		segs := display.Segments(text)
		out := make([]byte, len(segs))
		for i, s := range segs {
			out[i] = toNoDecode(s)
		}
		return out
	}
	out := make([]byte, 0, len(text))
	for _, r := range text {
		if r == '.' && len(out) > 0 {
			out[len(out)-1] |= 0x80
			continue
		}
		out = append(out, codeB(r))
	}
	return out
}

// toNoDecode reorders display's gfedcba bits to the MAX7219's DP A B C D E F G.
func toNoDecode(s byte) byte {
	var out byte
	for i := range 7 { // a..g → bit 6..0
		if s&(1<<i) != 0 {
			out |= 1 << (6 - i)
		}
	}
	return out | s&display.SegDP
}

func codeB(r rune) byte {
	switch {
	case r >= '0' && r <= '9':
		return byte(r - '0')
	case r == ' ':
		return 0x0F
	case r == 'E' || r == 'e':
		return 0x0B
	case r == 'H' || r == 'h':
		return 0x0C
	case r == 'L' || r == 'l':
		return 0x0D
	case r == 'P' || r == 'p':
		return 0x0E
	}
	return 0x0A // '-'
}

// Display is one chip of a chain, used as a counter display. It shares the
// chain's lock, so it is safe for concurrent use.
type Display struct {
	d    *Dev
	chip int
}

// String returns e.g. "max7219 chip 2".
func (p *Display) String() string { return fmt.Sprintf("max7219 chip %d", p.chip) }

// Show writes c, laid out by display.Format, to every digit, and wakes the
// chip if it was shut down.
func (p *Display) Show(c display.Content) error {
	return p.put(display.Format(c, p.d.opts.Digits))
}

// Blank clears every digit; the chip stays on.
func (p *Display) Blank() error {
	return p.put("")
}

func (p *Display) put(text string) error {
	d := p.d
	d.mu.Lock()
	defer d.mu.Unlock()
	codes := d.codes(text)
	n := d.opts.Digits
	for i := range n {
		v := d.blankCode()
		if k := len(codes) - 1 - i; k >= 0 { // digit 0 is the rightmost
			v = codes[k]
		}
		if err := d.write(p.chip, byte(regDigit0+i), v); err != nil {
			return err
		}
	}
	if d.shutdown[p.chip] {
		if err := d.write(p.chip, regShutdown, 1); err != nil {
			return err
		}
		d.shutdown[p.chip] = false
	}
	return nil
}

// SetBrightness sets the chip's intensity register (16 steps).
func (p *Display) SetBrightness(b display.Brightness) error {
	p.d.mu.Lock()
	defer p.d.mu.Unlock()
	return p.d.write(p.chip, regIntensity, byte(min(b, display.MaxBrightness)))
}

// Halt puts the chip in shutdown; the next Show wakes it.
func (p *Display) Halt() error {
	p.d.mu.Lock()
	defer p.d.mu.Unlock()
	if err := p.d.write(p.chip, regShutdown, 0); err != nil {
		return err
	}
	p.d.shutdown[p.chip] = true
	return nil
}
