package report

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// WriteHTML writes a page that prints on A4 (landscape): the figures,
// the main table with the total, charts as inline SVG (no script, no
// network), the busiest hours, and the tables by counter and officer.
func (r *Report) WriteHTML(w io.Writer) error {
	type table struct {
		Class string
		Title string
		Head  []string
		Rows  [][]string
		Total []string
	}
	mk := func(title string, g Grouping, rows []Row, total *Row) table {
		t := table{Title: title}
		if g != ByService {
			t.Class = "reasons" // ends with the pause reasons
		}
		cols := columns(g)
		for _, c := range cols {
			t.Head = append(t.Head, c.title)
		}
		line := func(row *Row) []string {
			var out []string
			for _, c := range cols {
				out = append(out, htmlValue(c, row))
			}
			return out
		}
		for i := range rows {
			t.Rows = append(t.Rows, line(&rows[i]))
		}
		if total != nil {
			t.Total = line(total)
		}
		return t
	}
	total := r.Total.forPeople()
	data := struct {
		R        *Report
		Group    string
		Target   string
		Cards    [][2]string
		Main     table
		Counters table
		Officers table
		Bars     template.HTML
		Hours    template.HTML
		Stars    template.HTML
	}{
		R:        r,
		Group:    groupTitle(r.By),
		Target:   minutes(r.TargetWait),
		Main:     mk("Bảng số liệu "+groupTitle(r.By), r.By, r.Rows, &total),
		Counters: mk("Theo quầy: thời gian mở, tạm dừng, rảnh và đánh giá", ByCounter, r.Counters, nil),
		Officers: mk("Theo cán bộ", ByOfficer, r.Officers, nil),
		Bars:     barChart(r.Rows),
		Hours:    heatmap(r.Hours),
		Stars:    ratingChart(r.Counters),
	}
	t := &r.Total
	data.Cards = [][2]string{
		{"Phiếu đã cấp", strconv.Itoa(t.Issued)},
		{"Đã phục vụ", strconv.Itoa(t.Served)},
		{"Vắng mặt", strconv.Itoa(t.NoShow)},
		{"Chuyển tiếp", strconv.Itoa(t.Transferred)},
		{"Chờ trung bình", orDash(t.Wait.N, minutes(t.Wait.Mean)+" phút")},
		{"Chờ P90", orDash(t.Wait.N, minutes(t.Wait.P90)+" phút")},
		{"Phục vụ trung bình", orDash(t.Service.N, minutes(t.Service.Mean)+" phút")},
		{"Trong thời gian chờ mục tiêu", orDash(t.Served, percent(t.WithinTargetShare))},
		{"Hài lòng trở lên", orDash(t.RatingCount, percent(t.SatisfiedShare))},
	}
	return pageTemplate.Execute(w, data)
}

// forPeople is the total row as the HTML and XLSX tables show it: "Tổng
// cộng" in the first column, not the JSON's key "total".
func (r Row) forPeople() Row {
	r.Key, r.Name = r.Name, ""
	return r
}

func orDash(n int, s string) string {
	if n == 0 {
		return "–"
	}
	return s
}

func minutes(s float64) string {
	return strings.Replace(strconv.FormatFloat(math.Round(s/6)/10, 'f', 1, 64), ".", ",", 1)
}

func percent(f float64) string {
	return strings.Replace(strconv.FormatFloat(math.Round(f*1000)/10, 'f', 1, 64), ".", ",", 1) + " %"
}

// htmlValue writes a value the Vietnamese way: decimal comma, % for
// shares, "–" for no value.
func htmlValue(c column, row *Row) string {
	v := human(c, row)
	switch v := v.(type) {
	case nil:
		return "–"
	case string:
		return v
	case int:
		return strconv.Itoa(v)
	case float64:
		if c.kind == share {
			return percent(v)
		}
		prec := 1
		if c.kind == hours {
			prec = 2
		}
		return strings.Replace(strconv.FormatFloat(v, 'f', prec, 64), ".", ",", 1)
	}
	return fmt.Sprint(v)
}

func esc(s string) string { return template.HTMLEscapeString(s) }

// barChart draws tickets issued and served per row, horizontally.
func barChart(rows []Row) template.HTML {
	if len(rows) == 0 {
		return ""
	}
	const (
		width = 700
		barH  = 9
		gap   = 6
	)
	maxV := 1
	names := make([]string, len(rows))
	for i, r := range rows {
		maxV = max(maxV, r.Issued, r.Served)
		names[i] = r.Name
		if names[i] == "" || names[i] == r.Key || len(rows) > 20 {
			names[i] = r.Key
		}
		names[i] = truncate(names[i], maxLabel)
	}
	label := labelWidth(names, 10)
	h := len(rows)*(2*barH+gap) + 30
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %[1]d %[2]d" width="%[1]d" role="img" aria-label="Phiếu cấp và đã phục vụ">`, label+width+60, h)
	scale := float64(width) / float64(maxV)
	for i, r := range rows {
		y := i*(2*barH+gap) + 4
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" font-size="10">%s</text>`, label-6, y+barH+3, esc(names[i]))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="#4a7fb5"/>`, label, y, float64(r.Issued)*scale, barH)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="8">%d</text>`, float64(label)+float64(r.Issued)*scale+3, y+barH-1, r.Issued)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="#7cb36b"/>`, label, y+barH, float64(r.Served)*scale, barH)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="8">%d</text>`, float64(label)+float64(r.Served)*scale+3, y+2*barH-1, r.Served)
	}
	y := h - 10
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="10" height="8" fill="#4a7fb5"/><text x="%d" y="%d" font-size="9">Phiếu đã cấp</text>`, label, y-7, label+14, y)
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="10" height="8" fill="#7cb36b"/><text x="%d" y="%d" font-size="9">Đã phục vụ</text>`, label+90, y-7, label+104, y)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// maxLabel is the most characters of a chart's row label.
const maxLabel = 40

