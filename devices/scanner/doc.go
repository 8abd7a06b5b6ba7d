// Package scanner reads 2D barcode scanners: the QR of an appointment, of
// a citizen's ID card or of a one-stop receipt, as text.
//
// Three kinds of scanner connect over USB, each a [Kind]:
//
//	serial   a scanner in USB serial mode (CDC ACM, /dev/ttyACM0) or on
//	         RS-232: the text comes as bytes, UTF-8 when the scanner is set
//	         to send it so, then a suffix (CR, LF or TAB).
//	hidraw   a scanner in HID POS mode (the USB "HID Point of Sale" bar
//	         code scanner class, /dev/hidraw0): each input report carries a
//	         length, the AIM symbology identifier and up to 56 bytes of the
//	         symbol, and a flag when more reports of the same symbol follow.
//	evdev    a scanner in keyboard mode (/dev/input/by-id/...-event-kbd),
//	         grabbed exclusively (EVIOCGRAB) so that its keystrokes do not
//	         reach the kiosk browser. Key codes are mapped to ASCII with
//	         the US layout: digits, letters and ASCII punctuation only. A
//	         keyboard-mode scanner cannot type Vietnamese on Linux (a
//	         keyboard sends keys, not characters, and there is no standard
//	         key for "ữ"), so it reads appointment and dossier codes but not
//	         the names on ID cards: use serial or HID POS mode for those.
//
// [Open] opens one of them by path and returns a byte stream; [NewSim]
// makes a simulated scanner fed with [Sim.Feed]. A [Dev] owns one scanner:
// its Run goroutine opens it through [Config].Open, decodes what it reads
// ([Config].Kind), cuts the text into scans at a suffix byte
// ([Config].Ends) or when no byte came for [Config].Timeout (on an
// injected clock), decodes them as UTF-8 and hands each to
// [Config].OnScan. When the scanner is unplugged it reports the status
// ([Config].OnStatus) and opens it again with a jittered backoff.
package scanner
