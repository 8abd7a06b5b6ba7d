package escpos

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// textLines decodes the printed text lines of a job (not images).
func textLines(t *testing.T, job []byte) []string {
	t.Helper()
	ops, err := Parse(job)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	var cur strings.Builder
	page := byte(0)
	for _, op := range ops {
		switch op.Cmd {
		case "ESC @":
			page = 0
		case "ESC t":
			page = op.Args[0]
		case "text":
			cur.WriteString(DecodeText(page, op.Data))
		case "LF":
			lines = append(lines, cur.String())
			cur.Reset()
		}
	}
	return lines
}

func opsOf(t *testing.T, job []byte, cmd string) []Op {
	t.Helper()
	ops, err := Parse(job)
	if err != nil {
		t.Fatal(err)
	}
	var out []Op
	for _, op := range ops {
		if op.Cmd == cmd {
			out = append(out, op)
		}
	}
	return out
}

func TestRenderTextModes(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	tk := benchTicket()
	tk.Priority = true
	tests := []struct {
		mode  TextMode
		paper Paper
		want  []string
	}{
		{TCVN3, Paper80, []string{"UBND XÃ QUỲNH HẢI", "Trung tâm Phục vụ hành chính công", "Lĩnh vực: Tư pháp - Hộ tịch", "A023",
			"ƯU TIÊN", "Ngày 26/11/2026  08:15", "Trước quý khách còn 4 người - chờ khoảng 12 phút", "Xin cảm ơn quý khách!"}},
		{TCVN3, Paper58, []string{"UBND XÃ QUỲNH HẢI", "Trung tâm Phục vụ hành chính", "công", "Lĩnh vực: Tư pháp - Hộ tịch", "A023",
			"ƯU TIÊN", "Ngày 26/11/2026  08:15", "Trước quý khách còn 4 người -", "chờ khoảng 12 phút", "Xin cảm ơn quý khách!"}},
		{ASCII, Paper80, []string{"UBND XA QUYNH HAI", "Trung tam Phuc vu hanh chinh cong", "Linh vuc: Tu phap - Ho tich", "A023",
			"UU TIEN", "Ngay 26/11/2026  08:15", "Truoc quy khach con 4 nguoi - cho khoang 12 phut", "Xin cam on quy khach!"}},
		{Raster, Paper80, []string{"A023"}},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String()+"/"+tt.paper.String(), func(t *testing.T) {
			job, err := r.Render(tk, Layout{Paper: tt.paper, Mode: tt.mode})
			if err != nil {
				t.Fatal(err)
			}
			if got := textLines(t, job); strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got lines\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if !bytes.HasPrefix(job, []byte{ESC, '@'}) || !bytes.HasSuffix(job, []byte{GS, 'V', 66, 0}) {
				t.Errorf("job must start with ESC @ and end with GS V 66 0: % x ... % x", job[:2], job[len(job)-4:])
			}
			// The number in the printer's font at 8×8, bold, centered.
			if !bytes.Contains(job, []byte{GS, '!', 0x77, 'A', '0', '2', '3', LF}) {
				t.Error("number not printed at 8×8")
			}
			qr := opsOf(t, job, "GS ( k")
			if len(qr) != 5 || string(qr[3].Data) != tk.QR || qr[1].Args[2] != 6 || qr[2].Args[2] != byte(QRLevelM) {
				t.Errorf("QR commands: got %v", qr)
			}
			imgs := opsOf(t, job, "GS v 0")
			if tt.mode == Raster {
				if len(imgs) < 7 {
					t.Errorf("got %d images, want ≥ 7 (one per Vietnamese line)", len(imgs))
				}
				for _, im := range imgs {
					if w := int(im.Args[1]) * 8; w > tt.paper.Dots() {
						t.Errorf("image %d dots wide, paper %d", w, tt.paper.Dots())
					}
				}
			} else if len(imgs) != 0 {
				t.Errorf("got %d images in text mode, want 0", len(imgs))
			}
			if tt.mode == ASCII {
				for _, op := range opsOf(t, job, "text") {
					for _, b := range op.Data {
						if b >= 0x80 {
							t.Fatalf("non-ASCII byte %#x in ascii mode", b)
						}
					}
				}
			}
		})
	}
}

