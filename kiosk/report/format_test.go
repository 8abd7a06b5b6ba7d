package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"motcua/kiosk/report"
)

func scenarioReport(t *testing.T, by report.Grouping) *report.Report {
	t.Helper()
	dir, cfg, _, _ := scenario(t, false)
	rep, err := newReporter(t, dir, cfg, false).Report(context.Background(), report.Query{From: "2026-11-23", To: "2026-11-24", By: by})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// The CSV of the scenario by service, read back with encoding/csv; the
// values are those of serviceA and serviceB in report_test.go, in whole
// seconds (303.33 -> 303) and shares with four decimals.
func TestCSV(t *testing.T) {
	rep := scenarioReport(t, report.ByService)
	var buf bytes.Buffer
	if err := rep.Write(&buf, report.CSV); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	if !bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("no UTF-8 byte order mark: % x", data[:3])
	}
	recs, err := csv.NewReader(bytes.NewReader(data[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		strings.Split("service,service_name,issued,served,no_show,transferred,wait_mean_s,wait_median_s,wait_p90_s,service_mean_s,served_within_target,rating_count,rating_satisfied_share", ","),
		{"a", "Đất đai", "5", "3", "1", "0", "540", "540", "840", "380", "2", "3", "0.3333"},
		{"b", "Hộ tịch", "20", "18", "0", "1", "2094", "1950", "3900", "303", "3", "6", "0.8333"},
	}
	if !slices.EqualFunc(recs, want, slices.Equal) {
		t.Errorf("got\n%q\nwant\n%q", recs, want)
	}
}

// By officer, the CSV has the counter time and the ratings by level; Chi
// served nobody, so her service times and shares are empty.
func TestCSVByOfficer(t *testing.T) {
	rep := scenarioReport(t, report.ByOfficer)
	var buf bytes.Buffer
	if err := rep.Write(&buf, report.CSV); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte("\xEF\xBB\xBF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := "officer,counters,called,served,no_show,transferred,wait_mean_s,wait_median_s,wait_p90_s,service_mean_s,served_within_target,rating_count,rating_satisfied_share," +
		"service_median_s,service_p90_s,served_within_target_share,rating_1,rating_2,rating_3,rating_4,open_s,paused_s,idle_s,paused_by_reason"
	if got := strings.Join(recs[0], ","); got != head {
		t.Errorf("header: got %s, want %s", got, head)
	}
	want := map[string]string{
		"An":   "An,Quầy 1,4,3,1,0,540,540,840,380,2,3,0.3333,300,600,0.6667,1,1,0,1,58200,1200,56940,họp=600;nghỉ=600",
		"Chi":  "Chi,Quầy 2,1,0,0,0,3000,3000,3000,,0,0,,,,,0,0,0,0,50400,0,49800,",
		"Bình": "Bình,Quầy 2,19,18,0,1,2046,1800,4200,303,3,6,0.8333,300,300,0.1667,0,1,3,2,10860,0,4800,",
	}
	if len(recs) != 4 {
		t.Fatalf("got %d records, want 4", len(recs))
	}
	for _, rec := range recs[1:] {
		if got := strings.Join(rec, ","); got != want[rec[0]] {
			t.Errorf("got  %s\nwant %s", got, want[rec[0]])
		}
	}
}

// The workbook read back with excelize: Vietnamese titles, durations in
// minutes, shares as percentages, the total, and the other sheets.
func TestXLSX(t *testing.T) {
	rep := scenarioReport(t, report.ByService)
	var buf bytes.Buffer
	if err := rep.Write(&buf, report.XLSX); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := f.GetSheetList(), []string{report.SheetMain, report.SheetCounters, report.SheetOfficers, report.SheetHours, report.SheetDossiers}; !slices.Equal(got, want) {
		t.Errorf("sheets: got %q, want %q", got, want)
	}
	rows, err := f.GetRows(report.SheetMain)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 7 {
		t.Fatalf("got %d rows, want 7: %q", len(rows), rows)
	}
	if rows[0][0] != "UBND xã Thử – Bộ phận một cửa" {
		t.Errorf("title: got %q", rows[0][0])
	}
	wantHead := []string{"Mã lĩnh vực", "Lĩnh vực", "Phiếu đã cấp", "Đã phục vụ", "Vắng mặt", "Chuyển tiếp", "Chờ trung bình (phút)", "Chờ trung vị (phút)", "Chờ P90 (phút)",
		"Phục vụ trung bình (phút)", "Phục vụ trong thời gian chờ mục tiêu", "Số đánh giá", "Tỉ lệ hài lòng trở lên"}
	if !slices.Equal(rows[3], wantHead) {
		t.Errorf("header: got %q, want %q", rows[3], wantHead)
	}
	// 540 s = 9 min, 840 s = 14 min, 380 s = 6.3 min; 2094 s = 34.9
	// min, 1950 s = 32.5, 3900 s = 65, 5460/18 s = 5.1; 1/3 and 5/6.
	wantRows := [][]string{
		{"a", "Đất đai", "5", "3", "1", "0", "9", "9", "14", "6.3", "2", "3", "33.33%"},
		{"b", "Hộ tịch", "20", "18", "0", "1", "34.9", "32.5", "65", "5.1", "3", "6", "83.33%"},
		// Total: 43200/23 s = 31.3 min, 1500 s = 25, 3900 s = 65,
		// 7200/21 s = 5.7; 6 of 9 satisfied.
		{"Tổng cộng", "", "24", "21", "1", "1", "31.3", "25", "65", "5.7", "6", "9", "66.67%"},
	}
	if !slices.EqualFunc(rows[4:], wantRows, slices.Equal) {
		t.Errorf("rows: got\n%q\nwant\n%q", rows[4:], wantRows)
	}
	counters, err := f.GetRows(report.SheetCounters)
	if err != nil {
		t.Fatal(err)
	}
	// Counter 1: open 58200 s = 16.17 h, paused 1200 s = 0.33 h.
	if c1 := counters[4]; c1[0] != "1" || c1[20] != "16.17" || c1[21] != "0.33" || c1[23] != "họp: 10 phút; nghỉ: 10 phút" {
		t.Errorf("counter 1: got %q", c1)
	}
	hours, err := f.GetRows(report.SheetHours)
	if err != nil {
		t.Fatal(err)
	}
	if h8 := hours[9]; h8[0] != "08:00–09:00" || h8[1] != "3" || h8[2] != "16" || h8[8] != "19" {
		t.Errorf("08h: got %q, want Monday 3, Tuesday 16, total 19", h8)
	}
}

func TestHTML(t *testing.T) {
	rep := scenarioReport(t, report.ByCounter)
	var buf bytes.Buffer
	if err := rep.Write(&buf, report.HTML); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{
		"@page { size: A4", "<svg", `aria-label="Giờ cao điểm"`, `aria-label="Đánh giá theo quầy"`,
		"<td>Quầy 1</td>", "<td>66,7 %</td>", // counter 1 within target 2/3
		"họp: 10 phút; nghỉ: 10 phút",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// Nothing is loaded from elsewhere: the only URL is the SVG namespace.
	rest := strings.ReplaceAll(page, "http://www.w3.org/2000/svg", "")
	for _, bad := range []string{"http://", "https://", "<script", "<link", "src="} {
		if strings.Contains(rest, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
}

func TestHandler(t *testing.T) {
	dir, cfg, _, _ := scenario(t, false)
	db, err := report.OpenLog(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h := report.NewHandler(db, cfg)
	defer h.Close()
	tests := []struct {
		query, status, ctype, file string
	}{
		{"from=2026-11-23&to=2026-11-24&by=service&format=csv", "200", "text/csv; charset=utf-8", "bao-cao_2026-11-23_2026-11-24_service.csv"},
		{"from=2026-11-23&to=2026-11-24&by=day&format=xlsx", "200", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "bao-cao_2026-11-23_2026-11-24_day.xlsx"},
		{"from=2026-11-23&to=2026-11-24&by=month&format=html", "200", "text/html; charset=utf-8", "bao-cao_2026-11-23_2026-11-24_month.html"},
		{"from=2026-11-23&to=2026-11-24&by=officer&format=json", "200", "application/json; charset=utf-8", ""},
		{"from=2026-11-23&to=2026-11-24&table=dossiers&format=csv", "200", "text/csv; charset=utf-8", "ho-so_2026-11-23_2026-11-24.csv"},
		{"from=2026-11-24&to=2026-11-23&by=service", "400", "application/json; charset=utf-8", ""},
		{"from=2026-11-23&to=2026-11-24&by=week", "400", "application/json; charset=utf-8", ""},
		{"from=2026-11-23&to=2026-11-24&format=pdf", "400", "application/json; charset=utf-8", ""},
		{"from=23/11/2026", "400", "application/json; charset=utf-8", ""},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/api/v1/reports?"+tc.query, nil))
			res := w.Result()
			if got := res.Status[:3]; got != tc.status {
				t.Fatalf("status: got %s, want %s: %s", res.Status, tc.status, w.Body)
			}
			if got := res.Header.Get("Content-Type"); got != tc.ctype {
				t.Errorf("content type: got %q, want %q", got, tc.ctype)
			}
			if tc.file != "" {
				// An HTML report opens in the browser (the admin page's
				// "Báo cáo hôm nay"); the others are saved.
				how := "attachment"
				if strings.HasSuffix(tc.file, ".html") {
					how = "inline"
				}
				if got, want := res.Header.Get("Content-Disposition"), how+`; filename="`+tc.file+`"`; got != want {
					t.Errorf("disposition: got %q, want %q", got, want)
				}
			}
			body := w.Body.Bytes()
			switch {
			case tc.status == "400":
				var e struct {
					Error struct{ Code, Message string }
				}
				if err := json.Unmarshal(body, &e); err != nil || e.Error.Code != "bad_request" || e.Error.Message == "" {
					t.Errorf("error body: %s", body)
				}
			case strings.Contains(tc.query, "format=xlsx"):
				if !bytes.HasPrefix(body, []byte("PK")) {
					t.Errorf("not a zip: % x", body[:4])
				}
			case strings.Contains(tc.query, "format=json"):
				var rep report.Report
				if err := json.Unmarshal(body, &rep); err != nil {
					t.Fatal(err)
				}
				if len(rep.Rows) != 3 || rep.Rows[1].Key != "Bình" || rep.Rows[1].Issued != 19 {
					t.Errorf("json rows: %+v", rep.Rows)
				}
			}
		})
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/api/v1/reports", nil))
	if w.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: got %d, want 405", w.Code)
	}

	// After a reload that renames a service, reports use the new name.
	names := func() []string {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/api/v1/reports?from=2026-11-23&to=2026-11-24&by=service&format=json", nil))
		var rep report.Report
		if err := json.Unmarshal(w.Body.Bytes(), &rep); err != nil {
			t.Fatalf("%v: %s", err, w.Body)
		}
		var out []string
		for _, r := range rep.Rows {
			out = append(out, r.Name)
		}
		return out
	}
	next := *cfg
	next.Services = slices.Clone(cfg.Services)
	old := next.Services[0].Name
	next.Services[0].Name = "Đất đai – Nhà ở"
	if slices.Contains(names(), next.Services[0].Name) {
		t.Fatalf("the new name before the reload: %v", names())
	}
	h.Reconfigure(&next)
	if got := names(); !slices.Contains(got, "Đất đai – Nhà ở") || slices.Contains(got, old) {
		t.Errorf("after Reconfigure: got names %v, want %q instead of %q", got, "Đất đai – Nhà ở", old)
	}
}
