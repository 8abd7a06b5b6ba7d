package web_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestPublicPageLive opens a ticket's own page on a phone-sized tab and
// follows it through a call: waiting with the people ahead, then the
// counter to go to, then served; an unknown id is a 404 page.
func TestPublicPageLive(t *testing.T) {
	r := newRoom(t)
	var first, mine struct {
		Number string `json:"number"`
		Public string `json:"public"`
	}
	r.call(t, "POST", "/api/v1/tickets", kioskTok, map[string]any{"service": "dat-dai"}, &first)
	r.call(t, "POST", "/api/v1/tickets", kioskTok, map[string]any{"service": "dat-dai"}, &mine)
	if mine.Number != "A002" || len(mine.Public) != 26 {
		t.Fatalf("ticket: got %+v", mine)
	}

	// The page's weight, everything it loads.
	total := 0
	for _, p := range []string{"/t/" + mine.Public, "/static/public.js", "/static/public.css"} {
		resp, err := http.Get(r.url + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d", p, resp.StatusCode)
		}
		total += len(b)
	}
	if total > 30<<10 {
		t.Errorf("the page weighs %d bytes, want ≤ 30 KB", total)
	}

	phone := tab(t, 360, 640)
	open(t, phone, r.url+"/t/"+mine.Public)
	waitJS(t, phone, `document.querySelector("#number").textContent === "A002" && document.body.className === "waiting"`)
	if got := evalJS[string](t, phone, `document.querySelector("#ahead").textContent`); got != "1 người" {
		t.Errorf("people ahead: got %q, want 1 người", got)
	}
	if got := evalJS[string](t, phone, `document.querySelector("#service").textContent`); got != "Đất đai" {
		t.Errorf("service: got %q", got)
	}
	screenshot(t, phone, "public-waiting")

	r.must(t, 200, "POST", "/api/v1/counters/2/open", map[string]any{"officer": "Lê Văn C"})
	r.must(t, 200, "POST", "/api/v1/counters/2/next", nil) // A001
	waitJS(t, phone, `document.querySelector("#detail").textContent.includes("người tiếp theo")`)
	r.must(t, 200, "POST", "/api/v1/counters/2/next", nil) // A002: mine
	waitJS(t, phone, `document.body.className === "called"`)
	if got := evalJS[string](t, phone, `document.querySelector("#detail").textContent`); !strings.Contains(got, "Quầy 2") {
		t.Errorf("called: got %q, want the counter", got)
	}
	if body := evalJS[string](t, phone, `document.body.innerText`); strings.Contains(body, "Lê Văn C") {
		t.Error("the officer's name is on the citizen's page")
	}
	screenshot(t, phone, "public-called")
	r.must(t, 200, "POST", "/api/v1/counters/2/done", nil)
	waitJS(t, phone, `document.body.className === "done"`)

	resp, err := http.Get(r.url + "/t/" + strings.Repeat("a", 26))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 404 || !strings.Contains(string(b), "Không tìm thấy") {
		t.Errorf("unknown id: got %d %s", resp.StatusCode, b)
	}
}
