package display

import (
	"errors"
	"fmt"
)

// Content is what a counter display shows.
type Content struct {
	// Counter is the counter's id, shown left of the number on displays with
	// room for both; 0 shows none.
	Counter int
	// Text is the ticket number, e.g. "A023"; "" shows nothing.
	Text string
}

// IsBlank reports whether c shows nothing: without a number the counter id
// is not shown either.
func (c Content) IsBlank() bool { return c.Text == "" }

func (c Content) String() string {
	if c.Counter == 0 {
		return fmt.Sprintf("%q", c.Text)
	}
	return fmt.Sprintf("%d:%q", c.Counter, c.Text)
}

// Counter is a counter's number display. Implementations need not be safe
// for concurrent use: give each to one [Supervised], or serialise calls.
type Counter interface {
	// Show replaces what the display shows and lights it.
	Show(c Content) error
	// Blank clears the display; it stays ready for the next Show.
	Blank() error
	// Halt blanks the display and puts it in its lowest-power state.
	Halt() error
	// String names the display for logs and device status, e.g.
	// "max7219 chip 2" or "modbus7seg slave 5".
	String() string
}

// Brightness is an LED brightness step, from 0 (dimmest that is still lit)
// to [MaxBrightness]. Drivers with fewer steps scale it.
type Brightness uint8

// MaxBrightness is the brightest step.
const MaxBrightness Brightness = 15

// Dimmer is a [Counter] whose brightness can be set.
type Dimmer interface {
	SetBrightness(b Brightness) error
}

// Blinker is a [Counter] that can blink its content by itself. A driver
// whose hardware turns out to lack it returns an error wrapping
// [ErrUnsupported], and [Supervised] blinks it in software instead.
type Blinker interface {
	SetBlink(on bool) error
}

// Errors shared by drivers.
var (
	// ErrUnsupported means the display lacks an optional capability.
	ErrUnsupported = errors.New("display: not supported by this display")
)
