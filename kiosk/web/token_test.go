package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A link from another site (or from a browser that does not say where it
// comes from) cannot replace a screen's token: it gets a confirm page and
// no cookie (issue 13: /page?token=X overwrote the cookie cross-site).
func TestTokenFromAnotherSiteAsksFirst(t *testing.T) {
	r := newRoom(t)
	c := &http.Client{CheckRedirect: noRedirect}
	for _, site := range []string{"cross-site", "same-site", ""} {
		t.Run("Sec-Fetch-Site="+site, func(t *testing.T) {
			req, err := http.NewRequest("GET", r.url+"/board?token=attacker-token-0001&x=1", nil)
			if err != nil {
				t.Fatal(err)
			}
			if site != "" {
				req.Header.Set("Sec-Fetch-Site", site)
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || len(resp.Cookies()) != 0 {
				t.Fatalf("got %d with cookies %v, want 200 and no cookie", resp.StatusCode, resp.Cookies())
			}
			page := string(body)
			for _, want := range []string{`action="/session/token"`, `name="token" value="attacker-token-0001"`, `value="/board?x=1"`} {
				if !strings.Contains(page, want) {
					t.Errorf("confirm page lacks %s:\n%s", want, page)
				}
			}
			if resp.Header.Get("Content-Security-Policy") == "" || resp.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("confirm page headers: %v", resp.Header)
			}
		})
	}
}

// The confirm form sets the token only when the daemon's own page sends
// it, and only redirects to a path of the daemon.
func TestConfirmToken(t *testing.T) {
	r := newRoom(t)
	c := &http.Client{CheckRedirect: noRedirect}
	post := func(next string, hdr ...string) *http.Response {
		t.Helper()
		form := url.Values{"token": {displayTok}, "next": {next}}
		req, err := http.NewRequest("POST", r.url+"/session/token", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	tests := []struct {
		name    string
		next    string
		hdr     []string
		status  int
		loc     string
		cookies int
	}{
		{"own page", "/board?x=1", []string{"Sec-Fetch-Site", "same-origin"}, 303, "/board?x=1", 1},
		{"own origin, old browser", "/board", []string{"Origin", r.url}, 303, "/board", 1},
		{"elsewhere after", "//evil.example/x", []string{"Sec-Fetch-Site", "same-origin"}, 303, "/", 1},
		{"another site", "/board", []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}, 403, "", 0},
		{"another origin, old browser", "/board", []string{"Origin", "https://evil.example"}, 403, "", 0},
		{"no origin at all", "/board", nil, 403, "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := post(tc.next, tc.hdr...)
			if resp.StatusCode != tc.status || resp.Header.Get("Location") != tc.loc || len(resp.Cookies()) != tc.cookies {
				t.Errorf("got %d Location %q cookies %v, want %d %q and %d cookie(s)",
					resp.StatusCode, resp.Header.Get("Location"), resp.Cookies(), tc.status, tc.loc, tc.cookies)
			}
			if tc.cookies == 1 && resp.Cookies()[0].Value != displayTok {
				t.Errorf("cookie: got %v", resp.Cookies()[0])
			}
		})
	}
}
