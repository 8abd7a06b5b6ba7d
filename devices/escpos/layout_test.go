package escpos

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"strings"
	"testing"
)

// numberOp finds the text op that prints num and the GS ! size in force.
func numberOp(t *testing.T, job []byte, num string) (sw, sh int) {
	t.Helper()
	ops, err := Parse(job)
	if err != nil {
		t.Fatal(err)
	}
	sw, sh = 1, 1
	for _, op := range ops {
		switch op.Cmd {
		case "ESC @":
			sw, sh = 1, 1
		case "GS !":
			sw, sh = int(op.Args[0]>>4)+1, int(op.Args[0]&7)+1
		case "text":
			if string(op.Data) == num {
				return sw, sh
			}
		}
	}
	t.Fatalf("number %q not printed as text", num)
	return 0, 0
}

var fitNumbers = []string{"A02", "A023", "B1234", "123456"}

// The automatic number scale fills the paper: the printed number (font A,
// 12 dots a character, times the GS ! width) is no wider than the paper,
// and one step larger would not fit.
func TestNumberScaleFitsPaper(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	for _, paper := range []Paper{Paper58, Paper80} {
		for _, mode := range []TextMode{Raster, TCVN3} {
			for _, num := range fitNumbers {
				job, err := r.Render(Ticket{Number: num, Unit: "UBND XÃ QUỲNH HẢI"}, Layout{Paper: paper, Mode: mode})
				if err != nil {
					t.Fatal(err)
				}
				sw, sh := numberOp(t, job, num)
				w := len(num) * 12 * sw
				if w > paper.Dots() {
					t.Errorf("%v %v %q: scale %d is %d dots wide, paper %d", paper, mode, num, sw, w, paper.Dots())
				}
				if sw < 8 && len(num)*12*(sw+1) <= paper.Dots() {
					t.Errorf("%v %v %q: scale %d, but %d would fit", paper, mode, num, sw, sw+1)
				}
				if sh != sw {
					t.Errorf("%v %v %q: scale %d×%d, want square", paper, mode, num, sw, sh)
				}
			}
		}
	}
}

// inkRuns returns the runs of columns with ink in rows [y0, y1) of img.
func inkRuns(img *image.Gray, y0, y1 int) [][2]int {
	var runs [][2]int
	in := false
	for x := img.Rect.Min.X; x < img.Rect.Max.X; x++ {
		ink := false
		for y := y0; y < y1 && !ink; y++ {
			ink = img.GrayAt(x, y).Y < 128
		}
		switch {
		case ink && !in:
			runs = append(runs, [2]int{x, x + 1})
		case ink:
			runs[len(runs)-1][1] = x + 1
		}
		in = ink
	}
	return runs
}

// Preview shows every character of a number printed at the automatic
// scale: one run of inked columns per character, none of them a sliver
// cut off at the paper's edge.
func TestPreviewNumberShowsAllCharacters(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	for _, paper := range []Paper{Paper58, Paper80} {
		for _, num := range fitNumbers {
			job, err := r.Render(Ticket{Number: num}, Layout{Paper: paper,
				Blocks: []Block{{Field: FieldNumber, Align: Center, Bold: true}}})
			if err != nil {
				t.Fatal(err)
			}
			sw, _ := numberOp(t, job, num)
			img, err := r.Preview(job, paper.Dots())
			if err != nil {
				t.Fatal(err)
			}
			// The job ends with the cut, drawn in the last 10 rows.
			runs := inkRuns(img, 0, img.Rect.Dy()-10)
			cell := 12 * sw
			ok := len(runs) == len(num)
			for _, run := range runs {
				ok = ok && run[1]-run[0] >= cell*3/10
			}
			if !ok {
				t.Errorf("%v %q: inked column runs %v, want %d runs each ≥ %d dots wide", paper, num, runs, len(num), cell*3/10)
			}
		}
	}
}

// rasterRow is where a GS v 0 image lands on the paper.
type rasterRow struct{ y0, y1 int }

// rasterRows follows the paper through a job: each GS v 0 image advances
// it by its height, ESC J by its argument.
func rasterRows(t *testing.T, job []byte) []rasterRow {
	t.Helper()
	ops, err := Parse(job)
	if err != nil {
		t.Fatal(err)
	}
	var out []rasterRow
	y := 0
	for _, op := range ops {
		switch op.Cmd {
		case "GS v 0":
			h := int(op.Args[3]) | int(op.Args[4])<<8
			out = append(out, rasterRow{y, y + h})
			y += h
		case "ESC J":
			y += int(op.Args[0])
		case "text", "LF", "GS ( k", "GS k":
			t.Fatalf("unexpected %s in a raster-only job", op.Cmd)
		}
	}
	return out
}

