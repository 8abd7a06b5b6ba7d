package web_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"motcua/kiosk/queue"
	"motcua/kiosk/scan"
)

// bookToday books code for today, open all day, so that the test runs at
// any hour.
func bookToday(t *testing.T, r *room, code, service string) {
	t.Helper()
	today := time.Now().In(r.d.Room.Config().Location).Format(time.DateOnly)
	r.must(t, 201, "POST", "/api/v1/appointments", map[string]string{
		"code": code, "service": service, "date": today, "from": "00:00", "to": "24:00"})
}

func tapCode(t *testing.T, ctx context.Context, code string) {
	t.Helper()
	for _, r := range code {
		click(t, ctx, `#ci-kb .key[data-key=`+q(string(r))+`]`)
	}
}

// TestKioskCheckInByCode types a booking's code on the kiosk's keypad: the
// ticket comes up with "Đặt lịch" and prints; a wrong code says so.
func TestKioskCheckInByCode(t *testing.T) {
	r := newRoom(t)
	bookToday(t, r, "HN-0042", "dat-dai")
	ctx := tab(t, 1080, 1920)
	open(t, ctx, r.url+"/kiosk?token="+kioskTok)
	waitJS(t, ctx, `!!document.querySelector("#entry-checkin") && !!window.motcuaKiosk.screens.state`)
	click(t, ctx, "#entry-checkin")
	waitJS(t, ctx, `document.body.dataset.shown === "checkin"`)

	tapCode(t, ctx, "HN-0099")
	click(t, ctx, "#ci-ok")
	waitJS(t, ctx, `window.motcuaKiosk.checkin.msg.startsWith("Không tìm thấy lịch hẹn")`)
	click(t, ctx, "#ci-clear")
	tapCode(t, ctx, "HN-0042")
	if got := evalJS[string](t, ctx, `document.querySelector("#ci-code").textContent`); got != "HN-0042" {
		t.Errorf("code box: got %q", got)
	}
	screenshot(t, ctx, "kiosk-checkin")
	checkAxe(t, ctx, "kiosk check-in")
	checkTargets(t, ctx, "kiosk check-in")
	click(t, ctx, "#ci-ok")
	waitJS(t, ctx, `document.body.dataset.shown === "ticket"`)
	if got := evalJS[string](t, ctx, `document.querySelector("#t-service").textContent`); got != "Đất đai · Đặt lịch HN-0042" {
		t.Errorf("ticket label: got %q", got)
	}
	number := evalJS[string](t, ctx, `document.querySelector("#t-number").textContent`)
	if number != "A001" || !slices.Equal(r.printer.Jobs(), []string{"A001"}) {
		t.Errorf("number %q, printed %v; want A001 printed once", number, r.printer.Jobs())
	}

	// Again: the same ticket, not printed a second time.
	click(t, ctx, "#t-done")
	click(t, ctx, "#entry-checkin")
	tapCode(t, ctx, "HN-0042")
	click(t, ctx, "#ci-ok")
	waitJS(t, ctx, `document.body.dataset.shown === "ticket" && window.motcuaKiosk.last.number === "A001"`)
	if jobs := r.printer.Jobs(); len(jobs) != 1 {
		t.Errorf("printed %v, want A001 once", jobs)
	}
}

