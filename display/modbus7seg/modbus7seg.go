package modbus7seg

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"motcua/display"
)

// Bus is the part of a Modbus master a display needs; *modbus.Master is one.
type Bus interface {
	WriteSingleRegister(ctx context.Context, slave byte, addr, value uint16) error
	WriteMultipleRegisters(ctx context.Context, slave byte, addr uint16, values []uint16) error
}

// Mode selects how a number reaches the display.
type Mode int

// Modes.
const (
	ModeASCII  Mode = iota // one ASCII character per register
	ModeNumber             // the digits of the ticket as one number
)

// Opts configures one display. Zero values mean the DM56A04 defaults.
type Opts struct {
	Slave  byte // Modbus slave id, 1 to 247 (required)
	Digits int  // characters; 0 means 4
	Mode   Mode
	// TextRegister is the first ASCII register; default 0.
	TextRegister uint16
	// NumberRegister holds the number in ModeNumber; 0 means 7.
	NumberRegister uint16
	// BrightnessRegister, if not 0, takes the brightness scaled to
	// 0..BrightnessMax (0 means 7).
	BrightnessRegister uint16
	BrightnessMax      uint16
	// BlinkRegister, if not 0, takes 1 to blink and 0 to stop.
	BlinkRegister uint16
	// Timeout bounds one call, waiting for the bus included; 0 means 2 s.
	Timeout time.Duration
}

// Errors.
var (
	ErrOpts = errors.New("modbus7seg: invalid options")
)

// Dev is one display on the bus. It is safe for concurrent use if the Bus
// is (a modbus.Master is).
type Dev struct {
	bus  Bus
	opts Opts
}

var (
	_ display.Counter = (*Dev)(nil)
	_ display.Dimmer  = (*Dev)(nil)
	_ display.Blinker = (*Dev)(nil)
)

// New returns the display with opts.Slave on bus. It sends nothing.
func New(bus Bus, opts Opts) (*Dev, error) {
	if opts.Slave < 1 || opts.Slave > 247 {
		return nil, fmt.Errorf("%w: slave id %d; use 1 to 247", ErrOpts, opts.Slave)
	}
	if opts.Digits == 0 {
		opts.Digits = 4
	}
	if opts.Digits < 1 || opts.Digits > 16 {
		return nil, fmt.Errorf("%w: %d digits", ErrOpts, opts.Digits)
	}
	if opts.Mode != ModeASCII && opts.Mode != ModeNumber {
		return nil, fmt.Errorf("%w: mode %d", ErrOpts, opts.Mode)
	}
	if opts.NumberRegister == 0 {
		opts.NumberRegister = 7
	}
	if opts.BrightnessMax == 0 {
		opts.BrightnessMax = 7
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 2 * time.Second
	}
	return &Dev{bus: bus, opts: opts}, nil
}

// String returns e.g. "modbus7seg slave 5".
func (d *Dev) String() string { return fmt.Sprintf("modbus7seg slave %d", d.opts.Slave) }

func (d *Dev) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d.opts.Timeout)
}

func (d *Dev) wrap(err error) error {
	if err != nil {
		return fmt.Errorf("modbus7seg slave %d: %w", d.opts.Slave, err)
	}
	return nil
}

// Show writes c laid out by display.Format (ModeASCII), or the number in it
// (ModeNumber).
func (d *Dev) Show(c display.Content) error {
	ctx, cancel := d.ctx()
	defer cancel()
	if d.opts.Mode == ModeNumber {
		return d.wrap(d.bus.WriteSingleRegister(ctx, d.opts.Slave, d.opts.NumberRegister, number(c.Text)))
	}
	return d.wrap(d.bus.WriteMultipleRegisters(ctx, d.opts.Slave, d.opts.TextRegister, ascii(display.Format(c, d.opts.Digits), d.opts.Digits)))
}

// Blank writes spaces to the ASCII registers.
func (d *Dev) Blank() error {
	ctx, cancel := d.ctx()
	defer cancel()
	return d.wrap(d.bus.WriteMultipleRegisters(ctx, d.opts.Slave, d.opts.TextRegister, ascii("", d.opts.Digits)))
}

// Halt blanks the display: these displays have no standby over Modbus.
func (d *Dev) Halt() error { return d.Blank() }

// SetBrightness writes the brightness register, if the display has one.
func (d *Dev) SetBrightness(b display.Brightness) error {
	if d.opts.BrightnessRegister == 0 {
		return fmt.Errorf("modbus7seg slave %d: brightness: %w", d.opts.Slave, display.ErrUnsupported)
	}
	ctx, cancel := d.ctx()
	defer cancel()
	v := uint16(min(b, display.MaxBrightness)) * d.opts.BrightnessMax / uint16(display.MaxBrightness)
	return d.wrap(d.bus.WriteSingleRegister(ctx, d.opts.Slave, d.opts.BrightnessRegister, v))
}

// SetBlink writes the blink register, if the display has one.
func (d *Dev) SetBlink(on bool) error {
	if d.opts.BlinkRegister == 0 {
		return fmt.Errorf("modbus7seg slave %d: blink: %w", d.opts.Slave, display.ErrUnsupported)
	}
	ctx, cancel := d.ctx()
	defer cancel()
	var v uint16
	if on {
		v = 1
	}
	return d.wrap(d.bus.WriteSingleRegister(ctx, d.opts.Slave, d.opts.BlinkRegister, v))
}

// ascii returns n registers holding text, upper-case, with characters the
// display font lacks replaced by '-' and missing ones by spaces.
func ascii(text string, n int) []uint16 {
	out := make([]uint16, n)
	for i := range out {
		out[i] = ' '
	}
	i := 0
	for _, r := range text {
		if i == n {
			break
		}
		if _, ok := display.Glyph(r); !ok || r > 0x7F {
			r = '-'
		}
		if r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		out[i] = uint16(r)
		i++
	}
	return out
}

// number returns the digits of text as a number ("A023" → 23), capped at
// 65535.
func number(text string) uint16 {
	var digits []byte
	for _, r := range text {
		if r >= '0' && r <= '9' {
			digits = append(digits, byte(r))
		}
	}
	n, err := strconv.ParseUint(string(digits), 10, 16)
	if err != nil && len(digits) > 0 {
		return 65535
	}
	return uint16(n)
}
