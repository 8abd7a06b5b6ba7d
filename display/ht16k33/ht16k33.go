package ht16k33

import (
	"errors"
	"fmt"
	"sync"

	"periph.io/x/conn/v3/i2c"

	"motcua/display"
)

// Commands of the HT16K33 (the low bits carry the argument).
const (
	cmdSystem  = 0x20 // | 1: oscillator on
	cmdDisplay = 0x80 // | blink<<1 | on
	cmdDimming = 0xE0 // | 0..15
)

// BlinkRate is the hardware blink frequency.
type BlinkRate byte

// Blink rates.
const (
	Blink1Hz    BlinkRate = 2 // the default
	Blink2Hz    BlinkRate = 1
	BlinkHalfHz BlinkRate = 3
)

// Opts configures a backpack. The zero value blinks at 1 Hz, dimmest.
type Opts struct {
	Brightness display.Brightness // initial dimming, 0 to 15
	BlinkRate  BlinkRate          // rate used by SetBlink(true); 0 means Blink1Hz
}

// Errors.
var (
	ErrAddr = errors.New("ht16k33: address out of range; a backpack answers at 0x70 to 0x77")
)

// digitRows are the RAM rows of the four digits, left to right.
var digitRows = [4]int{0, 1, 3, 4}

// Dev is one backpack. It is safe for concurrent use.
type Dev struct {
	d    *i2c.Dev
	rate BlinkRate

	mu     sync.Mutex
	blink  bool
	halted bool
}

var (
	_ display.Counter = (*Dev)(nil)
	_ display.Dimmer  = (*Dev)(nil)
	_ display.Blinker = (*Dev)(nil)
)

// New initialises the backpack at d.Addr: oscillator on, dimming, RAM
// cleared, display on without blinking.
func New(d *i2c.Dev, o *Opts) (*Dev, error) {
	var opts Opts
	if o != nil {
		opts = *o
	}
	if d.Addr < 0x70 || d.Addr > 0x77 {
		return nil, fmt.Errorf("%w: %#02x", ErrAddr, d.Addr)
	}
	if opts.BlinkRate == 0 {
		opts.BlinkRate = Blink1Hz
	}
	if opts.BlinkRate > BlinkHalfHz {
		return nil, fmt.Errorf("ht16k33: blink rate %d; use Blink2Hz, Blink1Hz or BlinkHalfHz", opts.BlinkRate)
	}
	dev := &Dev{d: d, rate: opts.BlinkRate}
	for _, w := range [][]byte{
		{cmdSystem | 1},
		{cmdDimming | byte(min(opts.Brightness, display.MaxBrightness))},
		dev.ram(nil),
		{cmdDisplay | 1},
	} {
		if err := dev.tx(w); err != nil {
			return nil, err
		}
	}
	return dev, nil
}

// String returns e.g. "ht16k33 0x70".
func (d *Dev) String() string { return fmt.Sprintf("ht16k33 %#02x", d.d.Addr) }

func (d *Dev) tx(w []byte) error {
	if _, err := d.d.Write(w); err != nil {
		return fmt.Errorf("ht16k33 %#02x: %w", d.d.Addr, err)
	}
	return nil
}

// ram returns the write of display RAM rows 0 to 4 from address 0 for the
// four digit segments segs (nil or short means blank).
func (d *Dev) ram(segs []byte) []byte {
	w := make([]byte, 1+2*5)
	for i, row := range digitRows {
		if i < len(segs) {
			w[1+2*row] = segs[i]
		}
	}
	return w
}

func (d *Dev) displayCmd() byte {
	if d.blink {
		return cmdDisplay | byte(d.rate)<<1 | 1
	}
	return cmdDisplay | 1
}

// Show writes c, laid out by display.Format on 4 digits, and wakes the
// controller if it was halted.
func (d *Dev) Show(c display.Content) error {
	return d.put(display.Segments(display.Format(c, 4)))
}

// Blank clears the display RAM; the display stays on.
func (d *Dev) Blank() error {
	return d.put(nil)
}

func (d *Dev) put(segs []byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.halted {
		if err := d.tx([]byte{cmdSystem | 1}); err != nil {
			return err
		}
	}
	if err := d.tx(d.ram(segs)); err != nil {
		return err
	}
	if d.halted {
		if err := d.tx([]byte{d.displayCmd()}); err != nil {
			return err
		}
		d.halted = false
	}
	return nil
}

// SetBlink starts or stops hardware blinking at the configured rate.
func (d *Dev) SetBlink(on bool) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.blink = on
	if d.halted {
		return nil // applied on wake
	}
	return d.tx([]byte{d.displayCmd()})
}

// SetBrightness sets the dimming (16 steps).
func (d *Dev) SetBrightness(b display.Brightness) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.tx([]byte{cmdDimming | byte(min(b, display.MaxBrightness))})
}

// Halt switches the display off and the oscillator to standby.
func (d *Dev) Halt() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.tx([]byte{cmdDisplay}); err != nil {
		return err
	}
	if err := d.tx([]byte{cmdSystem}); err != nil {
		return err
	}
	d.halted = true
	return nil
}
