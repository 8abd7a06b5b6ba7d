package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"motcua/kiosk/config"
	"motcua/kiosk/eventlog"
)

// A satellite reports its devices and its prints for its own kiosk only;
// what it reports is the state's and the print records'.
func TestKioskEndpoints(t *testing.T) {
	const satTok, otherTok = "satellite-secret-01", "other-kiosk-secret-2"
	r := newRoom(t, func(c *config.Config) {
		c.Kiosks = []config.Kiosk{{ID: "tang-2", Name: "Tầng 2", Satellite: true}, {ID: "sanh-b"}}
		for _, tk := range []config.Token{{Role: config.RoleKiosk, Secret: satTok, Kiosk: "tang-2"}, {Role: config.RoleKiosk, Secret: otherTok, Kiosk: "sanh-b"}} {
			if err := c.AddToken(tk); err != nil {
				t.Fatal(err)
			}
		}
	})
	a := r.req("POST", "/api/v1/tickets", satTok, `{"service":"dat-dai"}`)
	var tk struct{ ID, Kiosk string }
	if err := json.Unmarshal(a.body, &tk); err != nil || a.status != 201 || tk.Kiosk != "tang-2" || !strings.Contains(string(a.body), `"printed":false,"satellite":true`) {
		t.Fatalf("issue: got %d %s, want kiosk tang-2 printed by its satellite", a.status, a.body)
	}
	own := r.req("POST", "/api/v1/tickets", r.tok["kiosk"], `{"service":"dat-dai"}`)
	var ownTk struct{ ID string }
	if err := json.Unmarshal(own.body, &ownTk); err != nil || strings.Contains(string(own.body), `"kiosk"`) || strings.Contains(string(own.body), `"satellite"`) {
		t.Fatalf("the unit's own kiosk: got %s, want no kiosk and no satellite", own.body)
	}
	tests := []struct {
		name, method, path, token, body string
		status                          int
		code                            string
	}{
		{"which kiosk", "GET", "/api/v1/kiosk", satTok, "", 200, ""},
		{"which kiosk, admin", "GET", "/api/v1/kiosk", r.tok["admin"], "", 403, "forbidden"},
		{"device", "POST", "/api/v1/kiosks/tang-2/devices", satTok, `{"name":"printer","status":"warning","detail":"sắp hết giấy"}`, 200, ""},
		{"device by admin", "POST", "/api/v1/kiosks/sanh-b/devices", r.tok["admin"], `{"name":"scanner","status":"ok","detail":""}`, 200, ""},
		{"device of another kiosk", "POST", "/api/v1/kiosks/sanh-b/devices", satTok, `{"name":"printer","status":"ok"}`, 403, "other_kiosk"},
		{"device of the unit's kiosk token", "POST", "/api/v1/kiosks/tang-2/devices", r.tok["kiosk"], `{"name":"printer","status":"ok"}`, 403, "other_kiosk"},
		{"unknown kiosk", "POST", "/api/v1/kiosks/x/devices", r.tok["admin"], `{"name":"printer","status":"ok"}`, 404, "unknown_kiosk"},
		{"bad status", "POST", "/api/v1/kiosks/tang-2/devices", satTok, `{"name":"printer","status":"broken"}`, 400, "bad_request"},
		{"bad name", "POST", "/api/v1/kiosks/tang-2/devices", satTok, `{"name":"Printer\n","status":"ok"}`, 400, "bad_request"},
		{"display token", "POST", "/api/v1/kiosks/tang-2/devices", r.tok["display"], `{"name":"printer","status":"ok"}`, 403, "forbidden"},
		{"print outcome", "POST", "/api/v1/kiosks/tang-2/prints", satTok, `{"ticket":"` + tk.ID + `","printed":false,"detail":"hết giấy"}`, 200, ""},
		{"print of another kiosk's ticket", "POST", "/api/v1/kiosks/tang-2/prints", satTok, `{"ticket":"` + ownTk.ID + `","printed":true}`, 409, "other_kiosk"},
		{"print of an unknown ticket", "POST", "/api/v1/kiosks/tang-2/prints", satTok, `{"ticket":"20261203-Z999","printed":true}`, 404, "unknown_ticket"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := r.req(tt.method, tt.path, tt.token, tt.body)
			if a.status != tt.status || a.code() != tt.code {
				t.Errorf("got %d %q (%s), want %d %q", a.status, a.code(), a.body, tt.status, tt.code)
			}
		})
	}
	a = r.req("GET", "/api/v1/kiosk", satTok, "")
	if !strings.Contains(string(a.body), `"id":"tang-2","name":"Tầng 2","satellite":true,"now":"`) {
		t.Errorf("which kiosk: got %s", a.body)
	}
	st := r.req("GET", "/api/v1/state", r.tok["admin"], "")
	for _, want := range []string{`{"name":"printer tang-2","status":"warning","detail":"sắp hết giấy","kiosk":"tang-2"}`, `{"name":"scanner sanh-b","status":"ok","detail":"","kiosk":"sanh-b"}`} {
		if !strings.Contains(string(st.body), want) {
			t.Errorf("state devices: got %s, want %s", st.body, want)
		}
	}
	// One kiosk's devices.
	if a := r.req("GET", "/api/v1/devices?kiosk=tang-2", r.tok["display"], ""); a.status != 200 || string(a.body) != `{"devices":[{"name":"printer tang-2","status":"warning","detail":"sắp hết giấy","kiosk":"tang-2"}]}`+"\n" {
		t.Errorf("devices of tang-2: got %d %s", a.status, a.body)
	}
	if a := r.req("GET", "/api/v1/devices", r.tok["display"], ""); a.status != 200 || !strings.Contains(string(a.body), `"scanner sanh-b"`) || !strings.Contains(string(a.body), `"printer tang-2"`) {
		t.Errorf("all devices: got %d %s", a.status, a.body)
	}
	day := strings.SplitN(tk.ID, "-", 2)[0]
	recs, err := r.d.Log.Prints(t.Context(), day[:4]+"-"+day[4:6]+"-"+day[6:])
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := recs[tk.ID]; !ok || p.State != eventlog.PrintUnprinted || p.Detail != "hết giấy" {
		t.Errorf("print record: got %+v, want unprinted, hết giấy", recs)
	}
}

