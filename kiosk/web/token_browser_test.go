package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// In Chromium: a link on another site to /board?token=OTHER does not
// replace the board's token; the confirm page's button does.
func TestTokenLinkFromAnotherSiteInBrowser(t *testing.T) {
	r := newRoom(t)
	ctx := tab(t, 800, 600)
	open(t, ctx, r.url+"/board?token="+displayTok)
	role := func() string {
		t.Helper()
		open(t, ctx, "about:blank") // leave the page first: Chromium aborted a navigation straight from the confirm page
		open(t, ctx, r.url+"/session?page=board")
		return evalJS[string](t, ctx, `JSON.parse(document.body.textContent).role`)
	}
	if got := role(); got != "display" {
		t.Fatalf("role after the start URL: got %q, want display", got)
	}
	// Another site (localhost is another site than 127.0.0.1) links to
	// the board with the kiosk's token.
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><a id="go" href="%s/board?token=%s">xem bảng</a>`, r.url, kioskTok)
	}))
	defer evil.Close()
	evilURL := strings.Replace(evil.URL, "127.0.0.1", "localhost", 1)
	follow := func() {
		t.Helper()
		open(t, ctx, evilURL)
		click(t, ctx, "#go")
		waitJS(t, ctx, `document.querySelector('form[action="/session/token"]') !== null`)
	}
	follow()
	if got := role(); got != "display" {
		t.Errorf("role after following the link: got %q, want display (unchanged)", got)
	}
	follow()
	click(t, ctx, "form button")
	waitJS(t, ctx, `location.pathname === "/board"`)
	if got := role(); got != "kiosk" {
		t.Errorf("role after confirming: got %q, want kiosk", got)
	}
}
