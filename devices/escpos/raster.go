package escpos

import (
	_ "embed"
	"fmt"
	"image"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"golang.org/x/text/unicode/norm"
)

// DejaVu Sans 2.37 from Debian fonts-dejavu-core, subset to what Vietnamese
// tickets need by fonts/subset.sh; licence in fonts/LICENSE.
//
//go:generate sh fonts/subset.sh
var (
	//go:embed fonts/DejaVuSans.ttf
	dejaVuSans []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	dejaVuSansBold []byte
)

// TextRasterizer draws lines of text into 1-bit images with the embedded
// DejaVu Sans. It is safe for concurrent use.
type TextRasterizer struct {
	regular, bold *opentype.Font

	mu    sync.Mutex
	faces map[faceKey]font.Face
	boxes map[faceKey]lineBox
}

type faceKey struct {
	px   float64
	bold bool
}

// NewTextRasterizer parses the embedded fonts.
func NewTextRasterizer() (*TextRasterizer, error) {
	reg, err := opentype.Parse(dejaVuSans)
	if err != nil {
		return nil, fmt.Errorf("escpos: parse DejaVuSans.ttf: %w", err)
	}
	bold, err := opentype.Parse(dejaVuSansBold)
	if err != nil {
		return nil, fmt.Errorf("escpos: parse DejaVuSans-Bold.ttf: %w", err)
	}
	return &TextRasterizer{regular: reg, bold: bold, faces: map[faceKey]font.Face{}, boxes: map[faceKey]lineBox{}}, nil
}

