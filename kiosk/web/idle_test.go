package web_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// fastClock makes the page's timers run 100 times faster, so that the
// kiosk's 20 s, 30 s and 60 s timers take a fraction of a second.
const fastClock = `{
  const st = window.setTimeout.bind(window);
  window.setTimeout = (f, ms, ...a) => st(f, (ms || 0) / 100, ...a);
}`

// fastTab is a tab whose pages run on fastClock.
func fastTab(t *testing.T, width, height int64) context.Context {
	t.Helper()
	ctx := tab(t, width, height)
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: fastClock}); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// goWait polls expr from Go, in real time: chromedp's own polling runs on
// the page's timers, which fastClock speeds up.
func goWait(t *testing.T, ctx context.Context, expr string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !evalJS[bool](t, ctx, "!!("+expr+")"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: timed out", expr)
		}
	}
}

// TestKioskReturnsToStart checks the kiosk's timers: a printed ticket
// leaves the screen by itself, a ticket that did not print stays longer
// than the idle time (to be photographed), and an idle start screen
// forgets a priority choice left on.
func TestKioskReturnsToStart(t *testing.T) {
	r := newRoom(t)
	ctx := fastTab(t, 1080, 1920)
	open(t, ctx, r.url+"/kiosk?token="+kioskTok)
	goWait(t, ctx, `document.querySelectorAll("#services .svc").length === 5`)

	// A printed ticket: shown, then back to the start (20 s, here 0.2 s).
	click(t, ctx, `#services .svc[data-service="dat-dai"]`)
	goWait(t, ctx, `!document.querySelector("#ticket").hidden`)
	goWait(t, ctx, `!document.querySelector("#start").hidden && document.querySelector("#ticket").hidden`)

	// A ticket that did not print stays past the idle time (30 s), until
	// its own 60 s.
	r.printer.Fail(errors.New("escpos: paper out"))
	click(t, ctx, `#services .svc[data-service="dat-dai"]`)
	goWait(t, ctx, `document.querySelector("#ticket").classList.contains("failed") && !document.querySelector("#ticket").hidden`)
	evalJS[any](t, ctx, `window.shownAt45 = null; setTimeout(() => { window.shownAt45 = !document.querySelector("#ticket").hidden }, 45000)`)
	goWait(t, ctx, `window.shownAt45 !== null`)
	if !evalJS[bool](t, ctx, `window.shownAt45`) {
		t.Error("the unprinted ticket left the screen before 60 s")
	}
	goWait(t, ctx, `!document.querySelector("#start").hidden`)

	// Idle: a priority choice left on is forgotten after 30 s.
	click(t, ctx, "#priority")
	goWait(t, ctx, `document.body.dataset.shown === "priority"`)
	click(t, ctx, `#prio-list .svc[data-category="elderly"]`)
	if !evalJS[bool](t, ctx, `document.querySelector("#priority").getAttribute("aria-pressed") === "true"`) {
		t.Fatal("the priority button did not toggle")
	}
	goWait(t, ctx, `document.querySelector("#priority").getAttribute("aria-pressed") === "false"`)
}

// TestRateTimers checks the rating tablet's timers: an unanswered question
// goes away after 60 s, and the thank-you after 6 s.
func TestRateTimers(t *testing.T) {
	r := newRoom(t)
	ctx := fastTab(t, 1280, 800)
	open(t, ctx, r.url+"/rate/3?token="+kioskTok)
	goWait(t, ctx, `document.body.dataset.live === "1"`)
	// With timers 100× faster the thank-you screen lasts ~60 ms, which a
	// poll can miss on a busy machine: the page records each change of
	// screen as it happens, and the test reads the record.
	evalJS[bool](t, ctx, rateScreens)
	r.must(t, 200, "POST", "/api/v1/counters/3/open", map[string]any{"officer": "Lê Minh Châu"})
	for range 2 {
		r.must(t, 201, "POST", "/api/v1/tickets", map[string]any{"service": "chung-thuc"})
	}
	r.must(t, 200, "POST", "/api/v1/counters/3/next", nil)
	r.must(t, 200, "POST", "/api/v1/counters/3/done", nil)
	// Nobody answers: back to idle by itself.
	goWait(t, ctx, `__sawScreens("idle", "ask", "idle")`)

	r.must(t, 200, "POST", "/api/v1/counters/3/next", nil)
	r.must(t, 200, "POST", "/api/v1/counters/3/done", nil)
	goWait(t, ctx, `__sawScreens("idle", "ask", "idle", "ask")`)
	click(t, ctx, `.lv[data-score="3"]`)
	// Straight from the question to the thanks: the page's own rating
	// is not taken for one made elsewhere (it went back to idle a moment).
	goWait(t, ctx, `__sawScreens("idle", "ask", "idle", "ask", "thanks", "idle")`)
}

