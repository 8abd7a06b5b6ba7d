package escpos

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestEncoderGolden(t *testing.T) {
	img := NewBitmap(10, 3) // 2 bytes per row
	img.Set(0, 0, true)
	img.Set(9, 2, true)
	tall := NewBitmap(8, 5)
	for y := range 5 {
		tall.Set(y, y, true)
	}
	tests := []struct {
		name string
		f    func(e *Encoder)
		want []byte
	}{
		{"init", func(e *Encoder) { e.Init() }, []byte{0x1b, 0x40}},
		{"align left", func(e *Encoder) { e.Align(Left) }, []byte{0x1b, 0x61, 0}},
		{"align center", func(e *Encoder) { e.Align(Center) }, []byte{0x1b, 0x61, 1}},
		{"align right", func(e *Encoder) { e.Align(Right) }, []byte{0x1b, 0x61, 2}},
		{"size 1x1", func(e *Encoder) { e.Size(1, 1) }, []byte{0x1d, 0x21, 0x00}},
		{"size 2x3", func(e *Encoder) { e.Size(2, 3) }, []byte{0x1d, 0x21, 0x12}},
		{"size 8x8", func(e *Encoder) { e.Size(8, 8) }, []byte{0x1d, 0x21, 0x77}},
		{"bold on", func(e *Encoder) { e.Bold(true) }, []byte{0x1b, 0x45, 1}},
		{"bold off", func(e *Encoder) { e.Bold(false) }, []byte{0x1b, 0x45, 0}},
		{"font B", func(e *Encoder) { e.Font(FontB) }, []byte{0x1b, 0x4d, 1}},
		{"code page 30", func(e *Encoder) { e.CodePage(PageTCVN3) }, []byte{0x1b, 0x74, 30}},
		{"code page 31", func(e *Encoder) { e.CodePage(PageTCVN3Upper) }, []byte{0x1b, 0x74, 31}},
		{"text LF", func(e *Encoder) { e.Text([]byte("Hi")).LF() }, []byte{'H', 'i', 0x0a}},
		{"feed lines", func(e *Encoder) { e.FeedLines(3) }, []byte{0x1b, 0x64, 3}},
		{"feed dots", func(e *Encoder) { e.FeedDots(24) }, []byte{0x1b, 0x4a, 24}},
		{"raster", func(e *Encoder) { e.Raster(img, 0) },
			[]byte{0x1d, 0x76, 0x30, 0, 2, 0, 3, 0, 0x80, 0, 0, 0, 0, 0x40}},
		{"raster in bands of 2", func(e *Encoder) { e.Raster(tall, 2) },
			[]byte{0x1d, 0x76, 0x30, 0, 1, 0, 2, 0, 0x80, 0x40, 0x1d, 0x76, 0x30, 0, 1, 0, 2, 0, 0x20, 0x10, 0x1d, 0x76, 0x30, 0, 1, 0, 1, 0, 0x08}},
		{"qr", func(e *Encoder) { e.QR("AB", QROptions{Module: 6, Level: QRLevelM}) }, []byte{
			0x1d, 0x28, 0x6b, 4, 0, 0x31, 0x41, 0x32, 0,
			0x1d, 0x28, 0x6b, 3, 0, 0x31, 0x43, 6,
			0x1d, 0x28, 0x6b, 3, 0, 0x31, 0x45, 0x31,
			0x1d, 0x28, 0x6b, 5, 0, 0x31, 0x50, 0x30, 'A', 'B',
			0x1d, 0x28, 0x6b, 3, 0, 0x31, 0x51, 0x30}},
		{"qr defaults, level H", func(e *Encoder) { e.QR("x", QROptions{Level: QRLevelH}) }, []byte{
			0x1d, 0x28, 0x6b, 4, 0, 0x31, 0x41, 0x32, 0,
			0x1d, 0x28, 0x6b, 3, 0, 0x31, 0x43, 6,
			0x1d, 0x28, 0x6b, 3, 0, 0x31, 0x45, 0x33,
			0x1d, 0x28, 0x6b, 4, 0, 0x31, 0x50, 0x30, 'x',
			0x1d, 0x28, 0x6b, 3, 0, 0x31, 0x51, 0x30}},
		{"code128", func(e *Encoder) { e.Code128("A023", BarcodeOptions{Height: 60, Width: 3, HRI: true}) }, []byte{
			0x1d, 0x68, 60, 0x1d, 0x77, 3, 0x1d, 0x48, 2,
			0x1d, 0x6b, 73, 6, '{', 'B', 'A', '0', '2', '3'}},
		{"partial cut", func(e *Encoder) { e.Cut(PartialCut, 0) }, []byte{0x1d, 0x56, 66, 0}},
		{"full cut after 48 dots", func(e *Encoder) { e.Cut(FullCut, 48) }, []byte{0x1d, 0x56, 65, 48}},
		{"no cut", func(e *Encoder) { e.Cut(NoCut, 0) }, []byte{0x1b, 0x64, 4}},
		{"no cut, 8 dots more", func(e *Encoder) { e.Cut(NoCut, 8) }, []byte{0x1b, 0x64, 4, 0x1b, 0x4a, 8}},
		{"status query 1", func(e *Encoder) { e.StatusQuery(1) }, []byte{0x10, 0x04, 1}},
		{"status query 4", func(e *Encoder) { e.StatusQuery(4) }, []byte{0x10, 0x04, 4}},
		{"auto status", func(e *Encoder) { e.AutoStatus(0x0f) }, []byte{0x1d, 0x61, 0x0f}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e Encoder
			tt.f(&e)
			if e.Err() != nil {
				t.Fatal(e.Err())
			}
			if !bytes.Equal(e.Bytes(), tt.want) {
				t.Errorf("got % x, want % x", e.Bytes(), tt.want)
			}
		})
	}
}

