package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"motcua/kiosk/config"
)

func TestPublicTicket(t *testing.T) {
	r := newRoom(t, nil)
	a := r.req("POST", "/api/v1/tickets", r.tok["kiosk"], `{"service":"dat-dai"}`)
	var tk struct{ Public, Number string }
	json.Unmarshal(a.body, &tk)
	if a.status != 201 || len(tk.Public) != 26 {
		t.Fatalf("issue: %d %s", a.status, a.body)
	}
	// No token needed; the same id answers the same ticket.
	a = r.req("GET", "/api/v1/public/"+tk.Public, "", "")
	if a.status != 200 || !strings.Contains(string(a.body), `"number":"A001"`) || !strings.Contains(string(a.body), `"status":"waiting"`) {
		t.Fatalf("public: %d %s", a.status, a.body)
	}
	r.req("POST", "/api/v1/counters/1/open", r.tok["counter1"], `{"officer":"Phạm Thị D"}`)
	r.req("POST", "/api/v1/counters/1/next", r.tok["counter1"], "")
	a = r.req("GET", "/api/v1/public/"+tk.Public, "", "")
	var p map[string]any
	json.Unmarshal(a.body, &p)
	if p["status"] != "called" || p["counter"] != 1.0 || p["counter_name"] != "Quầy 1" {
		t.Errorf("called: got %s", a.body)
	}
	for _, personal := range []string{"Phạm Thị D", "officer", tk.Public, `"id"`} {
		if strings.Contains(string(a.body), personal) {
			t.Errorf("the public answer holds %q: %s", personal, a.body)
		}
	}
	r.req("POST", "/api/v1/counters/1/done", r.tok["counter1"], "")
	if a = r.req("GET", "/api/v1/public/"+tk.Public, "", ""); !strings.Contains(string(a.body), `"status":"done"`) {
		t.Errorf("a closed ticket shows its end state: %s", a.body)
	}

	for _, bad := range []string{strings.Repeat("a", 26), tk.Public[:25], strings.ToUpper(tk.Public), "..%2f..%2fetc"} {
		if a = r.req("GET", "/api/v1/public/"+bad, "", ""); a.status != 404 || a.code() != "unknown_ticket" {
			t.Errorf("%q: got %d %s", bad, a.status, a.body)
		}
	}

	// One address is limited; a guesser soon meets 429.
	limited := false
	for range 200 {
		if a = r.req("GET", "/api/v1/public/"+strings.Repeat("b", 26), "", ""); a.status == 429 {
			limited = a.header.Get("Retry-After") != ""
			break
		}
	}
	if !limited {
		t.Error("200 guesses from one address were not rate-limited")
	}
}

// TestPublicURLHostAllowed: the host of server.public_url, where the QR
// codes send phones, is one of the daemon's names.
func TestPublicURLHostAllowed(t *testing.T) {
	r := newRoom(t, func(c *config.Config) { c.Server.PublicURL = "https://motcua.example.gov.vn" })
	a := r.req("POST", "/api/v1/tickets", r.tok["kiosk"], `{"service":"dat-dai"}`)
	var tk struct{ Public string }
	json.Unmarshal(a.body, &tk)
	if a = r.req("GET", "/api/v1/public/"+tk.Public, "", "", "Host", "motcua.example.gov.vn"); a.status != 200 {
		t.Errorf("the public_url's host: got %d %s", a.status, a.body)
	}
	if a = r.req("GET", "/api/v1/public/"+tk.Public, "", "", "Host", "other.example.vn"); a.status == 200 {
		t.Errorf("another host: got %d, want a refusal", a.status)
	}
}
