// Package display defines what a counter's number display does and the
// pieces its drivers share.
//
// A [Counter] shows a ticket number with its counter's id, or nothing. What a
// display can do beyond that is a second interface found by type assertion:
// [Dimmer] for brightness, [Blinker] for blinking by itself.
//
// Drivers live in sub-packages: max7219 (SPI, chained chips), ht16k33 (I²C
// 4-digit backpacks), modbus7seg (RS-485 Modbus RTU displays, several on one
// bus) and sim (in memory, for the demo and the web pages).
//
// Seven-segment drivers share the font ([Glyph], [Segments]): digits, the
// letters that read unambiguously on seven segments (so ticket "A023" shows
// as A023) and '-' for anything else; and the layout ([Format]): the number
// right-aligned, the counter id on the left when there is room.
//
// A display may stop answering (a loose cable, a bus full of noise). Wrap
// each one in a [Supervised] and run it: the queue calls Set or Call, which
// never block; Run pushes the latest content, retries failures with jittered
// exponential backoff, blinks in software for displays that cannot, and
// reports each change between working and failing to a callback. One slow
// display therefore never holds up the queue or the other displays.
package display
