package escpos

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/image/font"
)

func TestWrap(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		width int
		want  []string
	}{
		{"fits", "Quầy 3", 32, []string{"Quầy 3"}},
		{"a number keeps its unit", "Trước quý khách còn 4 người – chờ khoảng 12 phút", 45,
			[]string{"Trước quý khách còn 4 người –", "chờ khoảng 12 phút"}},
		{"a number keeps its unit inside a phrase", "chờ khoảng 125 phút nữa", 17,
			[]string{"chờ khoảng", "125 phút nữa"}},
		{"break at the dash, not inside bộ phận", "UBND XÃ QUỲNH HẢI – BỘ PHẬN MỘT CỬA", 24,
			[]string{"UBND XÃ QUỲNH HẢI –", "BỘ PHẬN MỘT CỬA"}},
		{"break after a comma", "người cao tuổi, người khuyết tật, phụ nữ có thai", 34,
			[]string{"người cao tuổi, người khuyết tật,", "phụ nữ có thai"}},
		{"a long phrase wraps by words", "Trung tâm Phục vụ hành chính công tỉnh Thái Bình", 20,
			[]string{"Trung tâm Phục vụ", "hành chính công tỉnh", "Thái Bình"}},
		{"a word wider than the line", "TPHT0001-ABCDEFGH", 8, []string{"TPHT0001", "-ABCDEFG", "H"}},
		{"paragraphs", "Dòng một\n\nDòng hai", 32, []string{"Dòng một", "", "Dòng hai"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := wrap(tt.text, tt.width, runeWidth)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			for _, l := range got {
				if runeWidth(l) > tt.width {
					t.Errorf("line %q is wider than %d", l, tt.width)
				}
			}
		})
	}
}

// TestWrapTicket prints tickets on 58 mm paper (32 columns) and in raster
// on 80 mm: "phút" never stands alone on a line and "BỘ PHẬN" is never
// split, as on the tickets of the report ("phút" alone, "BỘ / PHẬN").
func TestWrapTicket(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	tk := Ticket{Unit: "UBND XÃ QUỲNH HẢI – BỘ PHẬN MỘT CỬA", Number: "A023", Service: "Tư pháp – Hộ tịch",
		Ahead: 14, Wait: 125 * time.Minute}
	job, err := r.Render(tk, Layout{Mode: TCVN3, Paper: Paper58})
	if err != nil {
		t.Fatal(err)
	}
	lines := textLines(t, job)
	for i, l := range lines {
		if l == "phút" || strings.HasPrefix(l, "phút") || strings.HasPrefix(l, "PHẬN") {
			t.Errorf("line %d %q starts with a unit or the rest of a word: %q", i, l, lines)
		}
	}
	if !strings.Contains(strings.Join(lines, "|"), "125 phút") {
		t.Errorf("125 phút not on one line: %q", lines)
	}

	// Raster: the same with the printed font's own widths.
	for _, bold := range []bool{false, true} {
		f, err := r.text.face(32, bold)
		if err != nil {
			t.Fatal(err)
		}
		measure := func(s string) int { return font.MeasureString(f, s).Ceil() }
		for _, text := range []string{tk.Unit, "Trước quý khách còn 14 người – chờ khoảng 125 phút"} {
			for _, width := range []int{Paper58.Dots(), Paper80.Dots()} {
				got := wrap(text, width, measure)
				for _, l := range got {
					if measure(l) > width || strings.HasPrefix(l, "phút") || strings.HasPrefix(l, "PHẬN") {
						t.Errorf("bold %v, %d dots: %q", bold, width, got)
					}
				}
			}
		}
	}
}
