package scan_test

import (
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"motcua/devices/escpos"
	"motcua/kiosk/scan"
)

// TestRealQRCodes draws the QR codes a citizen brings (an invented
// citizen's ID card, a receipt, a slip, a booking) and has zbarimg, an
// independent decoder, read them back, as a scanner would: the text it
// gives is classified as the same thing. It checks that the card's UTF-8
// survives a QR code in byte mode, read as bytes (-Sqrcode.binary): left
// to guess the character set, zbar reads "Đăng ký" as Shift-JIS, which is
// why scanners must be set to pass the bytes on (docs/scanners.md).
func TestRealQRCodes(t *testing.T) {
	bin, err := exec.LookPath("zbarimg")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("zbarimg not installed (CI=true): %v", err)
		}
		t.Skipf("zbarimg not installed (apt-get install zbar-tools): %v", err)
	}
	tests := []struct {
		text string
		want scan.Kind
	}{
		{"038152999901|123999001|Trần Thị Mẫu|14071952|Nữ|Thôn Thử Nghiệm, Xã Mẫu, Tỉnh Giả Định|01032021", scan.KindIDCard},
		{"001206999903||Lê Văn Thử|05092006|Nam|Phường Giả Định, Thành phố Mẫu|15082024|Lê Văn Cha|001080999904|Nguyễn Thị Mẹ|001185999906||", scan.KindIDCard},
		{`{"MaHoSo":"000.00.12.H56-261203-0001","TenThuTuc":"Đăng ký khai sinh"}`, scan.KindReceipt},
		{"Mã hồ sơ: 000.00.12.H56-261203-0001\nNgày hẹn trả: 10/12/2026", scan.KindSlip},
		{"https://ihanoi.example.gov.vn/lich-hen?code=HN-0042", scan.KindAppointment},
	}
	for _, tt := range tests {
		img, err := escpos.QRBitmap(tt.text, escpos.QROptions{Module: 4})
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(t.TempDir(), "qr.png")
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
		f.Close()
		out, err := exec.Command(bin, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", "-Sqrcode.binary", p).Output()
		if err != nil {
			t.Fatalf("zbarimg read nothing: %v", err)
		}
		read := strings.TrimSuffix(string(out), "\n")
		if read != tt.text {
			t.Errorf("zbarimg read %q, want %q", read, tt.text)
		}
		if got := scan.Classify(read); got.Kind != tt.want {
			t.Errorf("%.30q: got %v (%v), want %v", read, got.Kind, got.Err, tt.want)
		}
	}
}
