package web_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestKioskIssuesTicket taps a service on /kiosk: the ticket shows on the
// screen and is in the printer's queue; when the printer fails the screen
// says so.
func TestKioskIssuesTicket(t *testing.T) {
	r := newRoom(t)
	ctx := tab(t, 1080, 1920)
	open(t, ctx, r.url+"/kiosk?token="+kioskTok)
	if loc := evalJS[string](t, ctx, "location.href"); strings.Contains(loc, "token") {
		t.Errorf("the token stayed in the address bar: %s", loc)
	}
	if c := evalJS[string](t, ctx, "document.cookie"); strings.Contains(c, kioskTok) {
		t.Errorf("the token cookie is readable by scripts: %q", c)
	}
	waitJS(t, ctx, `document.querySelectorAll("#services .svc").length === 5`)
	click(t, ctx, `#services .svc[data-service="dat-dai"]`)
	waitJS(t, ctx, `!document.querySelector("#ticket").hidden`)
	if got := evalJS[string](t, ctx, `document.querySelector("#t-number").textContent`); got != "A001" {
		t.Errorf("number on screen: got %q, want A001", got)
	}
	if got := r.printer.Jobs(); !slices.Equal(got, []string{"A001"}) {
		t.Errorf("printer jobs: got %v, want [A001]", got)
	}
	if got := evalJS[string](t, ctx, `document.querySelector("#t-print").textContent`); !strings.Contains(got, "nhận phiếu") {
		t.Errorf("print line: got %q, want it to say to take the ticket", got)
	}

	// Back to the start, priority, and a printer out of paper.
	click(t, ctx, "#t-done")
	waitJS(t, ctx, `!document.querySelector("#start").hidden`)
	r.printer.Fail(errors.New("escpos: paper out"))
	click(t, ctx, "#priority") // the categories (kiosk-priority.js)
	waitJS(t, ctx, `document.body.dataset.shown === "priority"`)
	click(t, ctx, `#prio-list .svc[data-category="disabled"]`)
	waitJS(t, ctx, `document.body.dataset.shown === "start"`)
	click(t, ctx, `#services .svc[data-service="tu-phap-ho-tich"]`)
	waitJS(t, ctx, `document.querySelector("#t-number").textContent === "B001"`)
	if !evalJS[bool](t, ctx, `document.querySelector("#ticket").classList.contains("failed")`) {
		t.Error("a failed print is not shown as failed")
	}
	if got := evalJS[string](t, ctx, `document.querySelector("#t-print").textContent`); !strings.Contains(got, "không in được") {
		t.Errorf("print line: got %q, want it to say the printer failed", got)
	}
	if !evalJS[bool](t, ctx, `!document.querySelector("#t-priority").hidden && window.motcuaKiosk.last.priority`) {
		t.Error("the priority choice was not sent or not shown")
	}
}