// TestKioskScans scans a booking's QR and then an ID card at the kiosk's
// scanner: the booking's ticket comes up by itself; the card, after the
// notice, gives the citizen the services and a priority number.
func TestKioskScans(t *testing.T) {
	r := newRoom(t)
	bookToday(t, r, "HN-0043", "xay-dung")
	if err := r.d.Room.SetDevice(queue.Device{Name: "scanner kiosk", Status: queue.DeviceOK}); err != nil {
		t.Fatal(err)
	}
	ctx := tab(t, 1366, 768)
	open(t, ctx, r.url+"/kiosk?token="+kioskTok)
	waitJS(t, ctx, `!!document.querySelector("#entry-idcard") && document.body.dataset.live === "1"`)

	r.d.API.Scan(context.Background(), scan.Kiosk, "HN-0043")
	waitJS(t, ctx, `document.body.dataset.shown === "ticket" && window.motcuaKiosk.last.appointment === "HN-0043"`)
	if got := evalJS[string](t, ctx, `document.querySelector("#t-service").textContent`); got != "Xây dựng · Đặt lịch HN-0043" {
		t.Errorf("ticket label: got %q", got)
	}
	if jobs := r.printer.Jobs(); !slices.Equal(jobs, []string{"D001"}) {
		t.Errorf("printed %v, want D001", jobs)
	}

	// The card: the notice first, then the scan.
	click(t, ctx, "#t-done")
	click(t, ctx, "#entry-idcard")
	waitJS(t, ctx, `document.body.dataset.shown === "idcard"`)
	if got := evalJS[string](t, ctx, `document.querySelector("#id-notice").textContent`); len(got) < 100 {
		t.Errorf("privacy notice: got %q", got)
	}
	screenshot(t, ctx, "kiosk-idcard-notice")
	checkAxe(t, ctx, "kiosk ID card notice")
	r.d.API.Scan(context.Background(), scan.Kiosk, "079048999902||Nguyễn Văn Thử|29021948|Nam|Số 1 Đường Mẫu, Phường Giả Định|15062022|")
	waitJS(t, ctx, `document.body.dataset.shown === "idservice" && !document.querySelector("#id-prio").hidden`)
	if html := evalJS[string](t, ctx, `document.body.innerText`); containsAny(html, "Nguyễn Văn Thử", "079048999902", "1948") {
		t.Errorf("the kiosk shows the card's data: %q", html)
	}
	click(t, ctx, `#id-services .svc[data-service="dat-dai"]`)
	waitJS(t, ctx, `document.body.dataset.shown === "ticket" && window.motcuaKiosk.last.category === "elderly"`)
	if hidden := evalJS[bool](t, ctx, `document.querySelector("#t-priority").hidden`); hidden {
		t.Error("the elderly citizen's ticket does not say Ưu tiên")
	}
}

