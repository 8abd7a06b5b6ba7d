package escpos

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// TextMode is how Vietnamese text reaches the paper.
type TextMode uint8

// Text modes. The zero value is [Raster].
const (
	// Raster draws each line that is not pure ASCII with the embedded DejaVu
	// Sans and sends it as a GS v 0 image: right on any printer, more bytes.
	Raster TextMode = iota
	// TCVN3 sends text in the TCVN-3 code pages (Epson ESC t 30 for
	// lowercase, 31 for capitals, switched per run): few bytes, for slow
	// serial lines and printers that have those pages.
	TCVN3
	// ASCII folds diacritics away ("Mời số" prints as "Moi so").
	ASCII
)

// Epson code pages for TCVN-3.
const (
	PageTCVN3      = 30 // TCVN-3 lowercase font
	PageTCVN3Upper = 31 // TCVN-3 capitals font
)

func (m TextMode) String() string {
	switch m {
	case Raster:
		return "raster"
	case TCVN3:
		return "tcvn3"
	case ASCII:
		return "ascii"
	}
	return fmt.Sprintf("TextMode(%d)", uint8(m))
}

// ParseTextMode parses "raster", "tcvn3" or "ascii" ("" means raster).
func ParseTextMode(s string) (TextMode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "raster":
		return Raster, nil
	case "tcvn3", "tcvn-3":
		return TCVN3, nil
	case "ascii":
		return ASCII, nil
	}
	return 0, fmt.Errorf("%w: %q", ErrTextMode, s)
}

// tcvn3Lower lists the 67 lowercase Vietnamese letters of TCVN-3 (TCVN
// 5712:1993 VN3) in the order of their bytes in tcvn3LowerBytes. In the
// capitals font (page 31) the same byte prints the capital letter.
const tcvn3Lower = "ăâêôơưđàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"

var tcvn3LowerBytes = [67]byte{
	0xA8, 0xA9, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBB, 0xBC, 0xBD, 0xBE,
	0xC6, 0xC7, 0xC8, 0xC9, 0xCA, 0xCB, 0xCC, 0xCE, 0xCF, 0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6,
	0xD7, 0xD8, 0xDC, 0xDD, 0xDE, 0xDF, 0xE1, 0xE2, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA,
	0xEB, 0xEC, 0xED, 0xEE, 0xEF, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9, 0xFA, 0xFB,
	0xFC, 0xFD, 0xFE,
}

// tcvn3Char says where a rune lives in TCVN-3: its byte and its page.
type tcvn3Char struct {
	b    byte
	page byte
}

// tcvn3Table is built by newTCVN3Table; it is read-only afterwards.
type tcvn3Table map[rune]tcvn3Char

// newTCVN3Table maps lowercase letters to page 30 and capitals to page 31.
// In the capitals font a lowercase letter's byte prints its capital, except
// for Ă Â Đ, which sit at 0xA1, 0xA2, 0xA7 (TCVN 5712 puts all seven
// capitals Ă Â Ê Ô Ơ Ư Đ at 0xA1–0xA7 in both fonts; we use only the
// positions that receipt-printer-encoder's Epson tables agree with, since
// no printer was at hand to check the rest).
func newTCVN3Table() tcvn3Table {
	t := make(tcvn3Table, 2*67)
	i := 0
	for _, r := range tcvn3Lower {
		t[r] = tcvn3Char{tcvn3LowerBytes[i], PageTCVN3}
		t[unicode.ToUpper(r)] = tcvn3Char{tcvn3LowerBytes[i], PageTCVN3Upper}
		i++
	}
	t['Ă'] = tcvn3Char{0xA1, PageTCVN3Upper}
	t['Â'] = tcvn3Char{0xA2, PageTCVN3Upper}
	t['Đ'] = tcvn3Char{0xA7, PageTCVN3Upper}
	return t
}

// foldPunct maps punctuation that no target code page has to ASCII.
func foldPunct(r rune) (string, bool) {
	switch r {
	case '–', '—', '‒', '−':
		return "-", true
	case '‘', '’', '‚':
		return "'", true
	case '“', '”', '„':
		return `"`, true
	case '…':
		return "...", true
	case '\u00a0', '\u2009', '\u202f':
		return " ", true
	case '·', '•':
		return "*", true
	}
	return "", false
}

// FoldASCII returns s in printable ASCII: NFC first, then Vietnamese letters
// lose their marks (đ → d, Đ → D), dashes and quotes become ASCII, and
// anything else becomes '?'.
func FoldASCII(s string) string {
	var sb strings.Builder
	for _, r := range norm.NFC.String(s) {
		sb.WriteString(foldRune(r))
	}
	return sb.String()
}

func foldRune(r rune) string {
	switch {
	case r >= 0x20 && r < 0x7f:
		return string(r)
	case r == 'đ':
		return "d"
	case r == 'Đ':
		return "D"
	}
	if p, ok := foldPunct(r); ok {
		return p
	}
	d := norm.NFD.String(string(r))
	if c, _ := utf8.DecodeRuneInString(d); c < 0x7f && c >= 0x20 {
		return string(c)
	}
	return "?"
}

// IsASCII reports whether s is printable ASCII only (such a line prints in
// the printer's own font in every mode).
func IsASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// TCVN3Encoder turns text into TCVN-3 bytes with ESC t switches. It remembers
// the page selected last, so switches happen only when a character needs the
// other page. Create one per print job; the printer starts on page 0.
type TCVN3Encoder struct {
	table tcvn3Table
	page  int // -1: unknown
}

// NewTCVN3Encoder returns an encoder that assumes the page is unknown.
func NewTCVN3Encoder() *TCVN3Encoder { return &TCVN3Encoder{table: newTCVN3Table(), page: -1} }

// Reset forgets the current page (after ESC @).
func (t *TCVN3Encoder) Reset() { t.page = -1 }

// Append appends s (NFC-normalised first) to e as TCVN-3 text, with the
// ESC t commands it needs. Characters that TCVN-3 lacks are folded as
// [FoldASCII] does. It reports how many characters had to be folded or
// replaced, dashes not counted.
func (t *TCVN3Encoder) Append(e *Encoder, s string) int {
	lost := 0
	s = norm.NFC.String(s)
	for _, r := range s {
		if r >= 0x20 && r < 0x7f {
			e.put(byte(r))
			continue
		}
		c, ok := t.table[r]
		if !ok {
			f := foldRune(r)
			if _, punct := foldPunct(r); !punct {
				lost++
			}
			e.put([]byte(f)...)
			continue
		}
		if page := int(c.page); page != t.page {
			e.CodePage(byte(page))
			t.page = page
		}
		e.put(c.b)
	}
	return lost
}

// DecodeText turns bytes printed in code page page back into text, for the
// pages this package emits: 0 (PC437, ASCII half only), 30 and 31. Bytes it
// cannot map become U+FFFD.
func DecodeText(page byte, p []byte) string {
	t := newTCVN3Table()
	var lower, upper [256]rune
	for r, c := range t {
		if c.page == PageTCVN3 {
			lower[c.b] = r
		} else {
			upper[c.b] = r
		}
	}
	var sb strings.Builder
	for _, b := range p {
		switch {
		case b < 0x80:
			sb.WriteByte(b)
		case page == PageTCVN3 && lower[b] != 0:
			sb.WriteRune(lower[b])
		case page == PageTCVN3Upper && upper[b] != 0:
			sb.WriteRune(upper[b])
		default:
			sb.WriteRune(utf8.RuneError)
		}
	}
	return sb.String()
}
