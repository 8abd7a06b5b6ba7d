package web_test

import (
	"bytes"
	"encoding/base64"
	"testing"

	"motcua/kiosk/report"
)

// TestReportChartLabels draws the HTML report's charts in Chromium, with
// the pages' fonts not available to it (a report is a file of its own):
// no label of a chart may start left of the chart (they were clipped on
// the left), with long Vietnamese service and counter names.
func TestReportChartLabels(t *testing.T) {
	long := "Tư pháp – Hộ tịch, chứng thực bản sao từ bản chính và chữ ký"
	rep := &report.Report{
		Unit: "UBND xã Quỳnh Hải", From: "2026-12-01", To: "2026-12-03", By: report.ByService,
		Rows: []report.Row{
			{Key: "tu-phap", Name: long, Issued: 120, Served: 100},
			{Key: "dat-dai", Name: "Đất đai", Issued: 40, Served: 38},
		},
		Total: report.Row{Key: "total", Name: "Tổng cộng", Issued: 160, Served: 138},
		Counters: []report.Row{
			{Key: "1", Name: "Quầy tiếp nhận và trả kết quả hồ sơ đất đai số 1", RatingCount: 10, Ratings: [4]int{1, 2, 3, 4}, SatisfiedShare: 0.7},
		},
	}
	rep.Hours[6][8] = 12
	var b bytes.Buffer
	if err := rep.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	ctx := tab(t, 1366, 900)
	open(t, ctx, "data:text/html;charset=utf-8;base64,"+base64.StdEncoding.EncodeToString(b.Bytes()))
	waitJS(t, ctx, `document.querySelectorAll("svg.chart").length === 3`)
	bad := evalJS[[]string](t, ctx, `[...document.querySelectorAll("svg.chart")].flatMap((svg) => {
	  const vb = svg.viewBox.baseVal;
	  return [...svg.querySelectorAll("text")].map((e) => [e, e.getBBox()])
	    .filter(([e, r]) => r.x < vb.x - 0.5 || r.x + r.width > vb.x + vb.width + 0.5)
	    .map(([e, r]) => svg.getAttribute("aria-label") + ": " + JSON.stringify(e.textContent) + " from x " + r.x.toFixed(1) + " to " + (r.x + r.width).toFixed(1) + ", chart 0 to " + vb.width);
	})`)
	for _, s := range bad {
		t.Errorf("label outside its chart: %s", s)
	}
	if got := evalJS[string](t, ctx, `document.querySelector("tr.total td").textContent`); got != "Tổng cộng" {
		t.Errorf("total row: got %q, want Tổng cộng (not the JSON key)", got)
	}
}
