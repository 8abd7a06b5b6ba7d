package receiver

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gorilla/websocket"

	"motcua/uplinkproto"
)

// fleetHook is an alert webhook for tests: it checks each POST's
// signature, fails the first failFirst calls with 503 and hands the
// alerts it takes to got.
type fleetHook struct {
	t      *testing.T
	secret string
	calls  chan int // the number of each call, taken or not
	got    chan Alert
	n      atomic.Int64
	fail   int64
	srv    *httptest.Server
}

func newFleetHook(t *testing.T, secret string, failFirst int64) *fleetHook {
	h := &fleetHook{t: t, secret: secret, calls: make(chan int, 100), got: make(chan Alert, 100), fail: failFirst}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		n := h.n.Add(1)
		h.calls <- int(n)
		want := ""
		if secret != "" {
			want = Sign(secret, body)
		}
		if got := r.Header.Get("X-Motcua-Signature"); got != want {
			t.Errorf("signature: got %q, want %q", got, want)
		}
		if n <= h.fail {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		var a Alert
		if err := json.Unmarshal(body, &a); err != nil {
			t.Errorf("alert body %s: %v", body, err)
		}
		h.got <- a
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// next returns the next alert the hook took.
func (h *fleetHook) next() Alert {
	h.t.Helper()
	select {
	case a := <-h.got:
		return a
	case <-time.After(wait):
		h.t.Fatal("no alert reached the webhook")
	}
	return Alert{}
}

// expect checks the next alert.
func (h *fleetHook) expect(kind, state, unit string) Alert {
	h.t.Helper()
	a := h.next()
	if a.Type != "fleet.alert" || a.Alert != kind || a.State != state || a.Unit != unit {
		h.t.Fatalf("got alert %+v, want %s %s of %s", a, kind, state, unit)
	}
	return a
}

// statusMsg is a unit's status message; mod changes the healthy one.
func statusMsg(mod func(*uplinkproto.UnitStatus)) string {
	s := uplinkproto.UnitStatus{At: "2026-11-26T15:00:00+07:00", Version: "1.4.0", Queue: 4, Printer: uplinkproto.LevelOK,
		Paper: uplinkproto.PaperOK, Scanner: uplinkproto.LevelOK, Displays: uplinkproto.LevelOK, DiskFree: 8 << 30, ClockSynced: true}
	if mod != nil {
		mod(&s)
	}
	return string(uplinkproto.Status(s))
}

// fleetOf reads GET /api/fleet.
func (e *env) fleetOf(unit string) FleetUnit {
	e.t.Helper()
	resp, body := e.do("GET", "/api/fleet", "", asOperator...)
	if resp.StatusCode != 200 {
		e.t.Fatalf("GET /api/fleet: %s %s", resp.Status, body)
	}
	var v struct {
		Units []FleetUnit `json:"units"`
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		e.t.Fatal(err)
	}
	for _, u := range v.Units {
		if u.Unit == unit {
			return u
		}
	}
	e.t.Fatalf("unit %s not in the fleet: %s", unit, body)
	return FleetUnit{}
}

func TestFleetStatusShown(t *testing.T) {
	e := newEnv(t)
	c := e.dial(tokenA)
	c.send(string(uplinkproto.Hello(unitA, 0, 0)))
	if m := c.read(); m.Type != uplinkproto.TypeWelcome || !m.Fleet {
		t.Fatalf("got %s, want a welcome that takes status messages", m.Raw)
	}
	c.send(statusMsg(func(s *uplinkproto.UnitStatus) {
		s.Paper, s.Printer, s.Queue = uplinkproto.PaperOut, uplinkproto.LevelError, 12
	}))
	// The status is taken before the event that follows it: the event's
	// ack says the status is stored.
	c.send(event(1, ""))
	c.waitAck(1)
	f := e.fleetOf(unitA)
	if !f.Online || f.Status == nil || f.Status.Paper != uplinkproto.PaperOut || f.Status.Queue != 12 || f.Status.Version != "1.4.0" {
		t.Fatalf("got %+v (status %+v), want unit-a online with the paper out and 12 waiting", f, f.Status)
	}
	if f.LastEvent != "2026-11-26T08:00:01+07:00" {
		t.Errorf("last event: got %q, want the event's time", f.LastEvent)
	}
	if len(f.Alerts) != 0 {
		t.Errorf("alerts: got %v, want none before the threshold (and no webhook)", f.Alerts)
	}
	resp, body := e.do("GET", "/fleet", "", asOperator...)
	if resp.StatusCode != 200 || !strings.Contains(body, "Hết giấy") || !strings.Contains(body, "Trực tuyến") {
		t.Errorf("fleet page: %s\n%s", resp.Status, body)
	}
	if resp, _ := e.do("GET", "/api/fleet", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /api/fleet without a token: got %s, want 401", resp.Status)
	}

	// A bad status closes the connection, as any bad message does, and
	// leaves the stored one.
	c.send(`{"type":"status","at":"2026-11-26T15:00:00+07:00","version":"1","queue":-3,"printer":"ok","paper":"ok","scanner":"ok","displays":"ok","disk_free":1,"clock_synced":true}`)
	if ce := c.closed(); ce == nil || !strings.Contains(ce.Text, "queue") {
		t.Fatalf("got close %v, want a protocol error about the queue", ce)
	}
	e.restart() // waits for the connection's end; the status is in the store
	f = e.fleetOf(unitA)
	if f.Online || f.Status == nil || f.Status.Queue != 12 {
		t.Errorf("after the bad status and a restart: got %+v (status %+v), want offline with the status before", f, f.Status)
	}
}

// TestFleetAlerts drives the alerts on the fake clock: each raised once
// when its threshold passes and cleared once when its condition ends,
// the webhook retried with backoff while it fails.
func TestFleetAlerts(t *testing.T) {
	const secret = "hook-secret"
	hook := newFleetHook(t, secret, 2)
	left := make(chan string, 1)
	e := newEnv(t, func(o *Options) {
		o.onLeft = func(unit string) { left <- unit }
		// The test's unit answers no pings, and the clock jumps by
		// minutes: no write may count as stuck.
		o.PingEvery, o.WriteTimeout = 24*time.Hour, 24*time.Hour
		o.Fleet = Fleet{Webhook: hook.srv.URL, Secret: secret, RetryMin: time.Second, RetryMax: 4 * time.Second}
	})
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	t0 := e.clk.Now()
	c, _ := e.connect(tokenA, unitA, 0, 0)
	c.send(statusMsg(func(s *uplinkproto.UnitStatus) { s.Paper = uplinkproto.PaperOut }), event(1, ""))
	c.waitAck(1)
	// The connection's three timers, the alert check's ticker.
	if err := e.block(ctx, 4); err != nil {
		t.Fatal(err)
	}

	e.clk.Advance(4 * time.Minute)
	if err := e.srv.CheckAlerts(ctx); err != nil {
		t.Fatal(err)
	}
	if f := e.fleetOf(unitA); len(f.Alerts) != 0 {
		t.Fatalf("4 minutes out of paper: got alerts %v, want none", f.Alerts)
	}

	// Five minutes: raised, once, though the webhook fails twice.
	e.clk.Advance(time.Minute)
	for call := 1; call <= 2; call++ {
		select {
		case n := <-hook.calls:
			if n != call {
				t.Fatalf("got call %d, want %d", n, call)
			}
		case <-ctx.Done():
			t.Fatal("the webhook was not called")
		}
		if err := e.block(ctx, 5); err != nil { // and the backoff's wait
			t.Fatal(err)
		}
		e.clk.Advance(4 * time.Second)
	}
	a := hook.expect(AlertPaperOut, "raised", unitA)
	if !a.Since.Equal(t0) {
		t.Errorf("since: got %v, want %v when the first status said so", a.Since, t0)
	}
	<-hook.calls
	if f := e.fleetOf(unitA); len(f.Alerts) != 1 || f.Alerts[0].Alert != AlertPaperOut {
		t.Fatalf("got alerts %v, want paper_out", f.Alerts)
	}

	// Still out of paper at the next checks: nothing more. Paper back:
	// cleared, and that is the next webhook.
	for range 3 {
		e.clk.Advance(30 * time.Second)
		if err := e.srv.CheckAlerts(ctx); err != nil {
			t.Fatal(err)
		}
	}
	c.send(statusMsg(func(s *uplinkproto.UnitStatus) { s.DiskFree, s.ClockSynced = 100<<20, false }), event(2, ""))
	c.waitAck(2)
	e.clk.Advance(30 * time.Second)
	hook.expect(AlertPaperOut, "cleared", unitA)
	<-hook.calls
	// The disk low at once; the clock after 10 minutes unsynced.
	hook.expect(AlertDiskLow, "raised", unitA)
	<-hook.calls
	e.clk.Advance(10 * time.Minute)
	hook.expect(AlertUnsynced, "raised", unitA)
	<-hook.calls

	// Gone: offline after 10 minutes, not before.
	c.ws.Close()
	if u := <-left; u != unitA {
		t.Fatalf("%s left, want %s", u, unitA)
	}
	leftAt := e.clk.Now()
	e.clk.Advance(9 * time.Minute)
	if err := e.srv.CheckAlerts(ctx); err != nil {
		t.Fatal(err)
	}
	if f := e.fleetOf(unitA); f.Online || len(f.Alerts) != 2 {
		t.Fatalf("9 minutes gone: got %+v, want offline with 2 alerts still", f)
	}
	e.clk.Advance(time.Minute)
	a = hook.expect(AlertOffline, "raised", unitA)
	if !a.Since.Equal(leftAt) {
		t.Errorf("offline since: got %v, want %v", a.Since, leftAt)
	}
	<-hook.calls

	// Back and well: every alert cleared once, in the kinds' order.
	c, _ = e.connect(tokenA, unitA, 1, 2)
	c.send(statusMsg(nil), event(3, ""))
	c.waitAck(3)
	e.clk.Advance(30 * time.Second)
	for _, kind := range []string{AlertOffline, AlertDiskLow, AlertUnsynced} {
		hook.expect(kind, "cleared", unitA)
		<-hook.calls
	}
	if f := e.fleetOf(unitA); !f.Online || len(f.Alerts) != 0 {
		t.Fatalf("back: got %+v, want online without alerts", f)
	}
	select {
	case a := <-hook.got:
		t.Fatalf("one more alert: %+v", a)
	default:
	}
}

// TestFleetPageInBrowser logs in and reads the fleet page in Chromium,
// on a phone and at 1366x768: every unit's row, its alerts, and nothing
// wider than the screen.
func TestFleetPageInBrowser(t *testing.T) {
	hook := newFleetHook(t, "", 0)
	e := newEnv(t, func(o *Options) {
		o.PingEvery, o.WriteTimeout = 24*time.Hour, 24*time.Hour
		o.Fleet = Fleet{Webhook: hook.srv.URL}
	})
	ctx := phoneTab(t)
	a, _ := e.connect(tokenA, unitA, 0, 0)
	a.send(statusMsg(func(s *uplinkproto.UnitStatus) {
		s.Paper, s.Printer, s.Queue = uplinkproto.PaperOut, uplinkproto.LevelError, 7
	}), event(1, ""))
	a.waitAck(1)
	b, _ := e.connect(tokenB, unitB, 0, 0)
	b.send(statusMsg(func(s *uplinkproto.UnitStatus) { s.ClockSynced, s.Version = false, "1.3.9" }), event(1, ""))
	b.waitAck(1)
	e.clk.Advance(5 * time.Minute)
	hook.expect(AlertPaperOut, "raised", unitA)

	run := func(actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatal(err)
		}
	}
	eval := func(expr string) bool {
		t.Helper()
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	poll := func(expr string) {
		t.Helper()
		// A poll that began on the page before a navigation loses its
		// context (-32000): poll again on the new page.
		for try := 0; ; try++ {
			_, err := chromedp.Run(ctx, chromedp.Poll[any](expr, chromedp.WithPollingTimeout(30*time.Second)))
			if err == nil {
				return
			}
			if try == 10 || !strings.Contains(err.Error(), "-32000") {
				t.Fatalf("waiting for %s: %v", expr, err)
			}
		}
	}
	run(chromedp.Navigate(e.ts.URL + "/fleet"))
	poll(`location.pathname === "/login"`)
	run(chromedp.SendKeys(`input[name=token]`, opToken), chromedp.Click(`input[type=submit]`))
	poll(`document.querySelector('form[action="/logout"]') !== null`)
	run(chromedp.Navigate(e.ts.URL + "/fleet"))
	poll(`document.querySelector("#u-unit-a .paper") !== null`)
	for _, check := range []struct{ what, expr string }{
		{"unit-a out of paper, 7 waiting, alerted", `(() => { const r = document.querySelector("#u-unit-a");
			return r.querySelector(".paper").textContent === "Hết giấy" && r.querySelector(".queue").textContent === "7" &&
				r.querySelector(".alerts").textContent.includes("Máy in hết giấy") && r.querySelector(".online").textContent.includes("Trực tuyến") })()`},
		{"unit-b's clock and version", `(() => { const r = document.querySelector("#u-unit-b");
			return r.textContent.includes("Chưa đồng bộ") && r.textContent.includes("1.3.9") && r.querySelector(".alerts").textContent.trim() === "—" })()`},
		{"the summary", `document.querySelector("#summary").textContent.startsWith("2 đơn vị · 2 trực tuyến · 1 cảnh báo")`},
		{"no sideways scrolling on a phone", `document.documentElement.scrollWidth <= window.innerWidth`},
	} {
		if !eval(check.expr) {
			html, _ := chromedp.Run(ctx, chromedp.OuterHTML("body"))
			t.Fatalf("%s: not so on the page:\n%s", check.what, html)
		}
	}
	run(chromedp.EmulateViewport(1366, 768))
	if !eval(`document.documentElement.scrollWidth <= window.innerWidth && document.querySelector("#fleet").getBoundingClientRect().width > 1000`) {
		t.Error("at 1366x768 the table does not fit the width, or is not laid out as a table")
	}
}

func TestApplyConfigRefused(t *testing.T) {
	e := newEnv(t)
	put := func(ctype, body string) (int, string) {
		resp, b := e.do("PUT", "/api/units/"+unitA+"/config", body, "Authorization", "Bearer "+opToken, "Content-Type", ctype)
		return resp.StatusCode, b
	}
	tests := []struct {
		name, ctype, body string
		want              int
		code              string
	}{
		{"not connected", "application/toml", "[unit]\n", http.StatusBadGateway, "unit_unreachable"},
		{"empty", "application/toml", "", http.StatusBadRequest, "bad_request"},
		{"too large", "text/plain", strings.Repeat("#", uplinkproto.MaxConfig+1), http.StatusRequestEntityTooLarge, "too_large"},
		{"JSON", "application/json", `{"unit":{}}`, http.StatusUnsupportedMediaType, "bad_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, body := put(tt.ctype, tt.body)
			if got != tt.want || !strings.Contains(body, `"code":"`+tt.code+`"`) {
				t.Errorf("got %d %s, want %d %s", got, body, tt.want, tt.code)
			}
		})
	}
	// Connected: the command reaches the unit with the file as sent.
	c, _ := e.connect(tokenA, unitA, 0, 0)
	res := make(chan string, 1)
	go func() {
		_, body := put("application/toml", "[unit]\nid = \"unit-a\"\n")
		res <- body
	}()
	m := c.read()
	if m.Type != uplinkproto.TypeCommand || m.Name != uplinkproto.CmdConfig || m.Config != "[unit]\nid = \"unit-a\"\n" {
		t.Fatalf("got %s, want config.apply with the file", m.Raw)
	}
	c.send(`{"type":"result","id":"` + m.ID + `","ok":false,"error":{"code":"invalid_config","message":"motcua.toml:1: ..."}}`)
	if body := <-res; !strings.Contains(body, `"invalid_config"`) {
		t.Errorf("PUT answered %s, want the unit's result", body)
	}
}

// TestEnrolment: codes are made by operators only, expire on the
// receiver's clock, work once, and a unit enrolled again has a new token
// that replaces its old one.
func TestEnrolment(t *testing.T) {
	e := newEnv(t)
	create := func(unit string, ttl int) (int, Enrolment) {
		t.Helper()
		body := fmt.Sprintf(`{"unit":%q,"config":"[unit]\nid = \"%s\"\n","ttl_s":%d}`, unit, unit, ttl)
		resp, b := e.do("POST", "/api/enrolments", body, append([]string{"Content-Type", "application/json"}, asOperator...)...)
		var en Enrolment
		json.Unmarshal([]byte(b), &en)
		return resp.StatusCode, en
	}
	redeem := func(code string) (int, string) {
		resp, b := e.do("POST", "/enrol", fmt.Sprintf(`{"code":%q}`, code), "Content-Type", "application/json")
		return resp.StatusCode, b
	}
	if resp, _ := e.do("POST", "/api/enrolments", `{"unit":"x","config":"y"}`, "Content-Type", "application/json"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("without an operator: got %s, want 401", resp.Status)
	}
	for _, bad := range []struct {
		unit string
		ttl  int
	}{{"Bad Unit", 60}, {"unit-x", -1}, {"unit-x", int(MaxEnrolTTL.Seconds()) + 1}} {
		if code, _ := create(bad.unit, bad.ttl); code != http.StatusBadRequest {
			t.Errorf("unit %q ttl %d: got %d, want 400", bad.unit, bad.ttl, code)
		}
	}

	code, short := create("unit-new", 60)
	if code != http.StatusCreated || short.Code == "" || !short.ExpiresAt.Equal(e.clk.Now().Add(time.Minute)) {
		t.Fatalf("create: %d %+v", code, short)
	}
	e.clk.Advance(time.Minute)
	if code, b := redeem(short.Code); code != http.StatusGone || !strings.Contains(b, "code_expired") {
		t.Errorf("expired code: %d %s", code, b)
	}
	if code, b := redeem("AAAA-BBBB-CCCC-DDDD"); code != http.StatusNotFound || !strings.Contains(b, "unknown_code") {
		t.Errorf("unknown code: %d %s", code, b)
	}

	_, first := create("unit-new", 0)
	code, b := redeem(strings.ToLower(first.Code))
	var got Enrolled
	json.Unmarshal([]byte(b), &got)
	if code != 200 || got.Unit != "unit-new" || len(got.Token) != 64 || !strings.Contains(got.Config, `id = "unit-new"`) {
		t.Fatalf("redeem: %d %s", code, b)
	}
	if code, b := redeem(first.Code); code != http.StatusGone || !strings.Contains(b, "code_used") {
		t.Errorf("second use: %d %s", code, b)
	}
	db := e.db()
	var kept string
	if err := db.QueryRow(`SELECT config FROM fleet_enrolments WHERE used_at IS NOT NULL`).Scan(&kept); err != nil || kept != "" {
		t.Errorf("a used code's file: %q, %v; want emptied", kept, err)
	}
	db.Close()
	// The new token opens the uplink.
	c := e.dial(got.Token)
	c.send(string(uplinkproto.Hello("unit-new", 0, 0)))
	if m := c.read(); m.Type != uplinkproto.TypeWelcome {
		t.Fatalf("enrolled token: got %s", m.Raw)
	}
	c.ws.Close()

	// Enrolled again (a replacement Pi): the old token no longer works.
	_, again := create("unit-new", 0)
	_, b = redeem(again.Code)
	var got2 Enrolled
	json.Unmarshal([]byte(b), &got2)
	if got2.Token == "" || got2.Token == got.Token {
		t.Fatalf("re-enrolment: %s", b)
	}
	d := websocket.Dialer{Subprotocols: []string{uplinkproto.Subprotocol}}
	if _, resp, err := d.Dial(e.url(), http.Header{"Authorization": {"Bearer " + got.Token}}); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("old token after re-enrolment: got %v, want 401", err)
	}
	resp, body := e.do("GET", "/api/enrolments", "", asOperator...)
	if resp.StatusCode != 200 || strings.Contains(body, first.Code) || strings.Count(body, `"unit":"unit-new"`) != 3 || strings.Count(body, `"used_at":null`) != 1 {
		t.Errorf("list: %s", body)
	}
}

