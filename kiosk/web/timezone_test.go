package web_test

import (
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestPagesUseUnitTimezone opens the board and the admin page in a
// browser whose machine is set to New York: their times are the unit's
// (Asia/Ho_Chi_Minh), as on tickets and reports (the board showed 18:24
// beside a ticket printed at 01:24).
func TestPagesUseUnitTimezone(t *testing.T) {
	r := newRoom(t)
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	tk := r.must(t, 201, "POST", "/api/v1/tickets", map[string]any{"service": "dat-dai"})
	issued, err := time.Parse(time.RFC3339Nano, tk["issued_at"].(string))
	if err != nil {
		t.Fatal(err)
	}
	ctx := tab(t, 1920, 1080)
	if _, err := chromedp.Call(ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "America/New_York"}); err != nil {
		t.Fatal(err)
	}
	open(t, ctx, r.url+"/board?token="+displayTok)
	waitJS(t, ctx, `document.querySelector("#clock").textContent !== "--:--"`)
	got := evalJS[string](t, ctx, `document.querySelector("#clock").textContent`)
	now := time.Now().In(loc)
	if got != now.Format("15:04") && got != now.Add(-time.Minute).Format("15:04") {
		t.Errorf("board clock: got %s, want %s (unit time)", got, now.Format("15:04"))
	}
	if browser := evalJS[string](t, ctx, `Intl.DateTimeFormat().resolvedOptions().timeZone`); browser != "America/New_York" {
		t.Fatalf("the browser's zone is %s; the test needs another zone than the unit's", browser)
	}

	open(t, ctx, r.url+"/admin?token="+adminTok)
	waitJS(t, ctx, `document.querySelectorAll("#events li .t").length > 0`)
	first := evalJS[string](t, ctx, `[...document.querySelectorAll("#events li")].find((li) => li.textContent.includes("A001")).querySelector(".t").textContent`)
	if want := issued.In(loc).Format("15:04:05"); first != want {
		t.Errorf("admin event time: got %s, want %s (unit time)", first, want)
	}
}
