package scanner

import (
	"bytes"
	"context"
	"io"
	"testing"
)

// FuzzHIDPOS feeds any report to the HID POS decoder: the symbol bytes it
// returns lie inside the report, at most 56, and a short report gives
// none.
func FuzzHIDPOS(f *testing.F) {
	for _, r := range [][]byte{
		{2, 7, ']', 'Q', '1', 'H', 'N', '-', '0', '0', '4', '2'},
		append([]byte{2, 200, ']', 'Q', '1'}, bytes.Repeat([]byte{'x'}, 59)...),
		{2, 3}, {}, make([]byte, 64),
	} {
		f.Add(r)
	}
	f.Fuzz(func(t *testing.T, report []byte) {
		text, end, sym := hidposDecoder{}.decode(report)
		if len(report) < hidDataOffset {
			if text != nil || end || sym != "" {
				t.Fatalf("short report gave %q %v %q", text, end, sym)
			}
			return
		}
		if len(text) > hidMaxData || len(text) > int(report[1]) || !bytes.Equal(text, report[hidDataOffset:hidDataOffset+len(text)]) {
			t.Fatalf("got %q from %x", text, report)
		}
		if len(sym) != 3 {
			t.Fatalf("symbology %q", sym)
		}
	})
}

// FuzzEvdev feeds any bytes, cut anywhere, to the key decoder: whatever
// the cut, the text is the same, and every byte is printable ASCII, TAB
// or LF.
func FuzzEvdev(f *testing.F) {
	f.Add([]byte{}, 0)
	ev := make([]byte, 24)
	ev[16], ev[18], ev[20] = evKey, 35, keyPressed
	f.Add(append(append([]byte(nil), ev...), ev...), 30)
	f.Fuzz(func(t *testing.T, in []byte, cut int) {
		whole, _, _ := (&evdevDecoder{size: 24}).decode(in)
		whole = append([]byte(nil), whole...)
		if cut < 0 || cut > len(in) {
			cut = len(in) / 2
		}
		d := &evdevDecoder{size: 24}
		a, _, _ := d.decode(in[:cut])
		got := append([]byte(nil), a...)
		b, _, _ := d.decode(in[cut:])
		got = append(got, b...)
		if !bytes.Equal(got, whole) {
			t.Fatalf("cut at %d: got %q, want %q", cut, got, whole)
		}
		for _, c := range got {
			if (c < ' ' || c > '~') && c != '\t' && c != '\n' {
				t.Fatalf("byte %#x in %q", c, got)
			}
		}
	})
}

// FuzzFramer feeds any bytes in two reads: no scan holds an end byte or is
// empty or longer than MaxLen, and the scans and what is left hold every
// byte that is not an end byte, in order, when nothing was too long.
func FuzzFramer(f *testing.F) {
	f.Add([]byte("HN-0042\r\n000.00.12.H56-261203-0001\r"), 5)
	f.Add([]byte("\r\r\n\n\t"), 1)
	f.Fuzz(func(t *testing.T, in []byte, cut int) {
		c := Config{MaxLen: 16, Open: func(context.Context) (io.ReadCloser, error) { return nil, nil }, OnScan: func(Scan) {}, Kind: KindSerial}
		d, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		if cut < 0 || cut > len(in) {
			cut = len(in) / 2
		}
		fr := framer{cfg: &d.cfg}
		scans := fr.feed(in[:cut])
		scans = append(scans, fr.feed(in[cut:])...)
		if rest := fr.flush(); rest != nil {
			scans = append(scans, rest)
		}
		var joined []byte
		tooLong := false
		for _, s := range scans {
			if len(s) == 0 || bytes.ContainsAny(s, "\r\n") && len(s) <= 16 {
				t.Fatalf("scan %q", s)
			}
			if len(s) > 16 {
				tooLong = true
				continue
			}
			joined = append(joined, s...)
		}
		var want []byte
		for _, b := range in {
			if b != '\r' && b != '\n' {
				want = append(want, b)
			}
		}
		if !tooLong && !bytes.Equal(joined, want) {
			t.Fatalf("got %q, want %q", joined, want)
		}
	})
}
