package display

import "unicode"

// Segment bits of a seven-segment digit, in the common "gfedcba" order used
// by HT16K33 backpacks and most datasheets: a is the top bar, then clockwise
// b, c, d (bottom), e, f, and g in the middle; DP is the decimal point.
const (
	SegA  byte = 1 << 0
	SegB  byte = 1 << 1
	SegC  byte = 1 << 2
	SegD  byte = 1 << 3
	SegE  byte = 1 << 4
	SegF  byte = 1 << 5
	SegG  byte = 1 << 6
	SegDP byte = 1 << 7
)

// glyphs maps upper-case letters, digits and a few signs to segments. Letters
// that cannot be told apart from a digit or another letter on seven segments
// (K, M, V, W, X, Z) are missing, and show as '-'. B, D, N, O, Q, R, T and Y
// use their lower-case shapes; I lights the left bars so it is not a 1.
var glyphs = map[rune]byte{
	'0': SegA | SegB | SegC | SegD | SegE | SegF,
	'1': SegB | SegC,
	'2': SegA | SegB | SegD | SegE | SegG,
	'3': SegA | SegB | SegC | SegD | SegG,
	'4': SegB | SegC | SegF | SegG,
	'5': SegA | SegC | SegD | SegF | SegG,
	'6': SegA | SegC | SegD | SegE | SegF | SegG,
	'7': SegA | SegB | SegC,
	'8': SegA | SegB | SegC | SegD | SegE | SegF | SegG,
	'9': SegA | SegB | SegC | SegD | SegF | SegG,
	'A': SegA | SegB | SegC | SegE | SegF | SegG,
	'B': SegC | SegD | SegE | SegF | SegG,
	'C': SegA | SegD | SegE | SegF,
	'D': SegB | SegC | SegD | SegE | SegG,
	'E': SegA | SegD | SegE | SegF | SegG,
	'F': SegA | SegE | SegF | SegG,
	'G': SegA | SegC | SegD | SegE | SegF,
	'H': SegB | SegC | SegE | SegF | SegG,
	'I': SegE | SegF,
	'J': SegB | SegC | SegD | SegE,
	'L': SegD | SegE | SegF,
	'N': SegC | SegE | SegG,
	'O': SegC | SegD | SegE | SegG,
	'P': SegA | SegB | SegE | SegF | SegG,
	'Q': SegA | SegB | SegC | SegF | SegG,
	'R': SegE | SegG,
	'S': SegA | SegC | SegD | SegF | SegG,
	'T': SegD | SegE | SegF | SegG,
	'U': SegB | SegC | SegD | SegE | SegF,
	'Y': SegB | SegC | SegD | SegF | SegG,
	'-': SegG,
	'_': SegD,
	' ': 0,
}

// Glyph returns the segments for r, case-insensitively. For a character
// that seven segments cannot show it returns '-' (the middle bar) and false.
func Glyph(r rune) (seg byte, ok bool) {
	if g, ok := glyphs[unicode.ToUpper(r)]; ok {
		return g, true
	}
	return SegG, false
}

// Segments returns one byte of segments per character of s. A '.' lights
// the decimal point of the character before it instead of taking a place
// (or a place of its own at the start).
func Segments(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if r == '.' {
			if len(out) > 0 && out[len(out)-1]&SegDP == 0 {
				out[len(out)-1] |= SegDP
			} else {
				out = append(out, SegDP)
			}
			continue
		}
		g, _ := Glyph(r)
		out = append(out, g)
	}
	return out
}
