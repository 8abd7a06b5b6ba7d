package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"motcua/kiosk/web"
)

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// TestTokenMovesToCookie: a start URL with ?token= answers the cookie and a
// redirect to the same URL without the token.
func TestTokenMovesToCookie(t *testing.T) {
	r := newRoom(t)
	c := &http.Client{CheckRedirect: noRedirect}
	tests := []struct {
		path, wantLoc string
	}{
		{"/board?token=" + displayTok, "/board"},
		{"/counter/2?token=" + counterTok + "&x=1", "/counter/2?x=1"},
		{"/kiosk?lang=vi&token=" + kioskTok, "/kiosk?lang=vi"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			req, err := http.NewRequest("GET", r.url+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Sec-Fetch-Site", "none") // typed, bookmarked, a start URL
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("status: got %d, want 303", resp.StatusCode)
			}
			if got := resp.Header.Get("Location"); got != tt.wantLoc {
				t.Errorf("Location: got %q, want %q", got, tt.wantLoc)
			}
			cookies := resp.Cookies()
			if len(cookies) != 1 {
				t.Fatalf("cookies: got %v, want one", cookies)
			}
			ck := cookies[0]
			tok, _ := url.ParseQuery(strings.SplitN(tt.path, "?", 2)[1])
			if ck.Name != "motcua_token" || ck.Value != tok.Get("token") || !ck.HttpOnly ||
				ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" {
				t.Errorf("cookie: got %+v, want motcua_token=%s HttpOnly SameSite=Strict Path=/", ck, tok.Get("token"))
			}
		})
	}
}