// labelWidth is the width of a chart's label column for labels at a font
// size: the longest label at a generous 0.62 em per character (DejaVu
// Sans, the widest common fallback, averages 0.55 em on Vietnamese text)
// plus the gap before the bars, so that no label is clipped on the left.
func labelWidth(labels []string, fontSize float64) int {
	n := 0
	for _, l := range labels {
		n = max(n, utf8.RuneCountInString(l))
	}
	return int(math.Ceil(float64(n)*0.62*fontSize)) + 12
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// heatmap draws the tickets issued by hour (columns) and weekday (rows),
// over the hours that have any.
func heatmap(hours [7][24]int) template.HTML {
	lo, hi, maxV := 24, -1, 0
	for d := range 7 {
		for h := range 24 {
			if n := hours[d][h]; n > 0 {
				lo, hi, maxV = min(lo, h), max(hi, h), max(maxV, n)
			}
		}
	}
	if hi < 0 {
		return ""
	}
	const (
		label = 70
		cw    = 44
		ch    = 20
	)
	n := hi - lo + 1
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %[1]d %[2]d" width="%[1]d" role="img" aria-label="Giờ cao điểm">`, label+n*cw+4, 7*ch+24)
	for h := lo; h <= hi; h++ {
		fmt.Fprintf(&b, `<text x="%d" y="12" text-anchor="middle" font-size="10">%02dh</text>`, label+(h-lo)*cw+cw/2, h)
	}
	for d := range 7 {
		y := 18 + d*ch
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" font-size="10">%s</text>`, label-6, y+ch/2+4, esc(Weekdays[d]))
		for h := lo; h <= hi; h++ {
			v := hours[d][h]
			// From white to dark blue.
			k := float64(v) / float64(maxV)
			c := fmt.Sprintf("rgb(%d,%d,%d)", 255-int(k*200), 255-int(k*150), 255-int(k*60))
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#ccc" stroke-width="0.5"/>`, label+(h-lo)*cw, y, cw, ch, c)
			if v > 0 {
				fill := "#000"
				if k > 0.6 {
					fill = "#fff"
				}
				fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="9" fill="%s">%d</text>`, label+(h-lo)*cw+cw/2, y+ch/2+3, fill, v)
			}
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// ratingChart draws each counter's ratings as one bar of 100 %, split by
// level.
func ratingChart(rows []Row) template.HTML {
	var rated []Row
	for _, r := range rows {
		if r.RatingCount > 0 {
			rated = append(rated, r)
		}
	}
	if len(rated) == 0 {
		return ""
	}
	const (
		width = 600
		barH  = 14
	)
	names := make([]string, len(rated))
	for i, r := range rated {
		names[i] = truncate(r.Name, maxLabel)
	}
	label := labelWidth(names, 10)
	colors := [4]string{"#d9534f", "#f0ad4e", "#9acd6b", "#3c9a3c"}
	levels := [4]string{"Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng"}
	h := len(rated)*(barH+6) + 30
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %[1]d %[2]d" width="%[1]d" role="img" aria-label="Đánh giá theo quầy">`, label+width+70, h)
	for i, r := range rated {
		y := i*(barH+6) + 4
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" font-size="10">%s</text>`, label-6, y+barH-3, esc(names[i]))
		x := float64(label)
		for s := range 4 {
			wd := float64(r.Ratings[s]) / float64(r.RatingCount) * width
			fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"/>`, x, y, wd, barH, colors[s])
			x += wd
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="9">%s</text>`, label+width+4, y+barH-3, esc(percent(r.SatisfiedShare)))
	}
	for s := range 4 {
		x := label + s*120
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="10" height="8" fill="%s"/><text x="%d" y="%d" font-size="9">%s</text>`, x, h-17, colors[s], x+14, h-10, levels[s])
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

var pageTemplate = template.Must(template.New("report").Funcs(template.FuncMap{"pct": percent}).Parse(`<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<title>Báo cáo {{.Group}} {{.R.From}} – {{.R.To}}</title>
<style>
@page { size: A4 landscape; margin: 12mm; }
body { font-family: "DejaVu Sans", "Noto Sans", Arial, sans-serif; font-size: 9pt; color: #111; margin: 0 auto; max-width: 277mm; }
h1 { font-size: 14pt; margin: 0 0 2mm; }
h2 { font-size: 11pt; margin: 6mm 0 2mm; break-after: avoid; }
p.meta { margin: 0 0 4mm; color: #444; }
.cards { display: flex; flex-wrap: wrap; gap: 2mm; }
.card { border: 1px solid #bbb; border-radius: 2mm; padding: 2mm 3mm; min-width: 26mm; }
.card b { display: block; font-size: 12pt; }
table { border-collapse: collapse; width: 100%; font-size: 7.5pt; }
th, td { border: 1px solid #999; padding: 1mm; }
th { background: #ddebf7; font-weight: bold; vertical-align: top; font-size: 6.5pt; }
td { text-align: right; }
td:nth-child(1), td:nth-child(2) { text-align: left; }
tr.total td { font-weight: bold; background: #f2f2f2; }
table.reasons td:last-child { text-align: left; min-width: 32mm; font-size: 6.5pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
svg.chart { max-width: 100%; height: auto; break-inside: avoid; }
section { break-inside: auto; }
@media print { .pagebreak { break-before: page; } }
</style>
</head>
<body>
<h1>{{.R.Unit}}</h1>
<p class="meta">Báo cáo {{.Group}}, từ ngày {{.R.From}} đến ngày {{.R.To}} ({{.R.Days}} ngày có số liệu) · thời gian chờ mục tiêu {{.Target}} phút · lập lúc {{.R.Generated.Format "15:04 02/01/2006"}}</p>
<div class="cards">{{range .Cards}}<div class="card">{{index . 0}}<b>{{index . 1}}</b></div>{{end}}</div>
{{with .Bars}}<h2>Phiếu đã cấp và đã phục vụ {{$.Group}}</h2>{{.}}{{end}}
{{template "table" .Main}}
<div class="pagebreak"></div>
{{with .Hours}}<h2>Giờ cao điểm (phiếu cấp theo giờ và thứ)</h2>{{.}}{{end}}
{{with .Stars}}<h2>Đánh giá theo quầy (tỉ lệ hài lòng trở lên bên phải)</h2>{{.}}{{end}}
{{template "table" .Counters}}
{{template "table" .Officers}}
<section><h2>Ưu tiên theo diện và lịch hẹn</h2>
<table><thead><tr><th>Diện ưu tiên</th><th>Phiếu đã cấp</th></tr></thead>
<tbody>{{range .R.Priority}}<tr><td>{{.Name}}</td><td>{{.Issued}}</td></tr>{{end}}</tbody></table>
<p>Lịch hẹn: {{.R.Appointments.Booked}} đã đặt · {{.R.Appointments.CheckedIn}} đã đến lấy số · {{.R.Appointments.Cancelled}} đã hủy · {{.R.Appointments.Expired}} quá hạn không đến</p></section>
{{with .R.Dossiers}}<section><h2>Hồ sơ (mã hồ sơ gắn với lượt phục vụ)</h2>
<p>Lượt phục vụ có mã hồ sơ: {{.Linked}} / {{.Visits}} ({{pct .LinkedShare}})</p>
<table><thead><tr><th>Ngày</th><th>Lượt phục vụ</th><th>Có mã hồ sơ</th><th>Tỉ lệ</th></tr></thead>
<tbody>{{range .Days}}<tr><td>{{.Day}}</td><td>{{.Visits}}</td><td>{{.Linked}}</td><td>{{pct .LinkedShare}}</td></tr>{{end}}</tbody></table>
<table><thead><tr><th>Mã hồ sơ</th><th>Lượt đánh giá</th><th>Điểm trung bình</th><th>Chưa hài lòng</th></tr></thead>
<tbody>{{range .Ratings}}<tr><td>{{.Code}}</td><td>{{.Ratings}}</td><td>{{.Mean}}</td><td>{{.Dissatisfied}}</td></tr>{{end}}</tbody></table>
<table><thead><tr><th>Cán bộ</th><th>Lượt đánh giá (có hồ sơ)</th><th>Điểm trung bình</th><th>Chưa hài lòng</th></tr></thead>
<tbody>{{range .Officers}}<tr><td>{{.Officer}}</td><td>{{.Ratings}}</td><td>{{.Mean}}</td><td>{{.Dissatisfied}}</td></tr>{{end}}</tbody></table>
<table class="reasons"><thead><tr><th>Ngày</th><th>Giờ</th><th>Mã hồ sơ</th><th>Số</th><th>Quầy</th><th>Cán bộ</th><th>Điểm</th><th>Lý do</th></tr></thead>
<tbody>{{range .Dissatisfied}}<tr><td>{{.Day}}</td><td>{{.At}}</td><td>{{.Code}}</td><td>{{.Number}}</td><td>{{.Counter}}</td><td>{{.Officer}}</td><td>{{.Score}}</td><td>{{.Reason}}</td></tr>{{end}}</tbody></table></section>{{end}}
</body>
</html>
{{define "table"}}<section><h2>{{.Title}}</h2>
<table class="{{.Class}}"><thead><tr>{{range .Head}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>{{end}}
{{with .Total}}<tr class="total">{{range .}}<td>{{.}}</td>{{end}}</tr>{{end}}</tbody></table></section>{{end}}
`))
