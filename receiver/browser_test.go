package receiver

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// phoneTab opens a phone-sized tab of a headless Chromium; the test is
// skipped without one (failed under CI=true).
func phoneTab(t *testing.T) context.Context {
	t.Helper()
	var path string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("headless Chromium is needed (CI=true)")
		}
		t.Skip("no chromium in PATH")
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true))
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancel3)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 640)); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// TestPublicPageInBrowser opens a unit's ticket on the receiver's page in
// Chromium, asks for a heads-up with the form, and follows the ticket to
// its call.
func TestPublicPageInBrowser(t *testing.T) {
	got := make(chan HeadsUpMessage, 10)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m HeadsUpMessage
		jsonDecode(r, &m)
		got <- m
	}))
	defer hook.Close()
	e := newEnv(t, func(o *Options) { o.HeadsUp = HeadsUp{Webhook: hook.URL, Ahead: 1} })
	ctx := phoneTab(t)
	c, _ := e.connect(tokenA, unitA, 1, 13)
	for i := int64(1); i <= 10; i++ {
		c.send(event(i, ""))
	}
	c.send(`{"type":"snapshot","seq":10,"state":` + liveState + `}`)
	pub := func(i int) string { return strings.Repeat(string(rune('a'+i)), 26) }
	for i := range 3 {
		c.send(withPublic(ticketEvent(int64(11+i), "ticket.issued", fmt.Sprint("t", i), fmt.Sprintf("A%03d", i+1), "waiting", 0), pub(i), i, 300*i))
	}
	c.waitAck(13)

	poll := func(expr string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[any](expr, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
			t.Fatalf("waiting for %s: %v", expr, err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(e.ts.URL+"/t/"+unitA+"/"+pub(2))); err != nil {
		t.Fatal(err)
	}
	poll(`document.querySelector("#number").textContent === "A003" && !document.querySelector("#notify").hidden`)
	if err := chromedp.Do(ctx, chromedp.SendKeys("#phone", "0912 345 678")); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(`#notify button`)); err != nil {
		t.Fatal(err)
	}
	poll(`!document.querySelector("#n-done").hidden && document.querySelector("#notify").hidden`)

	c.send(withPublic(ticketEvent(14, "ticket.called", "t0", "A001", "called", 1), pub(0), 0, 0))
	c.waitAck(14)
	select {
	case m := <-got:
		if m.To != "0912345678" || m.Params["number"] != "A003" {
			t.Errorf("heads-up: got %+v", m)
		}
	case <-time.After(wait):
		t.Fatal("no heads-up")
	}
	c.send(withPublic(ticketEvent(15, "ticket.called", "t1", "A002", "called", 1), pub(1), 0, 0),
		withPublic(ticketEvent(16, "ticket.done", "t1", "A002", "done", 1), pub(1), 0, 0),
		withPublic(ticketEvent(17, "ticket.called", "t2", "A003", "called", 1), pub(2), 0, 0))
	c.waitAck(17)
	poll(`document.body.className === "called" && document.querySelector("#detail").textContent.includes("Quầy 1")`)
}

func jsonDecode(r *http.Request, v any) { json.NewDecoder(r.Body).Decode(v) }