// rateScreens makes the rating page record every change of the screen
// shown (why, thanks, ask or idle) in window.__screens, from a mutation
// observer, and defines __sawScreens(...names): whether the record is
// exactly those screens in that order.
const rateScreens = `(() => {
	const names = ["why", "thanks", "ask", "idle"];
	const shown = () => names.find(n => !document.getElementById(n).hidden) || "none";
	window.__screens = [shown()];
	new MutationObserver(() => {
		const s = shown();
		if (s !== window.__screens[window.__screens.length - 1]) window.__screens.push(s);
	}).observe(document.body, {attributes: true, subtree: true, attributeFilter: ["hidden"]});
	window.__sawScreens = (...want) => window.__screens.join(" ") === want.join(" ");
	return true;
})()`

// TestRateLowScoreReason: a low score asks why; the reason chosen is sent
// with the score, and without an answer the score goes alone after 20 s.
func TestRateLowScoreReason(t *testing.T) {
	r := newRoom(t)
	ctx := fastTab(t, 1280, 800)
	open(t, ctx, r.url+"/rate/3?token="+kioskTok)
	goWait(t, ctx, `document.body.dataset.live === "1"`)
	r.must(t, 200, "POST", "/api/v1/counters/3/open", map[string]any{"officer": "Lê Minh Châu"})
	var ids []string
	for range 3 {
		tk := r.must(t, 201, "POST", "/api/v1/tickets", map[string]any{"service": "chung-thuc"})
		ids = append(ids, tk["id"].(string))
	}
	rated := func(id string) (int, string) {
		ev, err := r.d.Log.Ticket(context.Background(), id)
		if err != nil || ev == nil || ev.Name != "ticket.rated" {
			return 0, ""
		}
		return ev.Score, ev.Reason
	}

	r.must(t, 200, "POST", "/api/v1/counters/3/next", nil)
	r.must(t, 200, "POST", "/api/v1/counters/3/done", nil)
	goWait(t, ctx, `!document.querySelector("#ask").hidden`)
	click(t, ctx, `.lv[data-score="1"]`)
	goWait(t, ctx, `!document.querySelector("#why").hidden`)
	if score, _ := rated(ids[0]); score != 0 {
		t.Fatalf("rated %d before the reason was chosen", score)
	}
	click(t, ctx, `.rs[data-reason="Phải chờ lâu"]`)
	goWait(t, ctx, `!document.querySelector("#thanks").hidden`)
	if score, reason := rated(ids[0]); score != 1 || reason != "Phải chờ lâu" {
		t.Errorf("first rating: got %d %q, want 1 \"Phải chờ lâu\"", score, reason)
	}

	r.must(t, 200, "POST", "/api/v1/counters/3/next", nil)
	r.must(t, 200, "POST", "/api/v1/counters/3/done", nil)
	goWait(t, ctx, `!document.querySelector("#ask").hidden && document.querySelector("#a-number").textContent === "E002"`)
	evalJS[bool](t, ctx, rateScreens)
	click(t, ctx, `.lv[data-score="1"]`)
	goWait(t, ctx, `__sawScreens("ask", "why", "thanks")`) // nobody answered why
	if score, reason := rated(ids[1]); score != 1 || reason != "" {
		t.Errorf("second rating: got %d %q, want 1 without a reason", score, reason)
	}

	// 2 (bình thường) is above [rating] not_satisfied (1 on the default
	// four levels): no why, no apology, and the engine flags no follow-up.
	r.must(t, 200, "POST", "/api/v1/counters/3/next", nil)
	r.must(t, 200, "POST", "/api/v1/counters/3/done", nil)
	goWait(t, ctx, `!document.querySelector("#ask").hidden && document.querySelector("#a-number").textContent === "E003"`)
	evalJS[bool](t, ctx, rateScreens)
	click(t, ctx, `.lv[data-score="2"]`)
	goWait(t, ctx, `__sawScreens("ask", "thanks")`)
	if more := evalJS[string](t, ctx, `document.querySelector("#th-more").textContent`); strings.Contains(more, "xin lỗi") {
		t.Errorf("thanks after a 2: %q, want no apology", more)
	}
	if score, reason := rated(ids[2]); score != 2 || reason != "" {
		t.Errorf("third rating: got %d %q, want 2 without a reason", score, reason)
	}
}

