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

// DejaVu Sans 2.37 from Debian fonts-dejavu-core; licence in fonts/LICENSE.
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

// wrap splits s into lines no wider than width by measure, breaking at
// spaces; a word wider than width is broken between runes.
func wrap(s string, width int, measure func(string) int) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		words := strings.Fields(para)
		if len(words) > 0 && measure(strings.TrimSpace(para)) <= width {
			lines = append(lines, strings.TrimSpace(para))
			continue
		}
		if len(words) == 0 {
			lines = append(lines, "")
			continue
		}
		cur := ""
		for _, w := range words {
			try := w
			if cur != "" {
				try = cur + " " + w
			}
			if measure(try) <= width {
				cur = try
				continue
			}
			if cur != "" {
				lines = append(lines, cur)
			}
			cur = w
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
		lines = append(lines, cur)
	}
	return lines
}

// runeWidth measures a string in fixed-width columns.
func runeWidth(s string) int { return len([]rune(s)) }