func TestRenderSizeGoals(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	raster, err := r.Render(benchTicket(), Layout{Paper: Paper80, Mode: Raster})
	if err != nil {
		t.Fatal(err)
	}
	if len(raster) > 12*1024 {
		t.Errorf("raster 80 mm: got %d B, want ≤ 12288", len(raster))
	}
	tk := benchTicket()
	tcvn, err := r.Render(tk, Layout{Paper: Paper80, Mode: TCVN3})
	if err != nil {
		t.Fatal(err)
	}
	if len(tcvn) > 425 {
		t.Errorf("tcvn3 80 mm: got %d B, want ≤ 425", len(tcvn))
	}
	tk.Service = "Đất đai – ĐĂNG KÝ"
	tcvn, err = r.Render(tk, Layout{Paper: Paper80, Mode: TCVN3})
	if err != nil {
		t.Fatal(err)
	}
	lines := textLines(t, tcvn)
	if lines[2] != "Đất đai - ĐĂNG KÝ" {
		t.Errorf("got %q, want Đất đai - ĐĂNG KÝ", lines[2])
	}
}

func TestRenderLayoutFromData(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	tk := Ticket{Unit: "Phuong 1", Number: "B7", Ahead: 0, Issued: time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)}
	l := Layout{Mode: ASCII, Paper: Paper58, Blocks: []Block{
		{Field: FieldUnit, Text: "== {value} =="},
		{Field: FieldRule},
		{Field: FieldNumber, Scale: 3},
		{Field: FieldCode128},
		{Field: FieldIssued, Text: "2006-01-02 15:04"},
		{Field: FieldWait},
		{Field: FieldPriority}, // not a priority ticket: nothing
		{Field: FieldQR},       // no QR: nothing
		{Field: FieldText, Text: "Cảm ơn", Size: SizeSmall, Align: Right, Gap: -1},
	}}
	job, err := r.Render(tk, l)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(textLines(t, job), "|")
	want := "== Phuong 1 ==|B7|2026-01-02 03:04|Quy khach la nguoi tiep theo|Cam on"
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if !bytes.Contains(job, []byte{GS, '!', 0x22, 'B', '7'}) {
		t.Error("number scale 3 not applied")
	}
	if bc := opsOf(t, job, "GS k"); len(bc) != 1 || string(bc[0].Data) != "{BB7" {
		t.Errorf("barcode: got %v", bc)
	}
	if img := opsOf(t, job, "GS v 0"); len(img) != 1 || img[0].Args[1] != 48 {
		t.Errorf("rule: got %v, want one 384-dot image", img)
	}
	if qr := opsOf(t, job, "GS ( k"); len(qr) != 0 {
		t.Errorf("got QR without data: %v", qr)
	}
	if !bytes.Contains(job, []byte{ESC, 'a', 2, ESC, 'M', 1}) {
		t.Error("small right-aligned footer not set")
	}

	_, err = r.Render(tk, Layout{Blocks: []Block{{Field: "logo"}}})
	if !errors.Is(err, ErrLayout) {
		t.Errorf("unknown field: got %v, want ErrLayout", err)
	}
	_, err = r.Render(tk, Layout{Blocks: []Block{{Field: FieldNumber, Scale: 9}}})
	if !errors.Is(err, ErrLayout) {
		t.Errorf("scale 9: got %v, want ErrLayout", err)
	}
}

func TestRenderPadImages(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	job, err := r.Render(benchTicket(), Layout{Paper: Paper58, PadImages: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, im := range opsOf(t, job, "GS v 0") {
		if im.Args[1] != 48 {
			t.Fatalf("padded image %d bytes wide, want 48", im.Args[1])
		}
	}
}

func ExampleRenderer_Render() {
	r, err := NewRenderer()
	if err != nil {
		panic(err)
	}
	job, err := r.Render(Ticket{
		Unit:   "UBND XÃ QUỲNH HẢI",
		Number: "A023",
		Ahead:  4,
		Wait:   12 * time.Minute,
	}, Layout{Paper: Paper80, Mode: TCVN3})
	if err != nil {
		panic(err)
	}
	ops, _ := Parse(job)
	for _, op := range ops {
		fmt.Println(op)
	}
	// Output:
	// ESC @
	// ESC a 01
	// ESC E 01
	// text "UBND X"
	// ESC t 1f
	// text "\xb7 QU\xfaNH H\xb6I"
	// LF
	// ESC J 0c
	// GS ! 77
	// text "A023"
	// LF
	// ESC J 0c
	// ESC E 00
	// GS ! 00
	// text "Tr"
	// ESC t 1e
	// text "\xad\xedc qu\xfd kh\xb8ch c\xdfn 4 ng\xad\xeai - ch\xea kho\xb6ng 12 ph\xf3t"
	// LF
	// GS V 42 00
}