// TestTransferToCounter: a ticket transferred to counter 2 shows in
// counter 2's page under "Chuyển đến quầy này", live and after a reload
// (from the snapshot), and counter 2 calls it first.
func TestTransferToCounter(t *testing.T) {
	r := newRoom(t)
	r.must(t, 200, "POST", "/api/v1/counters/1/open", map[string]any{"officer": "Nguyễn Thị Hoa"})
	r.must(t, 200, "POST", "/api/v1/counters/2/open", map[string]any{"officer": "Trần Văn Bình"})
	for range 2 {
		r.must(t, 201, "POST", "/api/v1/tickets", map[string]any{"service": "dat-dai"})
	}
	r.must(t, 200, "POST", "/api/v1/counters/1/next", nil) // A001
	second := tab(t, 400, 900)
	open(t, second, r.url+"/counter/2?token="+counterTok)
	waitJS(t, second, `document.body.dataset.live === "1"`)

	r.must(t, 200, "POST", "/api/v1/counters/1/transfer", map[string]any{"counter": 2})
	pinned := `[...document.querySelectorAll("#waiting .svc")].some((d) => d.querySelector("h3").textContent.startsWith("Chuyển đến quầy này") && d.querySelector("li").textContent === "A001")`
	waitJS(t, second, pinned)
	open(t, second, r.url+"/counter/2")
	waitJS(t, second, `document.body.dataset.live === "1"`)
	waitJS(t, second, pinned)

	called := r.must(t, 200, "POST", "/api/v1/counters/2/next", nil)
	if called["number"] != "A001" {
		t.Errorf("counter 2 called %v first, want the transferred A001", called["number"])
	}
	waitJS(t, second, `![...document.querySelectorAll("#waiting h3")].some((h) => h.textContent.startsWith("Chuyển đến quầy này"))`)
}

// TestAdminStartsDay: the admin page's "Bắt đầu ngày mới" needs two taps,
// then, on a clock that is not synchronised, starts a new queue day:
// numbering restarts, the waiting empties. On a synchronised clock it
// refuses and says why (TestAdminStartsDayTrusted).
func TestAdminStartsDay(t *testing.T) {
	r := newRoomOpts(t, roomOpts{clock: untrusted{}})
	r.must(t, 201, "POST", "/api/v1/tickets", map[string]any{"service": "dat-dai"})
	ctx := tab(t, 1366, 900)
	open(t, ctx, r.url+"/admin?token="+adminTok)
	waitJS(t, ctx, `document.querySelector("#f-waiting").textContent === "1"`)
	var before struct{ Day string }
	r.call(t, "GET", "/api/v1/state", adminTok, nil, &before)
	click(t, ctx, "#new-day")
	waitJS(t, ctx, `document.querySelector("#new-day").classList.contains("armed")`)
	var st struct{ Day string }
	if r.call(t, "GET", "/api/v1/state", adminTok, nil, &st); st.Day != before.Day {
		t.Fatalf("one tap started a day: %s → %s", before.Day, st.Day)
	}
	click(t, ctx, "#new-day")
	waitJS(t, ctx, `document.querySelector("#new-day").textContent.startsWith("Đã bắt đầu ngày")`)
	waitJS(t, ctx, `document.querySelector("#f-waiting").textContent === "0"`)
	if r.call(t, "GET", "/api/v1/state", adminTok, nil, &st); st.Day <= before.Day {
		t.Errorf("day after the second tap: %s, want after %s", st.Day, before.Day)
	}
	tk := r.must(t, 201, "POST", "/api/v1/tickets", map[string]any{"service": "dat-dai"})
	if tk["number"] != "A001" {
		t.Errorf("first ticket of the new day: %v, want A001", tk["number"])
	}
}

// TestAdminStartsDayTrusted: on a synchronised clock whose date is the
// queue day, "Bắt đầu ngày mới" is refused with a clear message and the
// queue stays on its day (it used to move to tomorrow).
func TestAdminStartsDayTrusted(t *testing.T) {
	r := newRoom(t)
	r.must(t, 201, "POST", "/api/v1/tickets", map[string]any{"service": "dat-dai"})
	var before struct{ Day string }
	r.call(t, "GET", "/api/v1/state", adminTok, nil, &before)
	ctx := tab(t, 1366, 900)
	open(t, ctx, r.url+"/admin?token="+adminTok)
	waitJS(t, ctx, `document.querySelector("#f-waiting").textContent === "1"`)
	click(t, ctx, "#new-day")
	waitJS(t, ctx, `document.querySelector("#new-day").classList.contains("armed")`)
	click(t, ctx, "#new-day")
	waitJS(t, ctx, `!document.querySelector("#new-day-msg").hidden`)
	if got := evalJS[string](t, ctx, `document.querySelector("#new-day-msg").textContent`); !strings.Contains(got, "đã đồng bộ") || !strings.Contains(got, "nửa đêm") {
		t.Errorf("message: got %q, want it to say the clock is synchronised and the day turns at midnight", got)
	}
	var st struct{ Day string }
	if r.call(t, "GET", "/api/v1/state", adminTok, nil, &st); st.Day != before.Day {
		t.Errorf("day: got %s, want %s (unchanged)", st.Day, before.Day)
	}
	if tk := r.must(t, 201, "POST", "/api/v1/tickets", map[string]any{"service": "dat-dai"}); tk["number"] != "A002" {
		t.Errorf("next ticket: got %v, want A002 of the same day", tk["number"])
	}
}
