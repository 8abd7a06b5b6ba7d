package xlsx_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"motcua/kiosk/report/xlsx"
)

func TestCell(t *testing.T) {
	tests := []struct {
		col, row int
		want     string
	}{
		{1, 1, "A1"}, {26, 2, "Z2"}, {27, 3, "AA3"}, {28, 4, "AB4"}, {52, 5, "AZ5"}, {53, 6, "BA6"},
		{702, 7, "ZZ7"}, {703, 8, "AAA8"}, {16384, 1048576, "XFD1048576"},
	}
	for _, tt := range tests {
		if got := xlsx.Cell(tt.col, tt.row); got != tt.want {
			t.Errorf("Cell(%d, %d) = %q, want %q", tt.col, tt.row, got, tt.want)
		}
	}
}

func TestSheetNames(t *testing.T) {
	var wb xlsx.Workbook
	if _, err := wb.Sheet("Theo dịch vụ"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "theo dịch vụ", "a/b", "a[1]", strings.Repeat("x", 32)} {
		if _, err := wb.Sheet(bad); !errors.Is(err, xlsx.ErrSheetName) {
			t.Errorf("Sheet(%q): got %v, want ErrSheetName", bad, err)
		}
	}
	s, _ := wb.Sheet("x")
	if err := s.Set(0, 1, "a", xlsx.Plain); err == nil {
		t.Error("Set(0, 1) was accepted")
	}
	if err := s.Set(1, 1, struct{}{}, xlsx.Plain); err == nil {
		t.Error("a struct was accepted as a cell value")
	}
}

// sample is a workbook with every kind of value and style.
func sample(t *testing.T) []byte {
	t.Helper()
	var wb xlsx.Workbook
	s, err := wb.Sheet("Theo dịch vụ")
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.Set(1, 1, "UBND xã Đông Hòa <&> \"một cửa\"", xlsx.Bold))
	must(s.Set(1, 4, "Dịch vụ", xlsx.Header))
	must(s.Set(2, 4, "Tỉ lệ", xlsx.Header))
	must(s.Set(1, 5, "Đất đai", xlsx.Plain))
	must(s.Set(2, 5, 0.776, xlsx.Percent))
	must(s.Set(3, 5, 42, xlsx.Plain))
	must(s.Set(28, 7, 1.5, xlsx.Plain))
	must(s.Set(4, 5, "control\x01 chars\x00 dropped", xlsx.Plain))
	s.Height(4, 45)
	s.Width(1, 2, 18)
	s.Freeze(4)
	h, err := wb.Sheet("Giờ cao điểm")
	must(err)
	must(h.Set(1, 1, "Giờ", xlsx.Header))
	var buf bytes.Buffer
	must(wb.Write(&buf))
	return buf.Bytes()
}

// Read back by an independent implementation (excelize): values, styles,
// sheets, the frozen pane.
func TestReadBackExcelize(t *testing.T) {
	f, err := excelize.OpenReader(bytes.NewReader(sample(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 2 || got[0] != "Theo dịch vụ" || got[1] != "Giờ cao điểm" {
		t.Fatalf("sheets %q", got)
	}
	for _, c := range []struct{ cell, want string }{
		{"A1", "UBND xã Đông Hòa <&> \"một cửa\""}, {"A4", "Dịch vụ"}, {"A5", "Đất đai"},
		{"B5", "77.60%"}, {"C5", "42"}, {"AB7", "1.5"}, {"D5", "control chars dropped"},
	} {
		got, err := f.GetCellValue("Theo dịch vụ", c.cell)
		if err != nil || got != c.want {
			t.Errorf("%s = %q, %v; want %q", c.cell, got, err, c.want)
		}
	}
	st, _ := f.GetCellStyle("Theo dịch vụ", "A4")
	style, err := f.GetStyle(st)
	if err != nil || style.Font == nil || !style.Font.Bold || !style.Alignment.WrapText || style.Fill.Pattern != 1 {
		t.Errorf("A4's style %+v, %v: want bold, wrapped, shaded", style, err)
	}
	panes, err := f.GetPanes("Theo dịch vụ")
	if err != nil || !panes.Freeze || panes.YSplit != 4 {
		t.Errorf("panes %+v, %v: want 4 rows frozen", panes, err)
	}
	if ht, _ := f.GetRowHeight("Theo dịch vụ", 4); ht != 45 {
		t.Errorf("row 4 height %v, want 45", ht)
	}
}

func TestDeterministic(t *testing.T) {
	if !bytes.Equal(sample(t), sample(t)) {
		t.Error("the same workbook gave different bytes")
	}
}

// openpyxl in read-only mode streams a sheet and trusts its <dimension>:
// a workbook that declares A1 alone reads as one cell there. Ours declares
// the used range, so every cell comes back.
func TestOpenpyxlReadOnly(t *testing.T) {
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import openpyxl").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("python3-openpyxl not installed (CI=true): %v", err)
		}
		t.Skipf("python3-openpyxl not installed: %v", err)
	}
	name := filepath.Join(t.TempDir(), "r.xlsx")
	if err := os.WriteFile(name, sample(t), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, "-c", `
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
ws = wb["Theo dịch vụ"]
print(json.dumps({"dim": ws.calculate_dimension(),
  "cells": [[c.coordinate, c.value] for row in ws.iter_rows() for c in row if c.value is not None]}))
`, name).CombinedOutput()
	if err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, out)
	}
	var got struct {
		Dim   string
		Cells [][2]any
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got.Dim != "A1:AB7" {
		t.Errorf("dimension %q, want A1:AB7", got.Dim)
	}
	want := map[string]any{"A1": "UBND xã Đông Hòa <&> \"một cửa\"", "A4": "Dịch vụ", "B4": "Tỉ lệ", "A5": "Đất đai",
		"B5": 0.776, "C5": 42.0, "D5": "control chars dropped", "AB7": 1.5}
	if len(got.Cells) != len(want) {
		t.Errorf("openpyxl read %d cells, want %d: %v", len(got.Cells), len(want), got.Cells)
	}
	for _, c := range got.Cells {
		if w, ok := want[c[0].(string)]; !ok || w != c[1] {
			t.Errorf("%v = %v, want %v", c[0], c[1], w)
		}
	}
}
