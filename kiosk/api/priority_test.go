package api_test

import (
	"strings"
	"testing"
)

func TestIssuePriorityCategory(t *testing.T) {
	r := newRoom(t, nil)
	tests := []struct {
		body   string
		status int
		code   string
		has    string
	}{
		{`{"service":"dat-dai","category":"elderly"}`, 201, "", `"priority":true`},
		{`{"service":"dat-dai","category":"pregnant"}`, 201, "", `"category":"pregnant"`},
		{`{"service":"dat-dai","priority":true}`, 201, "", `"priority":true`},
		{`{"service":"dat-dai","priority":false}`, 201, "", `"priority":false`},
		{`{"service":"dat-dai","category":"vip"}`, 400, "unknown_category", ""},
	}
	if a := r.req("GET", "/api/v1/priorities", r.tok["kiosk"], ""); a.status != 200 ||
		!strings.Contains(string(a.body), `{"code":"elderly","name":"Người cao tuổi"}`) || !strings.Contains(string(a.body), `"priority_age":75`) {
		t.Errorf("priorities: got %d %s", a.status, a.body)
	}
	for _, tt := range tests {
		a := r.req("POST", "/api/v1/tickets", r.tok["admin"], tt.body)
		if a.status != tt.status || a.code() != tt.code {
			t.Errorf("%s: got %d %q, want %d %q: %s", tt.body, a.status, a.code(), tt.status, tt.code, a.body)
			continue
		}
		if !strings.Contains(string(a.body), tt.has) {
			t.Errorf("%s: body %s does not have %s", tt.body, a.body, tt.has)
		}
	}
}
