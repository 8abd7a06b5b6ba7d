// Package xlsx writes Office Open XML workbooks (.xlsx, ECMA-376) with
// what motcua's reports need and nothing more: several sheets of text and
// numbers, four cell styles (plain, bold, a shaded wrapped header, a
// percentage), column widths, row heights and a frozen header. Every sheet
// declares its used range (the <dimension> element), so readers that stream
// a sheet (openpyxl's read-only mode) see every cell.
//
// A [Workbook] is built in memory and written once with [Workbook.Write];
// it is not safe for concurrent use.
package xlsx

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Style is a cell's look.
type Style int

// The cell styles.
const (
	Plain   Style = iota
	Bold          // bold text
	Header        // bold, shaded, wrapped at the top of the cell
	Percent       // a fraction shown as a percentage with two decimals
)

// Workbook is a workbook being built. Its zero value is empty and ready.
type Workbook struct {
	sheets []*Sheet
}

// Sheet is one worksheet. Make it with [Workbook.Sheet].
type Sheet struct {
	name    string
	cells   map[[2]int]cell
	widths  []colWidth
	heights map[int]float64
	freeze  int // rows frozen at the top
}

type cell struct {
	v     any // string or float64
	style Style
}

type colWidth struct {
	from, to int
	width    float64
}

// ErrSheetName is returned for a sheet name Excel refuses: empty, longer
// than 31 characters, with one of : \ / ? * [ ], or used twice.
var ErrSheetName = errors.New("xlsx: bad sheet name")

// Sheet adds a sheet named name after the others.
func (w *Workbook) Sheet(name string) (*Sheet, error) {
	if name == "" || len([]rune(name)) > 31 || strings.ContainsAny(name, `:\/?*[]`) ||
		slices.ContainsFunc(w.sheets, func(s *Sheet) bool { return strings.EqualFold(s.name, name) }) {
		return nil, fmt.Errorf("%w: %q", ErrSheetName, name)
	}
	s := &Sheet{name: name, cells: map[[2]int]cell{}, heights: map[int]float64{}}
	w.sheets = append(w.sheets, s)
	return s, nil
}

// Set puts v in the cell at column col and row row (both from 1) with a
// style. v is a string, an integer or a float (NaN and infinities are left
// empty); nil empties the cell.
func (s *Sheet) Set(col, row int, v any, st Style) error {
	if col < 1 || col > 16384 || row < 1 || row > 1048576 {
		return fmt.Errorf("xlsx: cell %d,%d is outside a sheet", col, row)
	}
	var val any
	switch x := v.(type) {
	case nil:
		delete(s.cells, [2]int{row, col})
		return nil
	case string:
		val = x
	case int:
		val = float64(x)
	case int64:
		val = float64(x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			val = ""
		} else {
			val = x
		}
	default:
		return fmt.Errorf("xlsx: cell %s: cannot store a %T", Cell(col, row), v)
	}
	s.cells[[2]int{row, col}] = cell{val, st}
	return nil
}

// Style sets the style of a cell that holds a value.
func (s *Sheet) Style(col, row int, st Style) {
	k := [2]int{row, col}
	if c, ok := s.cells[k]; ok {
		c.style = st
		s.cells[k] = c
	}
}

// Width sets the width of columns from to to (from 1), in characters.
func (s *Sheet) Width(from, to int, width float64) {
	s.widths = append(s.widths, colWidth{from, to, width})
}

// Height sets the height of a row, in points.
func (s *Sheet) Height(row int, points float64) { s.heights[row] = points }

// Freeze keeps the first rows in view while the rest scroll.
func (s *Sheet) Freeze(rows int) { s.freeze = rows }

// Cell names a cell as a spreadsheet does: Cell(1, 1) is "A1", Cell(28, 3)
// is "AB3".
func Cell(col, row int) string {
	var b []byte
	for c := col; c > 0; c = (c - 1) / 26 {
		b = append([]byte{byte('A' + (c-1)%26)}, b...)
	}
	return string(b) + strconv.Itoa(row)
}