// Two receivers on one PostgreSQL: the one that does not hold the unit
// shows it online from the store, and an alert is sent once, by
// whichever receiver raised it, not by both.
func TestFleetReplicas(t *testing.T) {
	if pg == nil {
		t.Skip("several receivers share a PostgreSQL database: this test runs in the PostgreSQL pass")
	}
	hook := newFleetHook(t, "", 0)
	mod := func(o *Options) {
		o.PingEvery, o.WriteTimeout = 24*time.Hour, 24*time.Hour
		o.Fleet = Fleet{Webhook: hook.srv.URL}
	}
	a := newEnv(t, mod)
	b := &env{t: t, dir: t.TempDir(), store: a.store, clk: a.clk}
	b.open(mod)
	ctx := context.Background()

	c, _ := a.connect(tokenA, unitA, 0, 0)
	c.send(event(1, ""))
	c.waitAck(1)
	// The status after the event stored: B gets the event's time with it.
	c.send(statusMsg(func(s *uplinkproto.UnitStatus) { s.Paper = uplinkproto.PaperOut }), event(2, ""))
	c.waitAck(2)
	if f := b.fleetOf(unitA); !f.Online || f.Status == nil || f.Status.Paper != uplinkproto.PaperOut || f.LastEvent != "2026-11-26T08:00:01+07:00" {
		t.Fatalf("B shows %+v, want unit-a online with the paper out and its event of 08:00:01", f)
	}
	a.clk.Advance(5 * time.Minute)
	for _, e := range []*env{a, b, b, a} {
		if err := e.srv.CheckAlerts(ctx); err != nil {
			t.Fatal(err)
		}
	}
	hook.expect(AlertPaperOut, "raised", unitA)
	c.send(statusMsg(nil), event(3, ""))
	c.waitAck(3)
	for _, e := range []*env{b, a, b} {
		if err := e.srv.CheckAlerts(ctx); err != nil {
			t.Fatal(err)
		}
	}
	hook.expect(AlertPaperOut, "cleared", unitA)
	if n := hook.n.Load(); n != 2 {
		t.Errorf("the webhook was called %d times, want 2 (one raise, one clear)", n)
	}
}