func TestEncoderLongQRLength(t *testing.T) {
	var e Encoder
	data := strings.Repeat("x", 300)
	e.QR(data, QROptions{})
	b := e.Bytes()
	store := b[25:33]
	want := []byte{0x1d, 0x28, 0x6b, 0x2f, 0x01, 0x31, 0x50, 0x30} // 303 = 0x012f
	if !bytes.Equal(store, want) {
		t.Errorf("got % x, want % x", store, want)
	}
}

func TestEncoderErrors(t *testing.T) {
	tests := []struct {
		name string
		f    func(e *Encoder)
		want error
	}{
		{"size 0", func(e *Encoder) { e.Size(0, 1) }, ErrSize},
		{"size 9", func(e *Encoder) { e.Size(1, 9) }, ErrSize},
		{"qr empty", func(e *Encoder) { e.QR("", QROptions{}) }, ErrQRData},
		{"qr too long", func(e *Encoder) { e.QR(strings.Repeat("1", 7090), QROptions{}) }, ErrQRData},
		{"qr module 17", func(e *Encoder) { e.QR("a", QROptions{Module: 17}) }, ErrQROption},
		{"qr level", func(e *Encoder) { e.QR("a", QROptions{Level: 'x'}) }, ErrQROption},
		{"code128 empty", func(e *Encoder) { e.Code128("", BarcodeOptions{}) }, ErrBarcode},
		{"code128 non-ascii", func(e *Encoder) { e.Code128("Đ1", BarcodeOptions{}) }, ErrBarcode},
		{"raster nil", func(e *Encoder) { e.Raster(nil, 0) }, ErrImage},
		{"raster short pix", func(e *Encoder) { e.Raster(&Bitmap{W: 8, H: 2, Pix: []byte{1}}, 0) }, ErrImage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e Encoder
			e.Init()
			tt.f(&e)
			e.LF() // ignored after an error
			if !errors.Is(e.Err(), tt.want) {
				t.Fatalf("got %v, want %v", e.Err(), tt.want)
			}
			if !bytes.Equal(e.Bytes(), []byte{0x1b, 0x40}) {
				t.Errorf("got % x after error, want only ESC @", e.Bytes())
			}
		})
	}
}

func TestParseRoundTrip(t *testing.T) {
	var e Encoder
	img := NewBitmap(16, 2)
	img.Set(3, 1, true)
	e.Init().Align(Center).Bold(true).Size(2, 2).CodePage(30).Font(FontB).Text([]byte("ab")).LF().
		FeedLines(1).FeedDots(5).Raster(img, 0).QR("hello", QROptions{}).Code128("X1", BarcodeOptions{}).
		StatusQuery(2).AutoStatus(0).Cut(PartialCut, 3)
	ops, err := Parse(e.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, op := range ops {
		names = append(names, op.Cmd)
	}
	got := strings.Join(names, ",")
	want := "ESC @,ESC a,ESC E,GS !,ESC t,ESC M,text,LF,ESC d,ESC J,GS v 0,GS ( k,GS ( k,GS ( k,GS ( k,GS ( k,GS h,GS w,GS H,GS k,DLE EOT,GS a,GS V"
	if got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	if last := ops[len(ops)-1]; last.End != e.Len() {
		t.Errorf("last op ends at %d, want %d", last.End, e.Len())
	}
	for _, op := range ops {
		if op.Cmd == "GS ( k" && op.Data != nil && string(op.Data) != "hello" {
			t.Errorf("QR data: got %q, want hello", op.Data)
		}
	}
	if _, err := Parse(e.Bytes()[:e.Len()-1]); !errors.Is(err, ErrShort) {
		t.Errorf("truncated: got %v, want ErrShort", err)
	}
}