// Write writes the workbook as an .xlsx file. The first sheet is the active
// one. The same workbook gives the same bytes.
func (w *Workbook) Write(out io.Writer) error {
	if len(w.sheets) == 0 {
		return errors.New("xlsx: a workbook needs a sheet")
	}
	z := zip.NewWriter(out)
	file := func(name, body string) error {
		f, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			return err
		}
		_, err = io.WriteString(f, xml.Header+body)
		return err
	}
	var types, rels, sheets strings.Builder
	for i, s := range w.sheets {
		n := i + 1
		fmt.Fprintf(&types, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`, n)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>`, n, n)
		fmt.Fprintf(&sheets, `<sheet name="%s" sheetId="%d" r:id="rId%d"/>`, escape(s.name), n, n)
	}
	styles := len(w.sheets) + 1
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
			types.String() + `</Types>`},
		{"_rels/.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			`<bookViews><workbookView activeTab="0"/></bookViews><sheets>` + sheets.String() + `</sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + rels.String() +
			fmt.Sprintf(`<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>`, styles) +
			`</Relationships>`},
		{"xl/styles.xml", stylesXML},
	}
	for i, s := range w.sheets {
		parts = append(parts, struct{ name, body string }{fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1), s.xml(i == 0)})
	}
	for _, p := range parts {
		if err := file(p.name, p.body); err != nil {
			return fmt.Errorf("xlsx: %s: %w", p.name, err)
		}
	}
	if err := z.Close(); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return nil
}

// stylesXML holds the cell formats in the order of the Style constants.
const stylesXML = `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
	`<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>` +
	`<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>` +
	`<fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/></patternFill></fill></fills>` +
	`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
	`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
	`<cellXfs count="4">` +
	`<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
	`<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>` +
	`<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>` +
	`<xf numFmtId="10" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>` +
	`</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`

func (s *Sheet) xml(active bool) string {
	keys := make([][2]int, 0, len(s.cells))
	maxRow, maxCol := 1, 1
	for k := range s.cells {
		keys = append(keys, k)
		maxRow, maxCol = max(maxRow, k[0]), max(maxCol, k[1])
	}
	for r := range s.heights {
		maxRow = max(maxRow, r)
	}
	slices.SortFunc(keys, func(a, b [2]int) int {
		if a[0] != b[0] {
			return a[0] - b[0]
		}
		return a[1] - b[1]
	})
	var b strings.Builder
	b.WriteString(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	fmt.Fprintf(&b, `<dimension ref="A1:%s"/>`, Cell(maxCol, maxRow))
	b.WriteString(`<sheetViews><sheetView workbookViewId="0"`)
	if active {
		b.WriteString(` tabSelected="1"`)
	}
	if s.freeze > 0 {
		fmt.Fprintf(&b, `><pane ySplit="%d" topLeftCell="%s" activePane="bottomLeft" state="frozen"/></sheetView>`, s.freeze, Cell(1, s.freeze+1))
	} else {
		b.WriteString(`/>`)
	}
	b.WriteString(`</sheetViews><sheetFormatPr defaultRowHeight="15"/>`)
	if len(s.widths) > 0 {
		b.WriteString(`<cols>`)
		for _, c := range s.widths {
			fmt.Fprintf(&b, `<col min="%d" max="%d" width="%s" customWidth="1"/>`, c.from, c.to, num(c.width))
		}
		b.WriteString(`</cols>`)
	}
	b.WriteString(`<sheetData>`)
	rows := map[int]bool{}
	for _, k := range keys {
		rows[k[0]] = true
	}
	for r := range s.heights {
		rows[r] = true
	}
	order := make([]int, 0, len(rows))
	for r := range rows {
		order = append(order, r)
	}
	slices.Sort(order)
	i := 0
	for _, r := range order {
		fmt.Fprintf(&b, `<row r="%d"`, r)
		if h, ok := s.heights[r]; ok {
			fmt.Fprintf(&b, ` ht="%s" customHeight="1"`, num(h))
		}
		b.WriteString(`>`)
		for ; i < len(keys) && keys[i][0] == r; i++ {
			k := keys[i]
			c := s.cells[k]
			ref := Cell(k[1], k[0])
			style := ""
			if c.style != Plain {
				style = fmt.Sprintf(` s="%d"`, c.style)
			}
			switch v := c.v.(type) {
			case string:
				fmt.Fprintf(&b, `<c r="%s"%s t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>`, ref, style, escape(v))
			case float64:
				fmt.Fprintf(&b, `<c r="%s"%s><v>%s</v></c>`, ref, style, num(v))
			}
		}
		b.WriteString(`</row>`)
	}
	b.WriteString(`</sheetData></worksheet>`)
	return b.String()
}

func num(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// escape makes text safe in XML, dropping the control characters XML 1.0
// cannot hold.
func escape(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF {
			return -1
		}
		return r
	}, s)
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
