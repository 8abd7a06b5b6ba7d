package escpos

import (
	"image"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// needTool skips (or fails under CI=true) when an external tool is missing.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not installed (CI=true): %v", name, err)
		}
		t.Skipf("%s not installed: %v", name, err)
	}
	return p
}

// rasterPage stacks the GS v 0 images of a job, as the printer would print
// them (centered), ignoring native text, and scales by k.
func rasterPage(t *testing.T, job []byte, width, k int) *image.Gray {
	t.Helper()
	var imgs []*Bitmap
	h := 0
	for _, op := range opsOf(t, job, "GS v 0") {
		xb, rows := int(op.Args[1])|int(op.Args[2])<<8, int(op.Args[3])|int(op.Args[4])<<8
		bm := &Bitmap{W: xb * 8, H: rows, Pix: op.Data}
		imgs = append(imgs, bm)
		h += rows + 16
	}
	page := image.NewGray(image.Rect(0, 0, (width+32)*k, (h+32)*k))
	draw.Draw(page, page.Bounds(), image.White, image.Point{}, draw.Src)
	y := 16
	for _, bm := range imgs {
		x := 16 + (width-bm.W)/2
		for yy := 0; yy < bm.H; yy++ {
			for xx := 0; xx < bm.W; xx++ {
				if bm.Black(xx, yy) {
					draw.Draw(page, image.Rect((x+xx)*k, (y+yy)*k, (x+xx+1)*k, (y+yy+1)*k), image.Black, image.Point{}, draw.Src)
				}
			}
		}
		y += bm.H + 16
	}
	return page
}

// TestRasterOCR renders the bench ticket in raster mode, rebuilds the page
// from the GS v 0 bytes, and reads it back with tesseract -l vie.
//
// Tolerance: the page is upscaled 2× (at 203 dpi tesseract confuses ộ/ệ
// now and then); white space is collapsed and en dashes compared as '-'
// (tesseract reads '–' as '-'), otherwise every line must come back letter
// for letter, diacritics included.
func TestRasterOCR(t *testing.T) {
	tess := needTool(t, "tesseract")
	if out, err := exec.Command(tess, "--list-langs").CombinedOutput(); err != nil || !strings.Contains(string(out), "\nvie") {
		if os.Getenv("CI") == "true" {
			t.Fatalf("tesseract has no vie data (install tesseract-ocr-vie): %s %v", out, err)
		}
		t.Skip("tesseract has no vie data (install tesseract-ocr-vie)")
	}
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	tk := benchTicket()
	tk.Priority = true
	for _, paper := range []Paper{Paper80, Paper58} {
		t.Run(paper.String(), func(t *testing.T) {
			job, err := r.Render(tk, Layout{Paper: paper, Mode: Raster})
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			in := filepath.Join(dir, "page.png")
			f, err := os.Create(in)
			if err != nil {
				t.Fatal(err)
			}
			if err := png.Encode(f, rasterPage(t, job, paper.Dots(), 2)); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(tess, in, "stdout", "-l", "vie", "--psm", "6").Output()
			if err != nil {
				t.Fatalf("tesseract: %v", err)
			}
			got := ocrNormal(string(out))
			t.Logf("OCR:\n%s", got)
			want := []string{
				"UBND XÃ QUỲNH HẢI",
				"Trung tâm Phục vụ hành chính công",
				"Lĩnh vực: Tư pháp – Hộ tịch",
				"ƯU TIÊN",
				"Ngày 26/11/2026 08:15",
				"Trước quý khách còn 4 người – chờ khoảng 12 phút",
				"Xin cảm ơn quý khách!",
			}
			for _, w := range want {
				if !strings.Contains(got, ocrNormal(w)) {
					t.Errorf("OCR lost %q", w)
				}
			}
		})
	}
}

// ocrNormal is NFC, '–' as '-', white space (also line breaks, since the
// 58 mm paper wraps) collapsed to one space.
func ocrNormal(s string) string {
	s = strings.ReplaceAll(norm.NFC.String(s), "–", "-")
	return strings.Join(strings.Fields(s), " ")
}
