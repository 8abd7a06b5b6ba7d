package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"

	"motcua/kiosk/report/xlsx"
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
	var wb xlsx.Workbook
	table := func(name string, g Grouping, rows []Row, total *Row) error {
		s, err := wb.Sheet(name)
		if err != nil {
			return err
		}
		cols := columns(g)
		if err := s.Set(1, 1, r.Unit, xlsx.Bold); err != nil {
			return err
		}
		if err := s.Set(1, 2, fmt.Sprintf("Báo cáo %s, từ ngày %s đến ngày %s; thời gian chờ mục tiêu %g phút; lập lúc %s",
			groupTitle(g), r.From, r.To, r.TargetWait/60, r.Generated.Format("15:04 02/01/2006")), xlsx.Plain); err != nil {
			return err
		}
		for i, c := range cols {
			if err := s.Set(i+1, 4, c.title, xlsx.Header); err != nil {
				return err
			}
		}
		s.Height(4, 45)
		write := func(y int, row *Row, first xlsx.Style) error {
			for i, c := range cols {
				st := xlsx.Plain
				switch {
				case c.kind == share:
					st = xlsx.Percent
				case i < 2:
					st = first
				}
				if err := s.Set(i+1, y, human(c, row), st); err != nil {
					return err
				}
			}
			return nil
		}
		for i := range rows {
			if err := write(5+i, &rows[i], xlsx.Plain); err != nil {
				return err
			}
		}
		if total != nil {
			if err := write(5+len(rows), total, xlsx.Bold); err != nil {
				return err
			}
		}
		s.Width(1, 2, 18)
		s.Width(3, 26, 12)
		s.Freeze(4)
		return nil
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
		if err := table(s.name, s.g, s.rows, nil); err != nil {
			return fmt.Errorf("report: xlsx: %w", err)
		}
	}
	hours, err := wb.Sheet(SheetHours)
	if err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	hdr := append(append([]string{"Giờ"}, Weekdays[:]...), "Cộng")
	for i, h := range hdr {
		if err := hours.Set(i+1, 1, h, xlsx.Header); err != nil {
			return fmt.Errorf("report: xlsx: %w", err)
		}
	}
	for h := range 24 {
		y := h + 2
		if err := hours.Set(1, y, fmt.Sprintf("%02d:00–%02d:00", h, h+1), xlsx.Plain); err != nil {
			return fmt.Errorf("report: xlsx: %w", err)
		}
		sum := 0
		for d := range 7 {
			if err := hours.Set(d+2, y, r.Hours[d][h], xlsx.Plain); err != nil {
				return fmt.Errorf("report: xlsx: %w", err)
			}
			sum += r.Hours[d][h]
		}
		if err := hours.Set(9, y, sum, xlsx.Plain); err != nil {
			return fmt.Errorf("report: xlsx: %w", err)
		}
	}
	hours.Width(1, 1, 14)
	if r.Dossiers != nil {
		if err := r.dossierSheet(&wb); err != nil {
			return fmt.Errorf("report: xlsx: %w", err)
		}
	}
	if err := wb.Write(w); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}
