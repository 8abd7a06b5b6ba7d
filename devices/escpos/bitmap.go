package escpos

import (
	"image"
	"image/color"
)

// Bitmap is a 1-bit image packed as GS v 0 wants it: rows of Stride() bytes,
// the leftmost dot in the high bit, 1 = black.
type Bitmap struct {
	W, H int
	Pix  []byte
}

// NewBitmap returns a white w×h bitmap.
func NewBitmap(w, h int) *Bitmap {
	return &Bitmap{W: w, H: h, Pix: make([]byte, (w+7)/8*h)}
}

// Stride returns the bytes per row.
func (b *Bitmap) Stride() int { return (b.W + 7) / 8 }

// Set makes the dot at x, y black (on) or white.
func (b *Bitmap) Set(x, y int, on bool) {
	if x < 0 || y < 0 || x >= b.W || y >= b.H {
		return
	}
	i, m := y*b.Stride()+x/8, byte(0x80>>(x%8))
	if on {
		b.Pix[i] |= m
	} else {
		b.Pix[i] &^= m
	}
}

// Black reports whether the dot at x, y is black.
func (b *Bitmap) Black(x, y int) bool {
	if x < 0 || y < 0 || x >= b.W || y >= b.H {
		return false
	}
	return b.Pix[y*b.Stride()+x/8]&(0x80>>(x%8)) != 0
}

// ColorModel, Bounds and At make a Bitmap an [image.Image].
func (b *Bitmap) ColorModel() color.Model { return color.GrayModel }

// Bounds returns the image rectangle.
func (b *Bitmap) Bounds() image.Rectangle { return image.Rect(0, 0, b.W, b.H) }

// At returns black or white.
func (b *Bitmap) At(x, y int) color.Color {
	if b.Black(x, y) {
		return color.Gray{}
	}
	return color.Gray{Y: 0xff}
}

// Threshold packs an alpha mask: coverage ≥ 50 % becomes black.
func Threshold(m *image.Alpha) *Bitmap {
	r := m.Bounds()
	b := NewBitmap(r.Dx(), r.Dy())
	for y := 0; y < r.Dy(); y++ {
		row := m.Pix[(y)*m.Stride : y*m.Stride+r.Dx()]
		for x, a := range row {
			if a >= 0x80 {
				b.Pix[y*b.Stride()+x/8] |= 0x80 >> (x % 8)
			}
		}
	}
	return b
}

// Ink returns the smallest rectangle holding every black dot (empty if none).
func (b *Bitmap) Ink() image.Rectangle {
	x0, y0, x1, y1 := b.W, b.H, 0, 0
	for y := 0; y < b.H; y++ {
		for x := 0; x < b.W; x++ {
			if b.Black(x, y) {
				x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x+1), max(y1, y+1)
			}
		}
	}
	if x1 <= x0 {
		return image.Rectangle{}
	}
	return image.Rect(x0, y0, x1, y1)
}

// Crop returns a copy of the part of b inside r.
func (b *Bitmap) Crop(r image.Rectangle) *Bitmap {
	r = r.Intersect(b.Bounds())
	c := NewBitmap(r.Dx(), r.Dy())
	for y := 0; y < r.Dy(); y++ {
		for x := 0; x < r.Dx(); x++ {
			if b.Black(r.Min.X+x, r.Min.Y+y) {
				c.Pix[y*c.Stride()+x/8] |= 0x80 >> (x % 8)
			}
		}
	}
	return c
}
