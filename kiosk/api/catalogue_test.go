package api_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"motcua/kiosk/catalogue"
)

func TestCatalogueImportAndSearch(t *testing.T) {
	r := newRoom(t, nil)
	// Empty at first; only an admin imports.
	if a := r.req("GET", "/api/v1/procedures?q=khai+sinh", r.tok["kiosk"], ""); a.status != 200 || !strings.Contains(string(a.body), `"procedures":[]`) {
		t.Fatalf("empty catalogue: got %d %s", a.status, a.body)
	}
	if a := r.req("PUT", "/api/v1/catalogue", r.tok["kiosk"], string(catalogue.DemoJSON)); a.status != 403 {
		t.Fatalf("kiosk import: got %d, want 403", a.status)
	}
	a := r.req("PUT", "/api/v1/catalogue", r.tok["admin"], string(catalogue.DemoJSON))
	if a.status != 200 || !strings.Contains(string(a.body), `"version":"demo-2026-12"`) {
		t.Fatalf("import: got %d %s", a.status, a.body)
	}

	// A bad file: 400 with positions, and the old catalogue stays.
	bad := strings.Replace(string(catalogue.DemoJSON), `"service": "xay-dung"`, `"service": "xd"`, 1)
	a = r.req("PUT", "/api/v1/catalogue", r.tok["admin"], bad)
	var e struct {
		Error    struct{ Code string }
		Problems []catalogue.Problem
	}
	json.Unmarshal(a.body, &e)
	if a.status != 400 || e.Error.Code != "invalid_catalogue" || len(e.Problems) != 1 || e.Problems[0].Field != "service" || e.Problems[0].Code != "1.009994" {
		t.Fatalf("bad import: got %d %s", a.status, a.body)
	}
	a = r.req("GET", "/api/v1/catalogue", r.tok["display"], "")
	if !strings.Contains(string(a.body), `"version":"demo-2026-12"`) {
		t.Fatalf("after a refused import: %s", a.body)
	}

	// Search, any token, accents optional, Telex too.
	for _, q := range []string{"dang ky khai sinh", "Đăng ký khai sinh", "ddawng kys khai sinh"} {
		a = r.req("GET", "/api/v1/procedures?q="+url.QueryEscape(q), r.tok["display"], "")
		var res struct {
			Procedures []catalogue.Procedure
			Total      int
		}
		json.Unmarshal(a.body, &res)
		if a.status != 200 || len(res.Procedures) == 0 || res.Procedures[0].Code != "1.001193" {
			t.Errorf("q=%q: got %d %s", q, a.status, a.body)
		}
	}
	a = r.req("GET", "/api/v1/procedures?field="+url.QueryEscape("Chứng thực"), r.tok["kiosk"], "")
	if n := strings.Count(string(a.body), `"service":"chung-thuc"`); n < 5 || strings.Contains(string(a.body), `"service":"dat-dai"`) {
		t.Errorf("browse by field: %d procedures of chung-thuc; %s", n, a.body)
	}
	a = r.req("GET", "/api/v1/procedures/1.001193", r.tok["kiosk"], "")
	if a.status != 200 || !strings.Contains(string(a.body), `"name":"Đăng ký khai sinh"`) {
		t.Errorf("one procedure: got %d %s", a.status, a.body)
	}
	if a = r.req("GET", "/api/v1/procedures/9.9", r.tok["kiosk"], ""); a.status != 404 || a.code() != "unknown_procedure" {
		t.Errorf("unknown procedure: got %d %s", a.status, a.body)
	}
	if a = r.req("GET", "/api/v1/procedures?q=x", "", ""); a.status != 401 {
		t.Errorf("no token: got %d", a.status)
	}

	// A ticket for a procedure is issued in its service.
	a = r.req("POST", "/api/v1/tickets", r.tok["kiosk"], `{"procedure":"1.001193"}`)
	if a.status != 201 || !strings.Contains(string(a.body), `"service":"tu-phap-ho-tich"`) || !strings.Contains(string(a.body), `"number":"B001"`) {
		t.Errorf("ticket for a procedure: got %d %s", a.status, a.body)
	}
	if a = r.req("POST", "/api/v1/tickets", r.tok["kiosk"], `{"procedure":"1.001193","service":"dat-dai"}`); a.status != 400 {
		t.Errorf("procedure of another service: got %d %s", a.status, a.body)
	}
	if a = r.req("POST", "/api/v1/tickets", r.tok["kiosk"], `{"procedure":"0.000"}`); a.status != 400 || a.code() != "unknown_procedure" {
		t.Errorf("unknown procedure: got %d %s", a.status, a.body)
	}
}
