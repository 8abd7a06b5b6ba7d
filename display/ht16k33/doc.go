// Package ht16k33 drives Adafruit-style 4-digit 7-segment backpacks (HT16K33
// LED controller, I²C addresses 0x70 to 0x77) as counter displays.
//
// The backpack wires the controller's rows 0, 1, 3 and 4 to the digits, left
// to right, and row 2 to the colon; each row is two bytes of display RAM, the
// low byte holding the segments in the "gfedcba" order of package display.
//
// [New] turns the oscillator on, sets the dimming, clears the RAM and
// switches the display on without blinking. The controller blinks by itself
// (2, 1 or 0.5 Hz), so a [Dev] is a display.Blinker, and it has 16 dimming
// steps, so it is a display.Dimmer. Halt switches the display off and puts
// the controller in standby; the next Show wakes it.
package ht16k33
