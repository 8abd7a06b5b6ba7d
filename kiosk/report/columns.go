package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// kind is how a column's values are written.
type kind int

const (
	text    kind = iota
	count        // an integer
	seconds      // a duration; CSV in whole seconds, XLSX and HTML in minutes
	hours        // a long duration; CSV in whole seconds, XLSX and HTML in hours
	share        // a fraction; CSV 0..1 with 4 decimals, XLSX and HTML in %
)

// column is one column of the main table. value returns nil for a value
// that does not exist (a mean of no tickets, a share of nothing).
type column struct {
	id    string // CSV header
	title string // Vietnamese title for XLSX and HTML
	kind  kind
	value func(r *Row) any
}

func statOf(s Stats, f float64) any {
	if s.N == 0 {
		return nil
	}
	return f
}

// columns returns the columns of a table grouped by g. By service they
// are exactly the documented CSV header; the other groupings add the
// service time's median and 90th percentile, the ratings by level and the
// counter time.
func columns(g Grouping) []column {
	keyID, keyTitle, nameID, nameTitle := string(g), "", "", ""
	issuedID, issuedTitle := "issued", "Số phiếu"
	switch g {
	case ByService:
		keyTitle, nameID, nameTitle = "Mã lĩnh vực", "service_name", "Lĩnh vực"
		issuedTitle = "Phiếu đã cấp"
	case ByCounter:
		keyTitle, nameID, nameTitle = "Số quầy", "counter_name", "Quầy"
		issuedID, issuedTitle = "called", "Số phiếu đã gọi"
	case ByOfficer:
		keyTitle, nameID, nameTitle = "Cán bộ", "counters", "Các quầy"
		issuedID, issuedTitle = "called", "Số phiếu đã gọi"
	case ByDay:
		keyTitle, nameID, nameTitle = "Ngày", "weekday", "Thứ"
	case ByMonth:
		keyTitle, nameID, nameTitle = "Tháng", "month_name", "Tên tháng"
	}
	cols := []column{
		{keyID, keyTitle, text, func(r *Row) any { return r.Key }},
		{nameID, nameTitle, text, func(r *Row) any { return r.Name }},
		{issuedID, issuedTitle, count, func(r *Row) any { return r.Issued }},
		{"served", "Đã phục vụ", count, func(r *Row) any { return r.Served }},
		{"no_show", "Vắng mặt", count, func(r *Row) any { return r.NoShow }},
		{"transferred", "Chuyển tiếp", count, func(r *Row) any { return r.Transferred }},
		{"wait_mean_s", "Chờ trung bình (phút)", seconds, func(r *Row) any { return statOf(r.Wait, r.Wait.Mean) }},
		{"wait_median_s", "Chờ trung vị (phút)", seconds, func(r *Row) any { return statOf(r.Wait, r.Wait.Median) }},
		{"wait_p90_s", "Chờ P90 (phút)", seconds, func(r *Row) any { return statOf(r.Wait, r.Wait.P90) }},
		{"service_mean_s", "Phục vụ trung bình (phút)", seconds, func(r *Row) any { return statOf(r.Service, r.Service.Mean) }},
		{"served_within_target", "Phục vụ trong thời gian chờ mục tiêu", count, func(r *Row) any { return r.WithinTarget }},
		{"rating_count", "Số đánh giá", count, func(r *Row) any { return r.RatingCount }},
		{"rating_satisfied_share", "Tỉ lệ hài lòng trở lên", share, func(r *Row) any {
			if r.RatingCount == 0 {
				return nil
			}
			return r.SatisfiedShare
		}},
	}
	if g == ByService {
		return cols
	}
	cols = append(cols,
		column{"service_median_s", "Phục vụ trung vị (phút)", seconds, func(r *Row) any { return statOf(r.Service, r.Service.Median) }},
		column{"service_p90_s", "Phục vụ P90 (phút)", seconds, func(r *Row) any { return statOf(r.Service, r.Service.P90) }},
		column{"served_within_target_share", "Tỉ lệ trong thời gian chờ mục tiêu", share, func(r *Row) any {
			if r.Served == 0 {
				return nil
			}
			return r.WithinTargetShare
		}},
	)
	for i, title := range []string{"Không hài lòng (1)", "Bình thường (2)", "Hài lòng (3)", "Rất hài lòng (4)"} {
		cols = append(cols, column{fmt.Sprintf("rating_%d", i+1), title, count, func(r *Row) any { return r.Ratings[i] }})
	}
	cols = append(cols,
		column{"open_s", "Quầy mở (giờ)", hours, func(r *Row) any { return r.Open }},
		column{"paused_s", "Tạm dừng (giờ)", hours, func(r *Row) any { return r.Paused }},
		column{"idle_s", "Mở nhưng rảnh (giờ)", hours, func(r *Row) any { return r.Idle }},
		column{"paused_by_reason", "Lý do tạm dừng", text, func(r *Row) any { return pausedText(r.PausedBy, false) }},
	)
	return cols
}

// pausedText lists pause reasons with their time: in seconds for CSV
// ("họp=1800;nghỉ trưa=7200"), else in minutes or hours ("họp: 30 phút;
// nghỉ trưa: 2 giờ").
func pausedText(ps []ReasonTime, human bool) string {
	var b strings.Builder
	for i, p := range ps {
		reason := p.Reason
		if reason == "" {
			reason = "(không ghi lý do)"
		}
		if human {
			if i > 0 {
				b.WriteString("; ")
			}
			v, unit := p.Seconds/60, "phút"
			if v >= 60 {
				v, unit = v/60, "giờ"
			}
			num := strings.Replace(strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64), ".", ",", 1)
			fmt.Fprintf(&b, "%s: %s %s", reason, num, unit)
			continue
		}
		if i > 0 {
			b.WriteByte(';')
		}
		fmt.Fprintf(&b, "%s=%d", reason, int64(math.Round(p.Seconds)))
	}
	return b.String()
}

// csvValue formats a value for CSV: whole seconds, shares with four
// decimals, "" for no value.
func csvValue(k kind, v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return neutralise(v)
	case int:
		return strconv.Itoa(v)
	case float64:
		switch k {
		case share:
			return strconv.FormatFloat(v, 'f', 4, 64)
		default:
			return strconv.FormatInt(int64(math.Round(v)), 10)
		}
	}
	return fmt.Sprint(v)
}
