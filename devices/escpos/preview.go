package escpos

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
)

// Preview draws a job as a printer would print it, for the simulated
// printer and for people checking a layout: raster images dot for dot, text
// in DejaVu Sans at the printer font's size, decoded from the code page in
// force. A native QR code is drawn for real (see [QRBitmap]), so that a
// phone scans it from the preview, with its data written below; a barcode
// is a framed box of its size with its data below. width is the paper
// width in dots.
func (r *Renderer) Preview(job []byte, width int) (*image.Gray, error) {
	ops, err := Parse(job)
	if err != nil {
		return nil, err
	}
	p := &previewer{r: r, width: width, page: 0}
	p.reset()
	for _, op := range ops {
		if err := p.op(op); err != nil {
			return nil, err
		}
	}
	p.flush(false)
	img := image.NewGray(image.Rect(0, 0, width, max(p.y, 1)))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	for _, b := range p.blits {
		draw.Draw(img, b.r, b.img, image.Point{}, draw.Over)
	}
	return img, nil
}

type blit struct {
	r   image.Rectangle
	img image.Image
}

type previewer struct {
	r       *Renderer
	width   int
	y       int
	align   Align
	bold    bool
	font    Font
	sw, sh  int
	page    byte
	line    strings.Builder
	qrMod   int
	qrLevel QRLevel
	barH    int
	blits   []blit
	lineBig int // tallest scale in the current line
}

func (p *previewer) reset() {
	p.align, p.bold, p.font, p.sw, p.sh, p.page, p.qrMod, p.barH = Left, false, FontA, 1, 1, 0, 3, 162
	p.qrLevel = QRLevelL
}

func (p *previewer) op(op Op) error {
	switch op.Cmd {
	case "ESC @":
		p.flush(false)
		p.reset()
	case "ESC a":
		p.align = Align(op.Args[0] % 3)
	case "ESC E":
		p.bold = op.Args[0]&1 == 1
	case "ESC M":
		p.font = Font(op.Args[0] & 1)
	case "ESC t":
		p.page = op.Args[0]
	case "GS !":
		p.sw, p.sh = int(op.Args[0]>>4)+1, int(op.Args[0]&7)+1
	case "GS h":
		p.barH = int(op.Args[0])
	case "text":
		p.line.WriteString(DecodeText(p.page, op.Data))
		p.lineBig = max(p.lineBig, p.sh)
	case "LF":
		p.flush(true)
	case "ESC d":
		p.flush(false)
		p.y += int(op.Args[0]) * 30
	case "ESC J":
		p.flush(false)
		p.y += int(op.Args[0])
	case "GS v 0":
		p.flush(false)
		xb, h := int(op.Args[1])|int(op.Args[2])<<8, int(op.Args[3])|int(op.Args[4])<<8
		bm := &Bitmap{W: xb * 8, H: h, Pix: op.Data}
		p.place(bm, bm.W, h)
	case "GS ( k":
		if len(op.Args) >= 3 && op.Args[1] == 'C' {
			p.qrMod = int(op.Args[2])
		}
		if len(op.Args) >= 3 && op.Args[1] == 'E' {
			p.qrLevel = QRLevel(op.Args[2])
		}
		if op.Data != nil {
			p.flush(false)
			if img, err := QRBitmap(string(op.Data), QROptions{Module: p.qrMod, Level: p.qrLevel}); err == nil {
				p.place(img, img.W, img.H)
			} else {
				side := qrSide(len(op.Data)) * p.qrMod
				p.place(box(side, side), side, side)
			}
			return p.caption(string(op.Data))
		}
	case "GS k":
		p.flush(false)
		w := min(p.width, 11*(len(op.Data)+3)*2)
		p.place(box(w, p.barH), w, p.barH)
		return p.caption(string(op.Data))
	case "GS V":
		p.flush(false)
		for x := 0; x < p.width; x += 8 {
			p.blits = append(p.blits, blit{image.Rect(x, p.y+4, x+4, p.y+5), image.Black})
		}
		p.y += 10
	}
	return nil
}

// qrSide estimates the modules of a byte-mode model 2 symbol at level M.
func qrSide(n int) int {
	caps := []int{14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251, 287, 331, 362, 412}
	for v, c := range caps {
		if n <= c {
			return 17 + 4*(v+1)
		}
	}
	return 177
}

func box(w, h int) image.Image {
	b := NewBitmap(w, h)
	for x := 0; x < w; x++ {
		b.Set(x, 0, true)
		b.Set(x, h-1, true)
	}
	for y := 0; y < h; y++ {
		b.Set(0, y, true)
		b.Set(w-1, y, true)
	}
	return b
}

func (p *previewer) place(img image.Image, w, h int) {
	x := 0
	switch p.align {
	case Center:
		x = (p.width - w) / 2
	case Right:
		x = p.width - w
	}
	p.blits = append(p.blits, blit{image.Rect(x, p.y, x+w, p.y+h), img})
	p.y += h
}

func (p *previewer) caption(s string) error {
	img, err := p.textImage(s, 16, false)
	if err != nil {
		return err
	}
	p.place(img, min(p.width, img.Bounds().Dx()), img.Bounds().Dy())
	return nil
}

func (p *previewer) textImage(s string, px float64, bold bool) (*image.Gray, error) {
	r := p.r.text
	r.mu.Lock()
	defer r.mu.Unlock()
	f, err := r.face(px, bold)
	if err != nil {
		return nil, err
	}
	m := f.Metrics()
	w := font.MeasureString(f, s).Ceil() + 1
	h := (m.Ascent + m.Descent).Ceil()
	img := image.NewGray(image.Rect(0, 0, max(w, 1), max(h, 1)))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	d := font.Drawer{Dst: img, Src: image.NewUniform(color.Black), Face: f, Dot: fixed.Point26_6{Y: m.Ascent}}
	d.DrawString(s)
	return img, nil
}

// flush draws the pending text line; lf says whether a line feed ended it
// (an empty line still feeds).
func (p *previewer) flush(lf bool) {
	s := p.line.String()
	p.line.Reset()
	cellH, px := 24, 22.0
	if p.font == FontB {
		cellH, px = 17, 16
	}
	big := max(p.lineBig, 1)
	p.lineBig = 0
	if s == "" {
		if lf {
			p.y += (cellH + 6) * p.sh
		}
		return
	}
	size := px * float64(big)
	img, err := p.textImage(s, size, p.bold)
	if err != nil {
		return
	}
	// The printer's cell is narrower than DejaVu: shrink to the width the
	// printer would use (measured before anything is clipped to the paper,
	// so that a line that fits on paper shows all its characters).
	cellW := 12
	if p.font == FontB {
		cellW = 9
	}
	want := len([]rune(s)) * cellW * p.sw
	for try := 0; try < 8 && img.Bounds().Dx() > want; try++ {
		// Glyph widths do not scale exactly with the size: after the first
		// try, step down a little more. Quarter pixels keep the renderer's
		// face cache small.
		size *= float64(want) / float64(img.Bounds().Dx()) * (1 - 0.01*float64(try))
		size = math.Floor(size*4) / 4
		if img, err = p.textImage(s, size, p.bold); err != nil {
			return
		}
	}
	w := min(p.width, img.Bounds().Dx())
	saved := p.y
	p.place(img, w, img.Bounds().Dy())
	p.y = saved + max((cellH+6)*big, img.Bounds().Dy())
}