func TestSession(t *testing.T) {
	r := newRoom(t)
	tests := []struct {
		token, query string
		status       int
		role         string
		allowed      bool
	}{
		{displayTok, "page=board", 200, "display", true},
		{displayTok, "page=counter&counter=1", 200, "display", false},
		{counterTok, "page=counter&counter=3", 200, "counter", true},
		{counterTok, "page=admin", 200, "counter", false},
		{kioskTok, "page=rate&counter=2", 200, "kiosk", true},
		{adminTok, "page=counter&counter=9", 200, "admin", true},
		{"wrong", "page=board", 401, "", false},
		{"", "page=board", 401, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.token+"?"+tt.query, func(t *testing.T) {
			var s web.Session
			req, _ := http.NewRequest("GET", r.url+"/session?"+tt.query, nil)
			if tt.token != "" {
				req.AddCookie(&http.Cookie{Name: "motcua_token", Value: tt.token})
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status: got %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.status != 200 {
				return
			}
			if err := decode(resp.Body, &s); err != nil {
				t.Fatal(err)
			}
			if string(s.Role) != tt.role || s.Allowed != tt.allowed {
				t.Errorf("got role %s allowed %v, want %s %v", s.Role, s.Allowed, tt.role, tt.allowed)
			}
			if _, off := s.Now.Zone(); s.Timezone != "Asia/Ho_Chi_Minh" || off != 7*3600 {
				t.Errorf("got time zone %q, now %v; want the unit's Asia/Ho_Chi_Minh", s.Timezone, s.Now)
			}
		})
	}
}

// TestFonts: the pages' fonts are served from the binary, small (subset
// to Latin and Vietnamese), as WOFF2, with their licence.
func TestFonts(t *testing.T) {
	r := newRoom(t)
	for _, tt := range []struct {
		file, ctype string
		max         int
	}{
		{"DejaVuSans.woff2", "font/woff2", 24 << 10},
		{"DejaVuSans-Bold.woff2", "font/woff2", 24 << 10},
		{"DejaVu-LICENSE.txt", "text/plain; charset=utf-8", 8 << 10},
	} {
		resp, err := http.Get(r.url + "/static/" + tt.file)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != tt.ctype {
			t.Errorf("%s: got %d %s, want 200 %s", tt.file, resp.StatusCode, resp.Header.Get("Content-Type"), tt.ctype)
		}
		if len(b) == 0 || len(b) > tt.max {
			t.Errorf("%s: %d bytes, want 1 to %d", tt.file, len(b), tt.max)
		}
		if strings.HasSuffix(tt.file, ".woff2") && string(b[:4]) != "wOF2" {
			t.Errorf("%s: not WOFF2 (%q)", tt.file, b[:4])
		}
		if strings.HasSuffix(tt.file, ".txt") && !strings.Contains(string(b), "Bitstream") {
			t.Errorf("%s: not the DejaVu licence", tt.file)
		}
	}
}

func TestEndpoints(t *testing.T) {
	r := newRoom(t)
	r.must(t, 201, "POST", "/api/v1/tickets", map[string]any{"service": "dat-dai"})
	r.must(t, 200, "POST", "/api/v1/counters/1/open", map[string]any{"officer": "A"})
	r.must(t, 200, "POST", "/api/v1/counters/1/next", nil)
	r.must(t, 200, "POST", "/api/v1/counters/1/done", nil)
	r.must(t, 200, "POST", "/api/v1/counters/1/rating", map[string]any{"score": 3})
	tests := []struct {
		path, token string
		status      int
		ctype, body string
	}{
		{"/kiosk", "", 200, "text/html; charset=utf-8", `lang="vi"`},
		{"/counter/1", "", 200, "text/html; charset=utf-8", "Gọi số tiếp"},
		{"/counter/x", "", 404, "", ""},
		{"/counter/01", "", 404, "", ""},
		{"/static/board.js", "", 200, "text/javascript; charset=utf-8", "ticket.recalled"},
		{"/static/board.html", "", 404, "", ""},
		{"/static/nope.js", "", 404, "", ""},
		{"/voice/call.wav?number=A023&counter=3", "", 401, "", ""},
		{"/voice/call.wav?number=A023&counter=3", displayTok, 200, "audio/wav", "RIFF"},
		{"/admin/today.json", displayTok, 403, "", ""},
		{"/admin/today.json", adminTok, 200, "application/json; charset=utf-8", `"issued":1,"served":1,"no_show":0,"waiting":0,"rated":1,"rating_sum":3`},
		{"/healthz", "", 200, "application/json; charset=utf-8", "ok"},
	}
	for _, tt := range tests {
		t.Run(tt.path+" "+tt.token, func(t *testing.T) {
			req, _ := http.NewRequest("GET", r.url+tt.path, nil)
			if tt.token != "" {
				req.AddCookie(&http.Cookie{Name: "motcua_token", Value: tt.token})
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status: got %d, want %d (%s)", resp.StatusCode, tt.status, b)
			}
			if tt.ctype != "" && resp.Header.Get("Content-Type") != tt.ctype {
				t.Errorf("Content-Type: got %q, want %q", resp.Header.Get("Content-Type"), tt.ctype)
			}
			if !strings.Contains(string(b), tt.body) {
				t.Errorf("body lacks %q: %.200s", tt.body, b)
			}
			if strings.HasSuffix(tt.ctype, "html; charset=utf-8") && !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
				t.Errorf("page without a Content-Security-Policy: %q", resp.Header.Get("Content-Security-Policy"))
			}
		})
	}
}

// TestNoDialogsNoInnerHTML keeps the pages' scripts free of browser
// dialogs and of HTML parsing of data.
func TestNoDialogsNoInnerHTML(t *testing.T) {
	r := newRoom(t)
	for _, f := range []string{"common.js", "kiosk.js", "counter.js", "board.js", "rate.js", "admin.js"} {
		resp, err := http.Get(r.url + "/static/" + f)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, bad := range []string{"alert(", "confirm(", "prompt(", "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write"} {
			if strings.Contains(string(b), bad) {
				t.Errorf("%s uses %s", f, bad)
			}
		}
	}
}

// TestNotAttached: before Attach, the pages' endpoints answer 503.
func TestNotAttached(t *testing.T) {
	h := web.New(web.Options{})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/session", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("status: got %d, want 503", rec.Code)
	}
}

func decode(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }
