// Package modbus7seg drives RS-485 Modbus RTU 7-segment displays, such as
// the DM56A04 (4 digits) and DM36B06 (6 digits), as counter displays.
// Several share one bus, each with its own slave id, through one
// modbus.Master.
//
// Register map (holding registers, configurable in [Opts]; defaults are the
// DM56A04's):
//
//	0 .. Digits-1   one ASCII character per digit, leftmost first (ModeASCII)
//	7               the number to show, 0 to 65535 (ModeNumber)
//	BrightnessRegister, BlinkRegister: optional, 0 = the display has none
//
// In ModeASCII a Show is one function-16 write of Digits registers: for
// DM56A04 17 bytes out and 8 back. Characters are sent upper-case; those the
// font of package display cannot show are sent as '-', so every display of
// the room shows the same thing. In ModeNumber only the digits of a ticket
// number are shown ("A023" shows 23); Blank writes spaces to the ASCII
// registers, which such displays also have.
//
// A display without a blink register returns display.ErrUnsupported from
// SetBlink, and display.Supervised then blinks it by rewriting it.
package modbus7seg