func containsAny(s string, subs ...string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

// TestCounterAndAdminBookings shows the day's bookings on the counter page
// (its services only) and the admin page (all), following check-ins; and
// the ID card's name on the counter page that calls its ticket.
func TestCounterAndAdminBookings(t *testing.T) {
	r := newRoom(t)
	bookToday(t, r, "HN-1", "dat-dai")
	bookToday(t, r, "HN-2", "dat-dai")
	bookToday(t, r, "HN-3", "kinh-doanh")
	r.must(t, 200, "POST", "/api/v1/counters/1/open", map[string]string{"officer": "Cán bộ Thử"})
	ctx := tab(t, 1366, 768)
	open(t, ctx, r.url+"/counter/1?token="+counterTok)
	waitJS(t, ctx, `window.motcuaBookings.list.length === 2 && document.querySelectorAll("#bookings-list tr").length === 2`)
	r.must(t, 201, "POST", "/api/v1/checkin", map[string]string{"code": "HN-2"})
	waitJS(t, ctx, `document.querySelector('#bookings-list tr[data-code="HN-2"] td:last-child').textContent === "Đã đến · số A001"`)
	if got := evalJS[string](t, ctx, `document.querySelector('#bookings-list tr[data-code="HN-1"] td:last-child').textContent`); got != "Đã đặt · chưa đến" {
		t.Errorf("HN-1: got %q", got)
	}

	// A card's ticket: its name shows when this counter calls it.
	r.d.API.Scan(context.Background(), scan.Kiosk, "001090999905|Phạm Văn Sáu|01011990|Nam|Địa chỉ Mẫu|02022022")
	r.must(t, 201, "POST", "/api/v1/tickets", map[string]string{"service": "dat-dai", "scan": "ID"})
	click(t, ctx, "#b-next") // A001, the booking
	waitJS(t, ctx, `document.querySelector("#s-number").textContent === "A001" && document.querySelector("#s-citizen").hidden`)
	click(t, ctx, "#b-next") // A002, the card's
	waitJS(t, ctx, `document.querySelector("#s-citizen").textContent === "Công dân: Phạm Văn Sáu" && !document.querySelector("#s-citizen").hidden`)
	screenshot(t, ctx, "counter-bookings")
	checkAxe(t, ctx, "counter with bookings")
	click(t, ctx, "#b-done")
	waitJS(t, ctx, `document.querySelector("#s-citizen").hidden`)

	admin := tab(t, 1366, 768)
	open(t, admin, r.url+"/admin?token="+adminTok)
	waitJS(t, admin, `document.querySelectorAll("#bookings-list tr").length === 3`)
	if got := evalJS[string](t, admin, `document.querySelector("#bookings-sum").textContent`); got != "3 lịch hẹn · 1 đã đến · 2 chưa đến" {
		t.Errorf("admin summary: got %q", got)
	}
	r.must(t, 200, "DELETE", "/api/v1/appointments/HN-3", nil)
	waitJS(t, admin, `[...document.querySelectorAll("#events li")].some((li) => li.textContent.includes("Hủy lịch hẹn · HN-3"))`)
	waitJS(t, admin, `document.querySelector('#bookings-list tr[data-code="HN-3"] td:last-child').textContent === "Đã hủy"`)
}

// TestKioskPriorityCategory chooses a priority category on the kiosk: the
// ticket is a priority one of that category; the next citizen starts
// without.
func TestKioskPriorityCategory(t *testing.T) {
	r := newRoom(t)
	ctx := tab(t, 1080, 1920)
	open(t, ctx, r.url+"/kiosk?token="+kioskTok)
	waitJS(t, ctx, `!!window.motcuaKiosk.screens.state && document.querySelectorAll("#services .svc").length > 0`)
	click(t, ctx, "#priority")
	waitJS(t, ctx, `document.body.dataset.shown === "priority" && document.querySelectorAll("#prio-list .svc").length === 5`)
	click(t, ctx, `#prio-list .svc[data-category="pregnant"]`)
	waitJS(t, ctx, `document.body.dataset.shown === "start" && document.querySelector("#priority").getAttribute("aria-pressed") === "true"`)
	if got := evalJS[string](t, ctx, `document.querySelector("#priority small").textContent`); got != "Phụ nữ mang thai" {
		t.Errorf("the box says %q, want the category", got)
	}
	click(t, ctx, `#services .svc[data-service="dat-dai"]`)
	waitJS(t, ctx, `document.body.dataset.shown === "ticket"`)
	if got := evalJS[string](t, ctx, `window.motcuaKiosk.last.category + "/" + window.motcuaKiosk.last.priority`); got != "pregnant/true" {
		t.Errorf("ticket: got %s, want pregnant/true", got)
	}
	click(t, ctx, "#t-done")
	click(t, ctx, `#services .svc[data-service="dat-dai"]`)
	waitJS(t, ctx, `document.body.dataset.shown === "ticket" && window.motcuaKiosk.last.number === "A002"`)
	if got := evalJS[bool](t, ctx, `window.motcuaKiosk.last.priority || !!window.motcuaKiosk.last.category`); got {
		t.Error("the next citizen's ticket is a priority one")
	}
}

// TestKioskCheckInGuidance: with spoken guidance on, the check-in screen
// and its digit keys are read from the voice pack's clips.
func TestKioskCheckInGuidance(t *testing.T) {
	r := newRoom(t)
	ctx := tab(t, 1080, 1920)
	open(t, ctx, r.url+"/kiosk?token="+kioskTok)
	waitJS(t, ctx, `!!document.querySelector("#entry-checkin") && document.body.dataset.live === "1"`)
	click(t, ctx, "#guide")
	click(t, ctx, "#entry-checkin")
	waitJS(t, ctx, `document.body.dataset.shown === "checkin"`)
	waitJS(t, ctx, `window.motcuaKiosk.spoken.some((s) => s.say === "guide-checkin" && s.clips !== null)`)
	// Back, Xóa, then the first key of the keypad: "1".
	for range 3 {
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowDown)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[any](`window.motcuaKiosk.spoken.some((s) => s.say.startsWith("n:") && s.clips !== null)`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("no digit read: %v; spoken %v, focus %v", err, evalJS[any](t, ctx, "window.motcuaKiosk.spoken"), evalJS[string](t, ctx, "document.activeElement.outerHTML"))
	}
	if bad := evalJS[[]string](t, ctx, `window.motcuaKiosk.spoken.filter((s) => s.status.startsWith("failed") || s.status === "no sound").map((s) => s.say)`); len(bad) > 0 {
		t.Errorf("guidance that did not play: %v", bad)
	}
}
