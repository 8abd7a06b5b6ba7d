package web_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"
)

// BenchmarkBoardCall measures, for each call, the time from sending
// POST /api/v1/counters/1/next to the board's DOM showing the number in
// headless Chromium (and to the next animation frame after it), and
// reports the median and the 99th percentile. Run with
//
//	go test -run '^$' -bench BoardCall -benchtime 50x ./kiosk/web/
func BenchmarkBoardCall(b *testing.B) {
	r := newRoom(b)
	board := tab(b, 1920, 1080)
	open(b, board, r.url+"/board?token="+displayTok)
	waitJS(b, board, `document.body.dataset.live === "1"`)
	r.must(b, 200, "POST", "/api/v1/counters/1/open", map[string]any{"officer": "Bench"})
	for i := 0; i < b.N; i++ {
		r.must(b, 201, "POST", "/api/v1/tickets", map[string]any{"service": "dat-dai"})
	}
	req := func() *http.Request {
		q, _ := http.NewRequest("POST", r.url+"/api/v1/counters/1/next", nil)
		q.Header.Set("Authorization", "Bearer "+adminTok)
		return q
	}
	var dom, frame []float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := float64(time.Now().UnixMicro()) / 1000
		resp, err := http.DefaultClient.Do(req())
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("next: %s", resp.Status)
		}
		n := i + 1
		waitJS(b, board, fmt.Sprintf(`window.motcuaBoard.renders.length >= %d && window.motcuaBoard.renders[%d].frame`, n, i))
		rec := evalJS[map[string]any](b, board, fmt.Sprintf(`window.motcuaBoard.renders[%d]`, i))
		if want := fmt.Sprintf("A%03d", n); rec["number"] != want {
			b.Fatalf("board showed %v, want %s", rec["number"], want)
		}
		dom = append(dom, rec["at"].(float64)-t0)
		frame = append(frame, rec["frame"].(float64)-t0)
	}
	b.StopTimer()
	p := func(xs []float64, q float64) float64 {
		s := slices.Clone(xs)
		slices.Sort(s)
		return s[min(len(s)-1, int(q*float64(len(s))))]
	}
	b.ReportMetric(p(dom, .5), "dom-p50-ms")
	b.ReportMetric(p(dom, .99), "dom-p99-ms")
	b.ReportMetric(p(frame, .5), "frame-p50-ms")
	b.ReportMetric(p(frame, .99), "frame-p99-ms")
	b.ReportMetric(0, "ns/op")
}
