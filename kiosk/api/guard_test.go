package api_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"motcua/kiosk/config"
)

// A Host the daemon does not know is refused (DNS rebinding: a site whose
// name points at the daemon would call it as its own origin); loopback,
// the machine's own names and addresses and server.allowed_hosts pass.
func TestHostAllowList(t *testing.T) {
	r := newRoom(t, func(c *config.Config) { c.Server.AllowedHosts = []string{"motcua.example.vn"} })
	port := r.base[strings.LastIndexByte(r.base, ':'):]
	tests := []struct {
		host   string
		status int
	}{
		{"evil.example" + port, 421},
		{"motcua.example.vn.evil.example", 421},
		{"192.0.2.77" + port, 421},
		{"127.0.0.1" + port, 200},
		{"localhost" + port, 200},
		{"LOCALHOST.", 200},
		{"[::1]" + port, 200},
		{"motcua.example.vn" + port, 200},
		{"MOTCUA.example.vn", 200},
	}
	for _, tc := range tests {
		t.Run(tc.host, func(t *testing.T) {
			a := r.req("GET", "/api/v1/state", r.tok["admin"], "", "Host", tc.host)
			if a.status != tc.status {
				t.Errorf("got %d %s, want %d", a.status, a.body, tc.status)
			}
			if tc.status == 421 && a.code() != "host_not_allowed" {
				t.Errorf("code: got %q, want host_not_allowed", a.code())
			}
		})
	}
	// Pages and /healthz are behind the same check.
	if a := r.req("GET", "/healthz", "", "", "Host", "evil.example"); a.status != 421 {
		t.Errorf("/healthz with a foreign Host: got %d, want 421", a.status)
	}
}

// The daemon's own origin is its scheme too: a page of the same host and
// port under another scheme is another origin.
func TestOriginScheme(t *testing.T) {
	r := newRoom(t, nil)
	host := strings.TrimPrefix(r.base, "http://")
	tests := []struct {
		origin string
		status int
	}{
		{"http://" + host, 200},
		{"https://" + host, 403},
		{"ws://" + host, 403},
		{"ftp://" + host, 403},
		{"null", 403},
	}
	for _, tc := range tests {
		t.Run(tc.origin, func(t *testing.T) {
			if a := r.req("GET", "/api/v1/state", r.tok["admin"], "", "Origin", tc.origin); a.status != tc.status {
				t.Errorf("got %d %s, want %d", a.status, a.body, tc.status)
			}
		})
	}
}

// A listed origin can call the API from a browser: its preflight is
// answered and its answers carry Access-Control-Allow-Origin. Others get
// neither, and cookies are never allowed across origins.
func TestCORS(t *testing.T) {
	const listed = "https://motcua.example.vn"
	r := newRoom(t, func(c *config.Config) { c.Server.AllowedOrigins = []string{listed} })
	pre := r.req("OPTIONS", "/api/v1/tickets", "", "", "Origin", listed,
		"Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization,content-type")
	h := pre.header
	if pre.status != 204 || h.Get("Access-Control-Allow-Origin") != listed ||
		!strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") ||
		!strings.Contains(strings.ToLower(h.Get("Access-Control-Allow-Headers")), "authorization") {
		t.Errorf("preflight of a listed origin: got %d %v", pre.status, h)
	}
	if h.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("preflight allows credentials: %v", h)
	}
	a := r.req("POST", "/api/v1/tickets", r.tok["kiosk"], `{"service":"dat-dai"}`, "Origin", listed, "Content-Type", "application/json")
	if a.status != 201 || a.header.Get("Access-Control-Allow-Origin") != listed {
		t.Errorf("request of a listed origin: got %d, Access-Control-Allow-Origin %q", a.status, a.header.Get("Access-Control-Allow-Origin"))
	}
	evil := r.req("OPTIONS", "/api/v1/tickets", "", "", "Origin", "https://evil.example", "Access-Control-Request-Method", "POST")
	if evil.status != 403 || evil.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight of another origin: got %d %v", evil.status, evil.header)
	}
}

// syncBuffer is a log destination safe for the daemon's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Wrong tokens are logged without the token and throttled per address:
// past the burst, the address's requests with a token are answered 429
// without looking at the token, the right one included; requests without
// a token still pass.
func TestFailedTokensThrottled(t *testing.T) {
	var logs syncBuffer
	r := newRoomLogged(t, nil, slog.New(slog.NewTextHandler(&logs, nil)))
	const guess = "guessed-token-0000"
	for i := range 20 {
		if a := r.req("GET", "/api/v1/state", guess, ""); a.status != 401 {
			t.Fatalf("guess %d: got %d, want 401", i, a.status)
		}
	}
	a := r.req("GET", "/api/v1/state", guess, "")
	if a.status != 429 || a.code() != "rate_limited" || a.header.Get("Retry-After") == "" {
		t.Errorf("21st guess: got %d %q Retry-After %q, want 429 rate_limited", a.status, a.code(), a.header.Get("Retry-After"))
	}
	if a := r.req("GET", "/api/v1/state", r.tok["admin"], ""); a.status != 429 {
		t.Errorf("the right token from the throttled address: got %d, want 429 (no oracle)", a.status)
	}
	if a := r.req("GET", "/healthz", "", ""); a.status != 200 {
		t.Errorf("/healthz without a token: got %d, want 200", a.status)
	}
	out := logs.String()
	if n := strings.Count(out, "wrong token"); n != 20 {
		t.Errorf("got %d lines \"wrong token\", want 20 (one per counted failure)", n)
	}
	if strings.Contains(out, guess) || !strings.Contains(out, "remote=127.0.0.1") {
		t.Errorf("log lines must name the address and never the token:\n%s", out)
	}
}
