package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"

	"github.com/xuri/excelize/v2"
)

// Format is a file format of a report.
type Format string

// The formats of a report.
const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
	HTML Format = "html"
	JSON Format = "json"
)

// ContentType is the MIME type of f.
func (f Format) ContentType() string {
	switch f {
	case CSV:
		return "text/csv; charset=utf-8"
	case XLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case HTML:
		return "text/html; charset=utf-8"
	case JSON:
		return "application/json; charset=utf-8"
	}
	return "application/octet-stream"
}

// FileName is a name for the report's file: bao-cao_FROM_TO_BY.EXT.
func (r *Report) FileName(f Format) string {
	return fmt.Sprintf("bao-cao_%s_%s_%s.%s", r.From, r.To, r.By, f)
}

// Write writes the report in format f.
func (r *Report) Write(w io.Writer, f Format) error {
	switch f {
	case CSV:
		return r.WriteCSV(w)
	case XLSX:
		return r.WriteXLSX(w)
	case HTML:
		return r.WriteHTML(w)
	case JSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return fmt.Errorf("%w, not %q", ErrBadFormat, f)
}

// bom makes Excel read the file as UTF-8, whatever the Windows code page.
const bom = "\uFEFF"

// WriteCSV writes the main table: UTF-8 with a byte order mark, comma
// separated, one header line with the column ids of docs/reports.md,
// durations in whole seconds, shares from 0 to 1, empty cells where a
// value does not exist. The total is not a line of the CSV.
func (r *Report) WriteCSV(w io.Writer) error {
	if _, err := io.WriteString(w, bom); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cols := columns(r.By)
	rec := make([]string, len(cols))
	for i, c := range cols {
		rec[i] = c.id
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	for i := range r.Rows {
		for j, c := range cols {
			rec[j] = csvValue(c.kind, c.value(&r.Rows[i]))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Sheet names of the XLSX workbook.
const (
	SheetMain     = "Báo cáo"
	SheetHours    = "Giờ cao điểm"
	SheetCounters = "Quầy"
	SheetOfficers = "Cán bộ"
)

// groupTitle names a grouping in Vietnamese.
func groupTitle(g Grouping) string {
	switch g {
	case ByDay:
		return "theo ngày"
	case ByMonth:
		return "theo tháng"
	case ByService:
		return "theo lĩnh vực"
	case ByCounter:
		return "theo quầy"
	case ByOfficer:
		return "theo cán bộ"
	}
	return string(g)
}

// human converts a value for XLSX and HTML: durations in minutes or
// hours, shares stay fractions (shown as %).
func human(c column, row *Row) any {
	if c.id == "paused_by_reason" {
		return pausedText(row.PausedBy, true)
	}
	v := c.value(row)
	f, ok := v.(float64)
	if !ok {
		return v
	}
	switch c.kind {
	case seconds:
		return math.Round(f/6) / 10
	case hours:
		return math.Round(f/36) / 100
	}
	return f
}

// WriteXLSX writes a workbook: the main table with the total, the busiest
// hours, and the tables by counter and by officer; Vietnamese titles.
func (r *Report) WriteXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetMain); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 10}) // 0.00%
	if err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	table := func(sheet string, g Grouping, rows []Row, total *Row) error {
		cols := columns(g)
		cell := func(col, row int) string {
			name, _ := excelize.CoordinatesToCellName(col, row)
			return name
		}
		set := func(col, row int, v any) error { return f.SetCellValue(sheet, cell(col, row), v) }
		if err := set(1, 1, r.Unit); err != nil {
			return err
		}
		if err := set(1, 2, fmt.Sprintf("Báo cáo %s, từ ngày %s đến ngày %s; thời gian chờ mục tiêu %g phút; lập lúc %s",
			groupTitle(g), r.From, r.To, r.TargetWait/60, r.Generated.Format("15:04 02/01/2006"))); err != nil {
			return err
		}
		f.SetCellStyle(sheet, "A1", "A1", bold)
		for i, c := range cols {
			if err := set(i+1, 4, c.title); err != nil {
				return err
			}
		}
		f.SetCellStyle(sheet, cell(1, 4), cell(len(cols), 4), head)
		f.SetRowHeight(sheet, 4, 45)
		write := func(y int, row *Row) error {
			for i, c := range cols {
				if err := set(i+1, y, human(c, row)); err != nil {
					return err
				}
				if c.kind == share {
					f.SetCellStyle(sheet, cell(i+1, y), cell(i+1, y), pct)
				}
			}
			return nil
		}
		for i := range rows {
			if err := write(5+i, &rows[i]); err != nil {
				return err
			}
		}
		if total != nil {
			y := 5 + len(rows)
			if err := write(y, total); err != nil {
				return err
			}
			f.SetCellStyle(sheet, cell(1, y), cell(2, y), bold)
		}
		f.SetColWidth(sheet, "A", "B", 18)
		f.SetColWidth(sheet, cell(3, 1)[:1], "Z", 12)
		return f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 4, TopLeftCell: "A5", ActivePane: "bottomLeft"})
	}
	total := r.Total.forPeople()
	if err := table(SheetMain, r.By, r.Rows, &total); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	for _, s := range []struct {
		name string
		g    Grouping
		rows []Row
	}{{SheetCounters, ByCounter, r.Counters}, {SheetOfficers, ByOfficer, r.Officers}} {
		if _, err := f.NewSheet(s.name); err != nil {
			return fmt.Errorf("report: xlsx: %w", err)
		}
		if err := table(s.name, s.g, s.rows, nil); err != nil {
			return fmt.Errorf("report: xlsx: %w", err)
		}
	}
	if _, err := f.NewSheet(SheetHours); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	hdr := []any{"Giờ"}
	for _, d := range Weekdays {
		hdr = append(hdr, d)
	}
	hdr = append(hdr, "Cộng")
	if err := f.SetSheetRow(SheetHours, "A1", &hdr); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	f.SetCellStyle(SheetHours, "A1", "I1", head)
	for h := range 24 {
		row := []any{fmt.Sprintf("%02d:00–%02d:00", h, h+1)}
		sum := 0
		for d := range 7 {
			row = append(row, r.Hours[d][h])
			sum += r.Hours[d][h]
		}
		row = append(row, sum)
		if err := f.SetSheetRow(SheetHours, fmt.Sprintf("A%d", h+2), &row); err != nil {
			return fmt.Errorf("report: xlsx: %w", err)
		}
	}
	f.SetColWidth(SheetHours, "A", "A", 14)
	f.SetActiveSheet(0)
	if err := f.Write(w); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	return nil
}
