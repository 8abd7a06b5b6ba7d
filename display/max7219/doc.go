// Package max7219 drives MAX7219 (or MAX7221) LED digit drivers over SPI as
// counter displays: one chip per counter, chips chained DOUT to DIN on one
// chip select.
//
// Every write is one SPI transaction of two bytes (register, value) per chip
// in the chain; chips that are not addressed get a no-op. The first chip, the
// one wired to the Raspberry Pi, is chip 0. Digit register 1 (DIG0) is the
// rightmost character, as on the common 8-digit modules.
//
// In no-decode mode (the default) the package's own font from package
// display is used, so ticket numbers with letters ("A023") show; Code-B mode
// only has digits, '-', E, H, L, P and blank, and shows other letters as '-'.
// Halt puts every chip in shutdown: LEDs off, registers kept.
//
// The caller connects the SPI port (mode 0, up to 10 MHz, 8 bits) and passes
// the spi.Conn to [New].
package max7219
