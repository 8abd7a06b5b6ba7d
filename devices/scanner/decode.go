package scanner

import (
	"encoding/binary"
	"strconv"
)

// decoder turns what one Read of a transport returned into text bytes.
// end reports that a symbol ended with this read (HID POS says so); sym is
// the symbology identifier when the transport gives one.
type decoder interface {
	decode(p []byte) (text []byte, end bool, sym string)
}

// rawDecoder passes bytes through: serial scanners send the text itself.
type rawDecoder struct{}

func (rawDecoder) decode(p []byte) ([]byte, bool, string) { return p, false, "" }

// HID POS input report of a bar code scanner (USB HID Point of Sale Usage
// Tables, usage page 0x8C, as Honeywell and Zebra scanners send it), one
// report per hidraw read:
//
//	0       report ID (2)
//	1       number of symbol bytes in this report, at most 56
//	2..4    AIM symbology identifier, e.g. "]Q1" for a QR code
//	5..60   symbol bytes
//	61..62  vendor symbology code, reserved
//	63      bit 0: more reports of this symbol follow
const (
	hidReportLen  = 64
	hidDataOffset = 5
	hidMaxData    = 56
)

// hidposDecoder reads HID POS reports.
type hidposDecoder struct{}

func (hidposDecoder) decode(p []byte) ([]byte, bool, string) {
	if len(p) < hidDataOffset {
		return nil, false, ""
	}
	n := min(int(p[1]), hidMaxData, len(p)-hidDataOffset)
	more := len(p) >= hidReportLen && p[hidReportLen-1]&1 != 0
	return p[hidDataOffset : hidDataOffset+n], !more, string(p[2:5])
}

// Linux input events (linux/input.h): struct input_event is a struct
// timeval (two longs), then type (u16), code (u16) and value (s32), in the
// machine's byte order: 24 bytes on 64-bit, 16 on 32-bit systems.
const (
	evKey       = 1
	keyReleased = 0
	keyPressed  = 1
	keyRepeated = 2
)

// eventSize is the size of struct input_event on this machine.
var eventSize = 2*strconv.IntSize/8 + 8

// evdevDecoder maps key presses of a keyboard-mode scanner to ASCII with
// the US layout. Keys it does not know are dropped.
type evdevDecoder struct {
	size  int // event size; eventSize unless a test says otherwise
	buf   []byte
	shift int // shift keys held
	caps  bool
	out   []byte
}

func (d *evdevDecoder) decode(p []byte) ([]byte, bool, string) {
	d.buf = append(d.buf, p...)
	d.out = d.out[:0]
	size := d.size
	for len(d.buf) >= size {
		ev := d.buf[:size]
		d.buf = d.buf[size:]
		typ := binary.NativeEndian.Uint16(ev[size-8:])
		code := binary.NativeEndian.Uint16(ev[size-6:])
		val := int32(binary.NativeEndian.Uint32(ev[size-4:]))
		if typ != evKey {
			continue
		}
		d.key(code, val)
	}
	// Keep the partial event at the start of the buffer.
	d.buf = append(d.buf[:0:0], d.buf...)
	return d.out, false, ""
}

const (
	keyLeftShift  = 42
	keyRightShift = 54
	keyCapsLock   = 58
)

func (d *evdevDecoder) key(code uint16, val int32) {
	switch code {
	case keyLeftShift, keyRightShift:
		switch val {
		case keyPressed:
			d.shift++
		case keyReleased:
			d.shift = max(d.shift-1, 0)
		}
		return
	case keyCapsLock:
		if val == keyPressed {
			d.caps = !d.caps
		}
		return
	}
	if val != keyPressed && val != keyRepeated {
		return
	}
	k, ok := usKeys[code]
	if !ok {
		return
	}
	c := k[0]
	shifted := d.shift > 0
	if c >= 'a' && c <= 'z' && d.caps {
		shifted = !shifted
	}
	if shifted && len(k) > 1 {
		c = k[1]
	}
	d.out = append(d.out, c)
}

// usKeys maps Linux key codes to their character on a US keyboard,
// unshifted then shifted.
var usKeys = map[uint16]string{
	2: "1!", 3: "2@", 4: "3#", 5: "4$", 6: "5%", 7: "6^", 8: "7&", 9: "8*", 10: "9(", 11: "0)",
	12: "-_", 13: "=+", 15: "\t", 28: "\n", 57: " ",
	16: "qQ", 17: "wW", 18: "eE", 19: "rR", 20: "tT", 21: "yY", 22: "uU", 23: "iI", 24: "oO", 25: "pP",
	26: "[{", 27: "]}",
	30: "aA", 31: "sS", 32: "dD", 33: "fF", 34: "gG", 35: "hH", 36: "jJ", 37: "kK", 38: "lL",
	39: ";:", 40: "'\"", 41: "`~", 43: "\\|",
	44: "zZ", 45: "xX", 46: "cC", 47: "vV", 48: "bB", 49: "nN", 50: "mM",
	51: ",<", 52: ".>", 53: "/?",
	// Keypad.
	71: "7", 72: "8", 73: "9", 74: "-", 75: "4", 76: "5", 77: "6", 78: "+",
	79: "1", 80: "2", 81: "3", 82: "0", 83: ".", 55: "*", 98: "/", 96: "\n",
}
