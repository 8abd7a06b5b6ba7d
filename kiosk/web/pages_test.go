package web_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"motcua/kiosk/queue"
)

// TestRateAfterDone: when counter 3 finishes a file, /rate/3 asks for a
// rating, sends it and thanks.
func TestRateAfterDone(t *testing.T) {
	r := newRoom(t)
	ctx := tab(t, 1280, 800)
	open(t, ctx, r.url+"/rate/3?token="+kioskTok)
	waitJS(t, ctx, `document.body.dataset.live === "1"`)
	r.must(t, 200, "POST", "/api/v1/counters/3/open", map[string]any{"officer": "Lê Minh Châu"})
	tk := r.must(t, 201, "POST", "/api/v1/tickets", map[string]any{"service": "chung-thuc"})
	r.must(t, 200, "POST", "/api/v1/counters/3/next", nil)
	if !evalJS[bool](t, ctx, `document.querySelector("#ask").hidden`) {
		t.Fatal("the question shows before the file is done")
	}
	r.must(t, 200, "POST", "/api/v1/counters/3/done", nil)
	waitJS(t, ctx, `!document.querySelector("#ask").hidden`)
	if got := evalJS[string](t, ctx, `document.querySelector("#a-number").textContent`); got != "E001" {
		t.Errorf("asked about %q, want E001", got)
	}
	click(t, ctx, `.lv[data-score="4"]`)
	waitJS(t, ctx, `!document.querySelector("#thanks").hidden`)
	var got queue.Ticket
	if st := r.call(t, "GET", "/api/v1/tickets/"+tk["id"].(string), adminTok, nil, &got); st != 200 || got.Rating != 4 {
		t.Errorf("ticket after rating: status %d, rating %d; want 200, 4", st, got.Rating)
	}
}

// TestAdminPage shows today's figures, devices and the event tail, keeps
// them live, and shows an officer's name as text.
func TestAdminPage(t *testing.T) {
	r := newRoom(t)
	r.must(t, 200, "POST", "/api/v1/counters/1/open", map[string]any{"officer": `<img src=x onerror="window.pwned=1">`})
	r.must(t, 201, "POST", "/api/v1/tickets", map[string]any{"service": "dat-dai"})
	r.must(t, 201, "POST", "/api/v1/tickets", map[string]any{"service": "dat-dai"})
	r.must(t, 200, "POST", "/api/v1/counters/1/next", nil)
	r.must(t, 200, "POST", "/api/v1/counters/1/skip", nil)
	if err := r.d.Room.SetDevice(queue.Device{Name: "printer", Status: queue.DeviceError, Detail: "Hết giấy"}); err != nil {
		t.Fatal(err)
	}
	ctx := tab(t, 1366, 900)
	open(t, ctx, r.url+"/admin?token="+adminTok)
	waitJS(t, ctx, `document.querySelector("#f-issued").textContent === "2"`)
	figs := evalJS[[]string](t, ctx, `["#f-issued","#f-served","#f-waiting","#f-noshow"].map(s => document.querySelector(s).textContent)`)
	if want := []string{"2", "0", "1", "1"}; fmt.Sprint(figs) != fmt.Sprint(want) {
		t.Errorf("figures issued, served, waiting, no-show: got %v, want %v", figs, want)
	}
	dev := evalJS[string](t, ctx, `document.querySelector("#devices").textContent`)
	if !strings.Contains(dev, "Máy in phiếu") || !strings.Contains(dev, "Lỗi") || !strings.Contains(dev, "Hết giấy") {
		t.Errorf("devices: got %q", dev)
	}
	// The tail comes from the websocket, replayed from seq-50.
	waitJS(t, ctx, `document.querySelector("#events").textContent.includes("Vắng mặt · A001") && document.querySelector("#events li:last-child .seq").textContent === "#1"`)
	if evalJS[bool](t, ctx, `!!document.querySelector("#counters img") || !!window.pwned`) {
		t.Error("an officer's name was parsed as HTML")
	}
	r.must(t, 201, "POST", "/api/v1/tickets", map[string]any{"service": "kinh-doanh"})
	waitJS(t, ctx, `document.querySelector("#f-issued").textContent === "3" && document.querySelector("#f-waiting").textContent === "2"`)
}