// face returns a cached face; r.mu must be held (faces are not safe for
// concurrent use).
func (r *TextRasterizer) face(px float64, bold bool) (font.Face, error) {
	k := faceKey{px, bold}
	if f, ok := r.faces[k]; ok {
		return f, nil
	}
	src := r.regular
	if bold {
		src = r.bold
	}
	f, err := opentype.NewFace(src, &opentype.FaceOptions{Size: px, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, fmt.Errorf("escpos: font face %.0f px: %w", px, err)
	}
	r.faces[k] = f
	return f, nil
}

// Lines draws text (NFC-normalised first) at px pixels per em, word-wrapped
// to width dots, one bitmap per printed line, each cropped to its ink (a
// line without ink, e.g. only spaces, is a bitmap of height 0).
func (r *TextRasterizer) Lines(text string, px float64, bold bool, width int) ([]*Bitmap, error) {
	lines, _, err := r.lines(text, px, bold, width)
	if err != nil {
		return nil, err
	}
	out := make([]*Bitmap, len(lines))
	for i, l := range lines {
		out[i] = l.img
	}
	return out, nil
}

// inkLine is one drawn line: its ink, and where the ink's top row sits
// below the top of the line box.
type inkLine struct {
	img *Bitmap
	top int
}

// lineBox is the vertical extent of a face's lines: from the top of the
// highest mark of any Vietnamese capital (Ẫ, Ẩ reach above the font's
// ascent) to the bottom of the lowest descender or dot below, in dots
// relative to the baseline (Top is negative).
type lineBox struct{ Top, Bottom int }

// Height returns the box's height in dots.
func (b lineBox) Height() int { return b.Bottom - b.Top }

// boxSample returns every letter a ticket may print: ASCII and all
// Vietnamese letters in both cases.
func boxSample() string {
	var sb strings.Builder
	for c := rune(0x21); c < 0x7f; c++ {
		sb.WriteRune(c)
	}
	for _, c := range tcvn3Lower {
		sb.WriteRune(c)
		sb.WriteRune(unicode.ToUpper(c))
	}
	return sb.String()
}

// box returns the line box of a face; r.mu must be held.
func (r *TextRasterizer) box(k faceKey, f font.Face) lineBox {
	if b, ok := r.boxes[k]; ok {
		return b
	}
	m := f.Metrics()
	ink, _ := font.BoundString(f, boxSample())
	b := lineBox{
		Top:    min(-m.Ascent.Ceil(), ink.Min.Y.Floor()),
		Bottom: max(m.Descent.Ceil(), ink.Max.Y.Ceil()),
	}
	r.boxes[k] = b
	return b
}

// lines is Lines that also says where each line's ink sits in the face's
// line box, so that lines can be printed a whole box apart.
func (r *TextRasterizer) lines(text string, px float64, bold bool, width int) ([]inkLine, lineBox, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f, err := r.face(px, bold)
	if err != nil {
		return nil, lineBox{}, err
	}
	box := r.box(faceKey{px, bold}, f)
	var out []inkLine
	for _, line := range wrap(norm.NFC.String(text), width, func(s string) int {
		return font.MeasureString(f, s).Ceil()
	}) {
		img, top := drawLine(f, line)
		out = append(out, inkLine{img, top - box.Top})
	}
	return out, box, nil
}

// drawLine draws s cropped to its ink; top is the ink's first row relative
// to the baseline.
func drawLine(f font.Face, s string) (img *Bitmap, top int) {
	b, _ := font.BoundString(f, s)
	x0, y0 := b.Min.X.Floor(), b.Min.Y.Floor()
	w, h := b.Max.X.Ceil()-x0, b.Max.Y.Ceil()-y0
	if w <= 0 || h <= 0 {
		return NewBitmap(1, 0), 0
	}
	m := image.NewAlpha(image.Rect(0, 0, w, h))
	d := font.Drawer{Dst: m, Src: image.Opaque, Face: f, Dot: fixed.Point26_6{X: fixed.I(-x0), Y: fixed.I(-y0)}}
	d.DrawString(s)
	bm := Threshold(m)
	ink := bm.Ink()
	if ink.Empty() {
		return NewBitmap(1, 0), 0
	}
	return bm.Crop(ink), y0 + ink.Min.Y
}

// wrap splits s into lines no wider than width by measure. Lines break
// between words, never inside one, and rather at a phrase's end (after a
// dash, comma, colon or semicolon) than inside a phrase: "UBND XÃ QUỲNH
// HẢI –" / "BỘ PHẬN MỘT CỬA", not "… – BỘ" / "PHẬN MỘT CỬA". A number
// stays with the word after it, its unit: "15 phút" is never split. Only
// a single word wider than width is broken, between runes.
func wrap(s string, width int, measure func(string) int) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		if para = strings.TrimSpace(para); measure(para) <= width {
			lines = append(lines, para)
			continue
		}
		cur := ""
		// put adds text to the line, or starts a new one.
		put := func(text string) {
			try := text
			if cur != "" {
				try = cur + " " + text
			}
			if measure(try) <= width {
				cur = try
				return
			}
			if cur != "" {
				lines = append(lines, cur)
			}
			cur = text
			for measure(cur) > width {
				rs := []rune(cur)
				n := len(rs) - 1
				for n > 1 && measure(string(rs[:n])) > width {
					n--
				}
				lines = append(lines, string(rs[:n]))
				cur = string(rs[n:])
			}
		}
		for _, phrase := range phrases(para) {
			try := phrase
			if cur != "" {
				try = cur + " " + phrase
			}
			switch {
			case measure(try) <= width:
				cur = try
			case measure(phrase) <= width:
				// The phrase fits a line of its own: start one.
				lines = append(lines, cur)
				cur = phrase
			default:
				for _, w := range units(phrase) {
					put(w)
				}
			}
		}
		lines = append(lines, cur)
	}
	return lines
}

// phrases splits a line of text after the words that end a phrase: a
// dash, or a word ending in a comma, colon or semicolon.
func phrases(s string) []string {
	var out []string
	start := 0
	words := strings.Fields(s)
	for i, w := range words {
		if w == "–" || w == "-" || w == "—" || strings.HasSuffix(w, ",") || strings.HasSuffix(w, ":") || strings.HasSuffix(w, ";") {
			out = append(out, strings.Join(words[start:i+1], " "))
			start = i + 1
		}
	}
	if start < len(words) {
		out = append(out, strings.Join(words[start:], " "))
	}
	return out
}

// units splits a phrase into the pieces a line may break between: words,
// with a number kept together with the word after it.
func units(s string) []string {
	words := strings.Fields(s)
	var out []string
	for i := 0; i < len(words); i++ {
		if isNumber(words[i]) && i+1 < len(words) {
			out = append(out, words[i]+" "+words[i+1])
			i++
			continue
		}
		out = append(out, words[i])
	}
	return out
}

// isNumber reports whether w is a number: digits, with separators inside
// ("1.000", "7,5", "08:30").
func isNumber(w string) bool {
	digits := 0
	for _, r := range w {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '.' || r == ',' || r == ':' || r == '/':
		default:
			return false
		}
	}
	return digits > 0
}

// runeWidth measures a string in fixed-width columns.
func runeWidth(s string) int { return len([]rune(s)) }