// TestCounterNextCallsOnBoard presses Next (the N key) on /counter/1: the
// board shows the number, the call's text, and fetches the announcement;
// a recall is announced again.
func TestCounterNextCallsOnBoard(t *testing.T) {
	r := newRoom(t)
	board := tab(t, 1920, 1080)
	open(t, board, r.url+"/board?token="+displayTok)
	waitJS(t, board, `document.body.dataset.live === "1"`)
	// The first command of the day also starts the day: the board follows.
	r.must(t, 201, "POST", "/api/v1/tickets", map[string]any{"service": "dat-dai"})

	officer := tab(t, 360, 800)
	open(t, officer, r.url+"/counter/1?token="+counterTok)
	waitJS(t, officer, `!document.querySelector("#open-form").hidden`)
	click(t, officer, "#officer-name")
	if err := sendKeys(officer, "#officer-name", "Nguyễn Thị <b>Hoa</b>"); err != nil {
		t.Fatal(err)
	}
	click(t, officer, `#open-form button[type=submit]`)
	waitJS(t, officer, `!document.querySelector("#work").hidden`)
	if got := evalJS[string](t, officer, `document.querySelector("#officer").textContent`); got != "Cán bộ: Nguyễn Thị <b>Hoa</b>" {
		t.Errorf("officer line: got %q (the name must be shown as text)", got)
	}
	pressKey(t, officer, "n")
	waitJS(t, officer, `document.querySelector("#s-number").textContent === "A001"`)

	waitJS(t, board, `document.querySelector("#call-number").textContent === "A001"`)
	want := "Mời công dân có số A001 đến quầy số 1"
	if got := strings.Join(strings.Fields(evalJS[string](t, board, `document.querySelector("#call-text").textContent`)), " "); got != want {
		t.Errorf("call text: got %q, want %q", got, want)
	}
	if !evalJS[bool](t, board, `document.querySelector("#call").classList.contains("new") && document.querySelector('.tile[data-counter="1"]').classList.contains("new")`) {
		t.Error("the new call is not highlighted")
	}
	select {
	case got := <-r.voice.got:
		if got != "A001@1" {
			t.Errorf("announcement fetched: got %q, want A001@1", got)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the board did not fetch the announcement")
	}

	// The recall is spoken again (its WAV may come from the browser's cache).
	pressKey(t, officer, "r")
	waitJS(t, board, `window.motcuaBoard.announcements.length === 2 && window.motcuaBoard.announcements[1].recall`)
	// Announcements never overlap: each one starts after the one before ended.
	waitJS(t, board, `window.motcuaBoard.announcements.every(a => a.endedAt)`)
	a := evalJS[[]map[string]any](t, board, `window.motcuaBoard.announcements`)
	if a[1]["startedAt"].(float64) < a[0]["endedAt"].(float64) {
		t.Errorf("announcements overlap: %v", a)
	}
	for _, x := range a {
		if x["fetched"] != 200.0 {
			t.Errorf("announcement %v: the WAV was not fetched", x)
		}
		t.Logf("announcement %v %v: %v", x["number"], x["recall"], x["status"])
	}

	// Transfer to another service, then pause with a preset reason: the
	// board follows.
	pressKey(t, officer, "t")
	waitJS(t, officer, `!document.querySelector("#transfer").hidden`)
	click(t, officer, "#transfer-services button")
	waitJS(t, officer, `document.querySelector("#msg").textContent === "Đã chuyển số A001."`)
	var st struct {
		Services []struct {
			ID      string
			Waiting []struct{ Number string }
		}
	}
	r.call(t, "GET", "/api/v1/state", adminTok, nil, &st)
	if st.Services[1].Waiting[0].Number != "A001" {
		t.Errorf("after the transfer, %s waits for %v; want A001", st.Services[1].ID, st.Services[1].Waiting)
	}
	pressKey(t, officer, "p")
	waitJS(t, officer, `!document.querySelector("#pause").hidden`)
	click(t, officer, "#pause-presets button")
	waitJS(t, officer, `!document.querySelector("#paused").hidden`)
	waitJS(t, board, `document.querySelector('.tile[data-counter="1"]').textContent === "Quầy 1Tạm nghỉHọp"`)
	pressKey(t, officer, "p")
	waitJS(t, officer, `!document.querySelector("#work").hidden`)
}

// TestBoardResumes cuts the board's connection: it shows "mất kết nối",
// then catches up with the calls made meanwhile, without reloading.
func TestBoardResumes(t *testing.T) {
	r := newRoom(t)
	p := newProxy(t, r.d.Addr())
	board := tab(t, 1920, 1080)
	open(t, board, "http://"+p.Addr()+"/board?token="+displayTok)
	waitJS(t, board, `document.querySelectorAll("#counters .tile").length === 5`)
	r.must(t, 200, "POST", "/api/v1/counters/2/open", map[string]any{"officer": "Lê Văn Nam"})
	waitJS(t, board, `document.querySelector('.tile[data-counter="2"] .serving').textContent === "—"`)

	p.cut()
	waitJS(t, board, `!document.querySelector(".offline").hidden`)
	for i := 0; i < 3; i++ {
		r.must(t, 201, "POST", "/api/v1/tickets", map[string]any{"service": "dat-dai"})
	}
	r.must(t, 200, "POST", "/api/v1/counters/2/next", nil)
	r.must(t, 200, "POST", "/api/v1/counters/2/next", nil)
	p.restore()

	waitJS(t, board, `document.querySelector("#call-number").textContent === "A002"`)
	waitJS(t, board, `document.querySelector(".offline").hidden`)
	recent := evalJS[[]string](t, board, `[...document.querySelectorAll("#recent b")].map(b => b.textContent)`)
	if !slices.Equal(recent, []string{"A002", "A001"}) {
		t.Errorf("latest calls: got %v, want [A002 A001]", recent)
	}
	if got := evalJS[int](t, board, "window.motcuaLoads"); got != 1 {
		t.Errorf("page loads: got %d, want 1 (no reload)", got)
	}
	// The calls missed while offline were fresh: they are announced.
	waitJS(t, board, `window.motcuaBoard.announcements.length === 2`)
}

// TestRoles opens pages with a token of the wrong kind and a wrong token.
func TestRoles(t *testing.T) {
	r := newRoom(t)
	tests := []struct {
		url, want string
	}{
		{"/counter/1?token=" + displayTok, "không dùng được"},
		{"/board?token=nope", "sai hoặc đã bị thu hồi"},
		{"/admin?token=" + kioskTok, "không dùng được"},
		{"/kiosk", "sai hoặc đã bị thu hồi"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			ctx := tab(t, 800, 600)
			open(t, ctx, r.url+tt.url)
			waitJS(t, ctx, `document.querySelector("#auth") && !document.querySelector("#auth").hidden`)
			if got := evalJS[string](t, ctx, `document.querySelector("#auth").textContent`); !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want it to contain %q", got, tt.want)
			}
		})
	}
}

var _ = fmt.Sprint
