package escpos

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

func TestPreviewWritesPNG(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv("ESCPOS_PREVIEW_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	for _, mode := range []TextMode{Raster, TCVN3, ASCII} {
		for _, paper := range []Paper{Paper80, Paper58} {
			tk := benchTicket()
			tk.Priority = true
			job, err := r.Render(tk, Layout{Paper: paper, Mode: mode})
			if err != nil {
				t.Fatal(err)
			}
			img, err := r.Preview(job, paper.Dots())
			if err != nil {
				t.Fatal(err)
			}
			if img.Bounds().Dx() != paper.Dots() || img.Bounds().Dy() < 400 {
				t.Errorf("%v %v: got %v, want %d wide and ≥ 400 tall", mode, paper, img.Bounds(), paper.Dots())
			}
			f, err := os.Create(filepath.Join(dir, mode.String()+"-"+paper.String()+".png"))
			if err != nil {
				t.Fatal(err)
			}
			if err := png.Encode(f, img); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
}
