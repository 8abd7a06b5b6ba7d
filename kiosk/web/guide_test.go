package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// spokenJS is what the kiosk's guidance played: "parts=clips" per
// utterance, cancelled ones left out.
const spokenJS = `window.motcuaKiosk.spoken.filter((s) => s.status !== "cancelled" && s.clips !== null).map((s) => s.say + "=" + s.clips)`

// TestKioskSpokenGuidance operates the kiosk without the touch screen:
// the guidance button (a GPIO button passed on by the daemon) starts the
// spoken guidance, the arrow keys move between the choices and each is
// read aloud, OK takes a ticket that is read aloud with its number,
// service and the people ahead, back returns to the start. The flow is
// checked by the clips the kiosk played, in order.
func TestKioskSpokenGuidance(t *testing.T) {
	r := newRoom(t)
	r.must(t, 200, "POST", "/api/v1/counters/1/open", map[string]any{"officer": "Nguyễn Thị Hoa"})
	for range 2 {
		r.must(t, 201, "POST", "/api/v1/tickets", map[string]any{"service": "dat-dai"})
	}
	ctx := tab(t, 1080, 1920)
	open(t, ctx, r.url+"/kiosk?token="+kioskTok)
	waitJS(t, ctx, `document.querySelectorAll("#services .svc").length === 5 && document.querySelector('.svc[data-service="dat-dai"] .meta').textContent.startsWith("2")`)
	// The page listens to the daemon's keys once its stream is open.
	waitJS(t, ctx, `window.motcuaKiosk.keys === "open"`)

	var want []string
	check := func(step string, more ...string) {
		t.Helper()
		want = append(want, more...)
		expr := fmt.Sprintf(`(%s).length >= %d`, spokenJS, len(want))
		if _, err := chromedp.Run(ctx, chromedp.Poll[any](expr, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			t.Fatalf("after %s: %v; spoken: %v", step, err, evalJS[any](t, ctx, "window.motcuaKiosk.spoken"))
		}
		// A citizen listens before pressing the next key (a key cuts the
		// guidance short, which the sequence would show).
		waitJS(t, ctx, `window.motcuaKiosk.spoken.every((s) => s.status !== "queued" && s.status !== "playing")`)
		got := evalJS[[]string](t, ctx, spokenJS)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("after %s, spoken:\n%s\nwant:\n%s", step, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	key := func(k string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.KeyEvent(k)); err != nil {
			t.Fatal(err)
		}
	}

	// The physical guidance button, pressed until the page hears it.
	waitJS(t, ctx, `document.body.dataset.live === "1"`)
	if err := r.pages.Press("guide"); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, `document.querySelector("#guide").getAttribute("aria-pressed") === "true"`)
	check("the guidance button",
		"guide-on=guide-on",
		"guide-choose-service=guide-choose-service",
		"guide-priority,guide-not-selected=guide-priority guide-not-selected")
	key(kb.ArrowDown)
	check("down", "guide-large-text,guide-not-selected=guide-large-text guide-not-selected")
	key(kb.ArrowDown)
	check("down", "guide-guide,guide-selected=guide-guide guide-selected")
	if err := r.pages.Press("down"); err != nil { // the GPIO arrow
		t.Fatal(err)
	}
	check("down (GPIO)", "s:dat-dai:1,n:2,guide-people-waiting=service-dat-dai hai guide-people-waiting")
	if !evalJS[bool](t, ctx, `document.activeElement.dataset.service === "dat-dai"`) {
		t.Fatal("the keypad's focus is not on Đất đai")
	}
	key(kb.Enter)
	waitJS(t, ctx, `!document.querySelector("#ticket").hidden`)
	check("OK", "guide-your-number,t:A003,s:dat-dai:1,guide-ahead,n:2,guide-people,guide-take-ticket="+
		"guide-your-number letter-a ba service-dat-dai guide-ahead hai guide-people guide-take-ticket")
	if got := r.printer.Jobs(); len(got) != 3 || got[2] != "A003" {
		t.Errorf("printed %v, want A003 after the two tickets before", got)
	}
	key(kb.Escape)
	waitJS(t, ctx, `!document.querySelector("#start").hidden`)
	check("back", "guide-choose-service=guide-choose-service",
		"guide-priority,guide-not-selected=guide-priority guide-not-selected")

	// The guidance button again: off.
	if err := r.pages.Press("guide"); err != nil {
		t.Fatal(err)
	}
	check("the guidance button again", "guide-off=guide-off")
	if err := r.pages.Press("sideways"); err == nil {
		t.Error("an unknown key was accepted")
	}
}

// TestKioskLongTouch: a touch held for two seconds anywhere starts the
// guidance, and the touch chooses nothing; with no counter open for the
// service the ticket says so instead of "người tiếp theo".
func TestKioskLongTouch(t *testing.T) {
	r := newRoom(t)
	ctx := tab(t, 1080, 1920)
	open(t, ctx, r.url+"/kiosk?token="+kioskTok)
	waitJS(t, ctx, `document.querySelectorAll("#services .svc").length === 5`)
	evalJS[any](t, ctx, `document.querySelector('.svc[data-service="kinh-doanh"]').dispatchEvent(new PointerEvent("pointerdown", {bubbles: true, clientX: 300, clientY: 900}))`)
	waitJS(t, ctx, `document.querySelector("#guide").getAttribute("aria-pressed") === "true"`)
	evalJS[any](t, ctx, `(() => { const b = document.querySelector('.svc[data-service="kinh-doanh"]'); b.dispatchEvent(new PointerEvent("pointerup", {bubbles: true})); b.click(); })()`)
	waitJS(t, ctx, `(`+spokenJS+`).some((s) => s.startsWith("guide-on="))`)
	if !evalJS[bool](t, ctx, `document.querySelector("#ticket").hidden`) || len(r.printer.Jobs()) != 0 {
		t.Fatal("the long touch took a ticket")
	}

	// No counter serves kinh-doanh: the citizen is not "next".
	click(t, ctx, `.svc[data-service="kinh-doanh"]`)
	waitJS(t, ctx, `!document.querySelector("#ticket").hidden`)
	if got := evalJS[string](t, ctx, `document.querySelector("#t-ahead").textContent`); strings.Contains(got, "tiếp theo") || !strings.Contains(got, "Chưa có quầy nào mở") {
		t.Errorf("ahead line: got %q, want it to say no counter is open", got)
	}
	waitJS(t, ctx, `(`+spokenJS+`).some((s) => s.includes("guide-not-open") && !s.includes("guide-next"))`)
}

// TestKioskGuidanceEntries: the spoken guidance reads the entries that
// other screens put on the start screen (Tra cứu thủ tục, Tôi đã đặt lịch).
func TestKioskGuidanceEntries(t *testing.T) {
	r := newRoom(t)
	importDemoCatalogue(t, r)
	ctx := tab(t, 1080, 1920)
	open(t, ctx, r.url+"/kiosk?token="+kioskTok)
	waitJS(t, ctx, `!!document.querySelector("#entry-catalogue") && !!document.querySelector("#entry-checkin")`)
	click(t, ctx, "#guide")
	waitJS(t, ctx, `window.motcuaKiosk.spoken.length > 0 && window.motcuaKiosk.spoken.every((s) => s.status !== "queued" && s.status !== "playing")`)
	for _, tt := range []struct{ entry, say string }{{"#entry-catalogue", "guide-catalogue"}, {"#entry-checkin", "guide-checkin"}} {
		// The keypad moves onto the entry from the choice before it.
		evalJS[any](t, ctx, `(() => { const l = window.motcuaKiosk.screens.focusables(); l[l.indexOf(document.querySelector(`+q(tt.entry)+`)) - 1].focus(); })()`)
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowDown)); err != nil {
			t.Fatal(err)
		}
		want := tt.say + "=" + tt.say
		waitJS(t, ctx, `(`+spokenJS+`).includes(`+q(want)+`)`)
	}
}
