package escpos

import (
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// zbar reads the QR codes of an image with zbarimg, an independent
// decoder, and returns their texts.
func zbar(t *testing.T, img image.Image) []string {
	t.Helper()
	bin := needTool(t, "zbarimg")
	p := filepath.Join(t.TempDir(), "qr.png")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out, err := exec.Command(bin, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", p).Output()
	if err != nil {
		t.Fatalf("zbarimg found no QR code: %v", err)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// TestQRScans draws tickets with their QR code (native GS ( k and as a
// raster image, 58 and 80 mm paper, every level) and has zbarimg read the
// previews back.
func TestQRScans(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	url := "http://192.168.1.20:8080/t/mfrggzdfmztwq2lknnwg23tpoa"
	for _, tt := range []struct {
		name   string
		layout Layout
	}{
		{"native 80 mm", Layout{Paper: Paper80}},
		{"native 58 mm level H", Layout{Paper: Paper58, QR: QROptions{Level: QRLevelH, Module: 4}}},
		{"image, raster text", Layout{Paper: Paper80, Mode: Raster, QR: QROptions{Image: true}}},
		{"image, padded, level L", Layout{Paper: Paper58, PadImages: true, QR: QROptions{Image: true, Level: QRLevelL}}},
		{"image, tcvn3 text, level Q", Layout{Paper: Paper80, Mode: TCVN3, QR: QROptions{Image: true, Level: QRLevelQ, Module: 3}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			job, err := r.Render(Ticket{Unit: "UBND XÃ QUỲNH HẢI", Service: "Đất đai", Number: "A023", QR: url}, tt.layout)
			if err != nil {
				t.Fatal(err)
			}
			native := len(opsOf(t, job, "GS ( k")) > 0
			if native == tt.layout.QR.Image {
				t.Errorf("native QR commands: got %v, want %v", native, !tt.layout.QR.Image)
			}
			img, err := r.Preview(job, tt.layout.Paper.Dots())
			if err != nil {
				t.Fatal(err)
			}
			if got := zbar(t, img); len(got) != 1 || got[0] != url {
				t.Errorf("zbarimg read %q, want %q", got, url)
			}
		})
	}
}

func TestQRBitmap(t *testing.T) {
	img, err := QRBitmap("HELLO", QROptions{Module: 2})
	if err != nil {
		t.Fatal(err)
	}
	// Version 1: 21 modules and the quiet zone, two dots each.
	if img.W != (21+8)*2 || img.H != img.W {
		t.Errorf("size: got %d×%d, want %d", img.W, img.H, (21+8)*2)
	}
	// The quiet zone is white, the finder's corner black.
	if img.Black(7, 7) || !img.Black(8, 8) {
		t.Error("the quiet zone or the finder pattern is misplaced")
	}
	for _, o := range []QROptions{{Module: 17}, {Level: 'x'}} {
		if _, err := QRBitmap("x", o); err != ErrQROption {
			t.Errorf("%+v: got %v", o, err)
		}
	}
	if _, err := QRBitmap("", QROptions{}); err != ErrQRData {
		t.Errorf("empty: got %v", err)
	}
}