// TestScreenshots takes one screenshot of each page at its target size,
// in a room with some activity. Run with -screenshots DIR to keep them
// (docs/screenshots holds the committed ones).
func TestScreenshots(t *testing.T) {
	r := newRoom(t)
	if browserCtx == nil {
		tab(t, 1, 1) // fails or skips
	}
	issue := func(svc string, prio bool, n int) {
		for i := 0; i < n; i++ {
			r.must(t, 201, "POST", "/api/v1/tickets", map[string]any{"service": svc, "priority": prio})
		}
	}
	issue("dat-dai", false, 5)
	issue("dat-dai", true, 1)
	issue("tu-phap-ho-tich", false, 4)
	issue("chung-thuc", false, 3)
	issue("kinh-doanh", false, 2)
	issue("xay-dung", false, 1)
	for id, name := range map[int]string{1: "Nguyễn Thị Hoa", 2: "Trần Văn Bình", 3: "Lê Minh Châu", 4: "Phạm Quốc Dũng"} {
		r.must(t, 200, "POST", fmt.Sprintf("/api/v1/counters/%d/open", id), map[string]any{"officer": name})
	}
	r.must(t, 200, "POST", "/api/v1/counters/4/pause", map[string]any{"reason": "Họp giao ban"})
	for _, id := range []int{1, 2, 3, 1, 3} {
		r.must(t, 200, "POST", fmt.Sprintf("/api/v1/counters/%d/next", id), nil)
	}
	r.must(t, 200, "POST", "/api/v1/counters/3/rating", map[string]any{"score": 4})
	if err := r.d.Room.SetDevice(queue.Device{Name: "printer", Status: queue.DeviceWarning, Detail: "Giấy sắp hết"}); err != nil {
		t.Fatal(err)
	}

	t.Run("kiosk", func(t *testing.T) {
		ctx := tab(t, 1080, 1920)
		open(t, ctx, r.url+"/kiosk?token="+kioskTok)
		waitJS(t, ctx, `document.querySelectorAll("#services .svc").length === 5`)
		screenshot(t, ctx, "kiosk")
		click(t, ctx, `#services .svc[data-service="dat-dai"]`)
		waitJS(t, ctx, `!document.querySelector("#ticket").hidden`)
		screenshot(t, ctx, "kiosk-ticket")
		click(t, ctx, "#t-done")
		r.printer.Fail(errors.New("escpos: paper out"))
		defer r.printer.Fail(nil)
		click(t, ctx, `#services .svc[data-service="kinh-doanh"]`)
		waitJS(t, ctx, `document.querySelector("#ticket").classList.contains("failed")`)
		screenshot(t, ctx, "kiosk-printer-failed")
	})
	t.Run("kiosk-landscape", func(t *testing.T) {
		ctx := tab(t, 1920, 1080)
		open(t, ctx, r.url+"/kiosk?token="+kioskTok)
		waitJS(t, ctx, `document.querySelectorAll("#services .svc").length === 5`)
		screenshot(t, ctx, "kiosk-landscape")
	})
	t.Run("counter", func(t *testing.T) {
		ctx := tab(t, 360, 800)
		open(t, ctx, r.url+"/counter/1?token="+counterTok)
		waitJS(t, ctx, `document.querySelector("#s-number").textContent !== "—"`)
		screenshot(t, ctx, "counter")
		pressKey(t, ctx, "t")
		waitJS(t, ctx, `!document.querySelector("#transfer").hidden`)
		screenshot(t, ctx, "counter-transfer")
	})
	t.Run("wrong-role", func(t *testing.T) {
		ctx := tab(t, 360, 800)
		open(t, ctx, r.url+"/counter/1?token="+displayTok)
		waitJS(t, ctx, `document.querySelector("#auth") && !document.querySelector("#auth").hidden`)
		screenshot(t, ctx, "counter-wrong-role")
	})
	for _, size := range []struct {
		name string
		w, h int64
	}{{"board", 1920, 1080}, {"board-portrait", 1080, 1920}} {
		t.Run(size.name, func(t *testing.T) {
			ctx := tab(t, size.w, size.h)
			open(t, ctx, r.url+"/board?token="+displayTok)
			waitJS(t, ctx, `document.querySelectorAll("#counters .tile").length === 5`)
			waitJS(t, ctx, `document.body.dataset.live === "1"`)
			r.must(t, 200, "POST", "/api/v1/counters/2/next", nil)
			waitJS(t, ctx, `document.querySelector("#call").classList.contains("new")`)
			screenshot(t, ctx, size.name)
		})
	}
	t.Run("rate", func(t *testing.T) {
		ctx := tab(t, 1280, 800)
		open(t, ctx, r.url+"/rate/1?token="+kioskTok)
		waitJS(t, ctx, `document.body.dataset.live === "1"`)
		r.must(t, 200, "POST", "/api/v1/counters/1/done", nil)
		waitJS(t, ctx, `!document.querySelector("#ask").hidden`)
		screenshot(t, ctx, "rate")
	})
	t.Run("admin", func(t *testing.T) {
		ctx := tab(t, 1366, 900)
		open(t, ctx, r.url+"/admin?token="+adminTok)
		waitJS(t, ctx, `document.querySelectorAll("#events li").length > 10`)
		screenshot(t, ctx, "admin")
	})
}

// TestAdminWords: the admin page uses the glossary's words and Vietnamese
// numbers: "Màn hình 1" (not "display 1"), a mean rating "3,5" (not
// "3.5").
func TestAdminWords(t *testing.T) {
	r := newRoom(t)
	r.must(t, 200, "POST", "/api/v1/counters/3/open", map[string]any{"officer": "Lê Minh Châu"})
	for _, score := range []int{4, 3} {
		r.must(t, 201, "POST", "/api/v1/tickets", map[string]any{"service": "chung-thuc"})
		r.must(t, 200, "POST", "/api/v1/counters/3/next", nil)
		r.must(t, 200, "POST", "/api/v1/counters/3/done", nil)
		r.must(t, 200, "POST", "/api/v1/counters/3/rating", map[string]any{"score": score})
	}
	if err := r.d.Room.SetDevice(queue.Device{Name: "display 1", Status: queue.DeviceOK}); err != nil {
		t.Fatal(err)
	}
	ctx := tab(t, 1366, 900)
	open(t, ctx, r.url+"/admin?token="+adminTok)
	waitJS(t, ctx, `document.querySelector("#f-rating").textContent !== "–"`)
	if got := evalJS[string](t, ctx, `document.querySelector("#f-rating").textContent`); got != "3,5 (2)" {
		t.Errorf("mean rating: got %q, want 3,5 (2)", got)
	}
	if dev := evalJS[string](t, ctx, `document.querySelector("#devices").textContent`); !strings.Contains(dev, "Màn hình 1") || strings.Contains(dev, "display") {
		t.Errorf("devices: got %q, want Màn hình 1", dev)
	}
}
