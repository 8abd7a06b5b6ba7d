package api_test

import (
	"strings"
	"testing"

	"motcua/kiosk/config"
)

// Every text a request stores is bounded and on one line (issue 13: 60 KB
// pause reasons in a loop added ~22 GB an hour to the day's log).
func TestTextBounds(t *testing.T) {
	r := newRoom(t, nil)
	admin := r.tok["admin"]
	long := func(n int) string { return strings.Repeat("ệ", n) }
	tests := []struct {
		name, path, body string
		status           int
	}{
		{"officer of 101 characters", "/api/v1/counters/1/open", `{"officer":"` + long(101) + `"}`, 400},
		{"officer on two lines", "/api/v1/counters/1/open", `{"officer":"Lê\nThị B"}`, 400},
		{"officer of 100 characters", "/api/v1/counters/1/open", `{"officer":"` + long(100) + `"}`, 200},
		{"reason of 60 KB", "/api/v1/counters/1/pause", `{"reason":"` + strings.Repeat("x", 60<<10) + `"}`, 400},
		{"reason of 201 characters", "/api/v1/counters/1/pause", `{"reason":"` + long(201) + `"}`, 400},
		{"reason with a tab", "/api/v1/counters/1/pause", `{"reason":"họp\tgiao ban"}`, 400},
		{"reason of 200 characters", "/api/v1/counters/1/pause", `{"reason":"` + long(200) + `"}`, 200},
		{"resume", "/api/v1/counters/1/resume", ``, 200},
		{"transfer to a long service id", "/api/v1/counters/1/transfer", `{"service":"` + strings.Repeat("s", 65) + `"}`, 400},
		{"ticket for a long service id", "/api/v1/tickets", `{"service":"` + strings.Repeat("s", 65) + `"}`, 400},
		{"ticket for a long procedure code", "/api/v1/tickets", `{"procedure":"` + strings.Repeat("1", 65) + `"}`, 400},
		{"ticket of a long category", "/api/v1/tickets", `{"service":"dat-dai","category":"` + strings.Repeat("c", 65) + `"}`, 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := r.req("POST", tc.path, admin, tc.body)
			if a.status != tc.status {
				t.Errorf("got %d %s, want %d", a.status, a.body, tc.status)
			}
			if tc.status == 400 && a.code() != "bad_request" {
				t.Errorf("code: got %q, want bad_request", a.code())
			}
		})
	}
	st := r.req("GET", "/api/v1/state", admin, "")
	if strings.Contains(string(st.body), long(101)) {
		t.Error("a refused officer name reached the state")
	}
}

// Counter tokens are rate-limited per token and address, admin tokens are
// not; a refusal changes nothing.
func TestCounterRateLimit(t *testing.T) {
	r := newRoom(t, func(c *config.Config) { c.Server.CounterRate = 1; c.Server.CounterBurst = 3 })
	tok := r.tok["counter1"]
	for i, path := range []string{"open", "pause", "resume"} {
		if a := r.req("POST", "/api/v1/counters/1/"+path, tok, ""); a.status != 200 {
			t.Fatalf("action %d (%s): got %d %s, want 200", i, path, a.status, a.body)
		}
	}
	a := r.req("POST", "/api/v1/counters/1/pause", tok, `{"reason":"họp"}`)
	if a.status != 429 || a.code() != "rate_limited" || a.header.Get("Retry-After") == "" {
		t.Fatalf("4th action: got %d %q Retry-After %q, want 429 rate_limited with Retry-After", a.status, a.code(), a.header.Get("Retry-After"))
	}
	if st := r.req("GET", "/api/v1/state", tok, ""); !strings.Contains(string(st.body), `"state":"open"`) {
		t.Errorf("the refused pause changed the counter: %s", st.body)
	}
	for i := range 5 {
		if a := r.req("POST", "/api/v1/counters/1/pause", r.tok["admin"], ""); a.status != 200 {
			t.Fatalf("admin pause %d: got %d %s", i, a.status, a.body)
		}
		if a := r.req("POST", "/api/v1/counters/1/resume", r.tok["admin"], ""); a.status != 200 {
			t.Fatalf("admin resume %d: got %d %s", i, a.status, a.body)
		}
	}
}
