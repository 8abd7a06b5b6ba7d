package display_test

import (
	"bytes"
	"fmt"
	"testing"

	"motcua/display"
)

func TestSegments(t *testing.T) {
	tests := []struct {
		in   string
		want []byte
	}{
		{"A023", []byte{0x77, 0x3F, 0x5B, 0x4F}},
		{"a023", []byte{0x77, 0x3F, 0x5B, 0x4F}},
		{"0123456789", []byte{0x3F, 0x06, 0x5B, 0x4F, 0x66, 0x6D, 0x7D, 0x07, 0x7F, 0x6F}},
		{"BCDEF", []byte{0x7C, 0x39, 0x5E, 0x79, 0x71}},
		{"KMVWXZ", []byte{0x40, 0x40, 0x40, 0x40, 0x40, 0x40}},
		{"Đ7", []byte{0x40, 0x07}},
		{"1.5", []byte{0x06 | 0x80, 0x6D}},
		{".5", []byte{0x80, 0x6D}},
		{"  ", []byte{0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := display.Segments(tt.in); !bytes.Equal(got, tt.want) {
				t.Errorf("got % x, want % x", got, tt.want)
			}
		})
	}
}

// Every letter either has its own glyph, distinct from every digit and every
// other letter, or is reported as not showable.
func TestGlyphsDistinct(t *testing.T) {
	seen := map[byte]rune{}
	for _, r := range "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" {
		g, ok := display.Glyph(r)
		if !ok {
			if g != display.SegG {
				t.Errorf("%c: not showable but glyph %#x, want '-'", r, g)
			}
			continue
		}
		if other, dup := seen[g]; dup && !(r == 'S' && other == '5') && !(r == 'O' && other == '0') {
			t.Errorf("%c and %c share glyph %#x", r, other, g)
		}
		seen[g] = r
	}
	for _, r := range "AbCdEFGHIJLnoPqrStUy" {
		if _, ok := display.Glyph(r); !ok {
			t.Errorf("%c is not showable", r)
		}
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		c     display.Content
		width int
		want  string
	}{
		{display.Content{Counter: 1, Text: "A023"}, 8, "1   A023"},
		{display.Content{Counter: 12, Text: "A023"}, 8, "12  A023"},
		{display.Content{Counter: 1, Text: "A023"}, 4, "A023"},
		{display.Content{Counter: 1, Text: "A023"}, 6, "1 A023"},
		{display.Content{Counter: 12, Text: "A023"}, 6, "  A023"},
		{display.Content{Text: "7"}, 4, "   7"},
		{display.Content{Text: "A1234"}, 4, "1234"},
		{display.Content{Counter: 3}, 4, "    "},
		{display.Content{Text: "a023"}, 4, "A023"},
		{display.Content{Text: "A023"}, 0, ""},
	}
	for _, tt := range tests {
		if got := display.Format(tt.c, tt.width); got != tt.want {
			t.Errorf("Format(%v, %d) = %q, want %q", tt.c, tt.width, got, tt.want)
		}
	}
}

func ExampleFormat() {
	c := display.Content{Counter: 2, Text: "A023"}
	fmt.Printf("%q\n", display.Format(c, 8))
	fmt.Printf("% x\n", display.Segments(display.Format(c, 4)))
	// Output:
	// "2   A023"
	// 77 3f 5b 4f
}