// A satellite's reports are outside input: any body gets 200 with what
// was stored, or 400/413 with an error code, and a stored device is named
// by its kiosk.
func FuzzKioskBodies(f *testing.F) {
	for _, s := range []string{`{"name":"printer","status":"ok","detail":""}`, `{"name":"printer","status":"warning","detail":"sắp hết giấy"}`,
		`{"ticket":"20261203-A001","printed":true}`, `{"text":"HN-0042"}`, `{}`, `[]`, `null`, `{"name":1}`, "\x00"} {
		f.Add(s)
	}
	const satTok = "satellite-secret-01"
	r := newRoom(f, func(c *config.Config) {
		c.Kiosks = []config.Kiosk{{ID: "tang-2", Satellite: true}}
		if err := c.AddToken(config.Token{Role: config.RoleKiosk, Secret: satTok, Kiosk: "tang-2"}); err != nil {
			f.Fatal(err)
		}
	})
	f.Fuzz(func(t *testing.T, body string) {
		for _, path := range []string{"devices", "prints"} {
			a := doReq(t, r.base, "POST", "/api/v1/kiosks/tang-2/"+path, satTok, body)
			switch a.status {
			case 200:
				var d struct{ Name string }
				if path == "devices" && (json.Unmarshal(a.body, &d) != nil || !strings.HasSuffix(d.Name, " tang-2")) {
					t.Fatalf("200 without the kiosk's device: %s", a.body)
				}
			case 400, 404, 409, 413:
				if a.code() == "" {
					t.Fatalf("%d without an error code: %s", a.status, a.body)
				}
			default:
				t.Fatalf("%s body %q: status %d %s", path, body, a.status, a.body)
			}
		}
	})
}