// Raster lines are a full line apart: the pitch between two lines of the
// same text is at least the font's whole height (capitals with two marks
// above, descenders and dots below) plus a blank row, whatever the line
// holds, both for wrapped lines and for separate lines of a block.
func TestRasterLinePitchHoldsStackedMarks(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []Size{SizeNormal, SizeSmall, SizeLarge} {
		px := [3]float64{24, 20, 32}[size]
		tall, err := r.text.Lines("ẤẦẨẪẬ Ỵ gỵ", px, false, 10000)
		if err != nil {
			t.Fatal(err)
		}
		full := tall[0].H // top of the highest mark to the bottom of the lowest
		for _, word := range []string{"ươn", "ẤẦẨẪẬ", "ghét", "Ỵ", "nhau–"} {
			para := strings.TrimSpace(strings.Repeat(word+" ", 60))
			for _, tc := range []struct {
				name   string
				blocks []Block
				lines  []string
			}{
				{"lines", []Block{{Field: FieldLines, Size: size}}, []string{word, word, word}},
				{"wrapped", []Block{{Field: FieldText, Text: para, Size: size}}, nil},
			} {
				name := fmt.Sprintf("%s/%q/size%d", tc.name, word, size)
				job, err := r.Render(Ticket{Lines: tc.lines}, Layout{Paper: Paper58, Blocks: tc.blocks})
				if err != nil {
					t.Fatal(err)
				}
				rows := rasterRows(t, job)
				if len(rows) < 3 {
					t.Fatalf("%s: got %d raster lines, want ≥ 3", name, len(rows))
				}
				pitch := rows[1].y0 - rows[0].y0
				if pitch < full+1 {
					t.Errorf("%s: lines %d dots apart, want ≥ %d (font height %d and a blank row)", name, pitch, full+1, full)
				}
				for i := 1; i < len(rows); i++ {
					if p := rows[i].y0 - rows[i-1].y0; p != pitch {
						t.Errorf("%s: line %d is %d dots below the one before, line 1 %d", name, i, p, pitch)
					}
					if rows[i].y0 <= rows[i-1].y1 {
						t.Errorf("%s: line %d (rows %v) touches line %d (%v)", name, i, rows[i], i-1, rows[i-1])
					}
				}
			}
		}
	}
}

// In the preview of two lines of stacked capitals, the rows between the
// lines' ink hold a blank row.
func TestPreviewStackedLinesHaveBlankRow(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	const s = "ẤẦẨẪẬ Ỵ"
	job, err := r.Render(Ticket{Lines: []string{s, s}}, Layout{Paper: Paper58, Blocks: []Block{{Field: FieldLines}}})
	if err != nil {
		t.Fatal(err)
	}
	rows := rasterRows(t, job)
	if len(rows) != 2 {
		t.Fatalf("got %d raster lines, want 2", len(rows))
	}
	img, err := r.Preview(job, Paper58.Dots())
	if err != nil {
		t.Fatal(err)
	}
	blank := 0
	for y := rows[0].y1; y < rows[1].y0; y++ {
		if len(inkRuns(img, y, y+1)) == 0 {
			blank++
		}
	}
	if blank == 0 {
		t.Errorf("no blank row between line 1 (rows %v) and line 2 (rows %v)", rows[0], rows[1])
	}
	if len(inkRuns(img, rows[0].y1-1, rows[0].y1)) == 0 || len(inkRuns(img, rows[1].y0, rows[1].y0+1)) == 0 {
		t.Error("preview does not put the raster lines where the job does")
	}
}

// NoCut ends the ticket with a feed past the tear bar and no GS V.
func TestRenderNoCut(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	tk := Ticket{Number: "A1"}
	blocks := []Block{{Field: FieldNumber, Scale: 1}}
	for _, tc := range []struct {
		cut  CutMode
		want []byte
	}{
		{0, []byte{ESC, '@', 'A', '1', LF, GS, 'V', 66, 0}},
		{PartialCut, []byte{ESC, '@', 'A', '1', LF, GS, 'V', 66, 0}},
		{FullCut, []byte{ESC, '@', 'A', '1', LF, GS, 'V', 65, 0}},
		{NoCut, []byte{ESC, '@', 'A', '1', LF, ESC, 'd', 4}},
	} {
		job, err := r.Render(tk, Layout{Mode: ASCII, Blocks: blocks, Cut: tc.cut})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(job, tc.want) {
			t.Errorf("cut %d: got % x, want % x", tc.cut, job, tc.want)
		}
	}
	var e Encoder
	if got := e.Cut(NoCut, 0).Bytes(); !bytes.Equal(got, []byte{ESC, 'd', 4}) {
		t.Errorf("Encoder.Cut(NoCut): got % x, want 1b 64 04", got)
	}
	if _, err := r.Render(tk, Layout{Blocks: blocks, Cut: 7}); !errors.Is(err, ErrLayout) {
		t.Errorf("cut mode 7: got %v, want ErrLayout", err)
	}
}
