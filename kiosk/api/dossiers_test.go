package api_test

import (
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"motcua/kiosk/eventlog"
	"motcua/kiosk/queue"
	"motcua/kiosk/scan"
)

// TestLinkDossier links dossiers to the served ticket through the API and
// the counter's scanner, and checks every answer's code, the ticket's
// JSON, the events on the websocket and in the log.
func TestLinkDossier(t *testing.T) {
	logs := &syncBuf{}
	r := newRoomLogged(t, nil, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	link := func(tok, counter, body string) answer {
		return r.req("POST", "/api/v1/counters/"+counter+"/dossier", tok, body)
	}
	if a := link(r.tok["counter1"], "1", `{"code":"000.00.12.H56-261203-0001"}`); a.status != 409 || a.code() != "not_serving" {
		t.Errorf("closed counter: got %d %s, want 409", a.status, a.body)
	}
	r.req("POST", "/api/v1/counters/1/open", r.tok["counter1"], `{"officer":"Trần Thị B"}`)
	if a := link(r.tok["counter1"], "1", `{"code":"000.00.12.H56-261203-0001"}`); a.status != 409 || a.code() != "not_serving" {
		t.Errorf("nobody served: got %d %s, want 409 not_serving", a.status, a.body)
	}
	r.req("POST", "/api/v1/tickets", r.tok["kiosk"], `{"service":"dat-dai"}`)
	r.req("POST", "/api/v1/counters/1/next", r.tok["counter1"], "")
	ws := r.wsDial("")
	read(t, ws) // the snapshot

	tests := []struct {
		name, tok, counter, body string
		status                   int
		code                     string
	}{
		{"not a dossier code", "counter1", "1", `{"code":"HN-0042"}`, 400, "bad_dossier"},
		{"bad date in the code", "counter1", "1", `{"code":"000.00.12.H56-261340-0001"}`, 400, "bad_dossier"},
		{"code with more around it", "counter1", "1", `{"code":"x 000.00.12.H56-261203-0001"}`, 400, "bad_dossier"},
		{"empty code", "counter1", "1", `{}`, 400, "bad_dossier"},
		{"unknown field", "counter1", "1", `{"dossier":"000.00.12.H56-261203-0001"}`, 400, "bad_request"},
		{"kiosk token", "kiosk", "1", `{"code":"000.00.12.H56-261203-0001"}`, 403, "forbidden"},
		{"display token", "display", "1", `{"code":"000.00.12.H56-261203-0001"}`, 403, "forbidden"},
		{"another counter's token", "counter1", "2", `{"code":"000.00.12.H56-261203-0001"}`, 403, "forbidden"},
		{"unknown counter", "admin", "99", `{"code":"000.00.12.H56-261203-0001"}`, 404, "unknown_counter"},
		{"admin, counter not serving", "admin", "2", `{"code":"000.00.12.H56-261203-0001"}`, 409, "not_serving"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := link(r.tok[tt.tok], tt.counter, tt.body)
			if a.status != tt.status || a.code() != tt.code {
				t.Errorf("got %d %s, want %d %s", a.status, a.body, tt.status, tt.code)
			}
		})
	}

	a := link(r.tok["counter1"], "1", `{"code":"000.00.12.h56-261203-0001"}`)
	var tk queue.Ticket
	if err := json.Unmarshal(a.body, &tk); err != nil || a.status != 200 {
		t.Fatalf("link: got %d %s", a.status, a.body)
	}
	if !strings.Contains(string(a.body), `"dossiers":["000.00.12.H56-261203-0001"]`) {
		t.Errorf("ticket JSON: got %s, want dossiers in upper case", a.body)
	}
	if f := read(t, ws); f.Event != queue.TicketDossierLinked {
		t.Errorf("websocket: got %+v, want %s", f, queue.TicketDossierLinked)
	}
	// The same code again changes nothing; another is added by admin.
	if a := link(r.tok["counter1"], "1", `{"code":"000.00.12.H56-261203-0001"}`); a.status != 204 {
		t.Errorf("same code again: got %d %s, want 204", a.status, a.body)
	}
	if a := link(r.tok["admin"], "1", `{"code":"000.00.12.H56-261203-0002"}`); a.status != 200 {
		t.Errorf("admin: got %d %s, want 200", a.status, a.body)
	}
	if f := read(t, ws); f.Event != queue.TicketDossierLinked {
		t.Errorf("websocket: got %+v, want %s", f, queue.TicketDossierLinked)
	}

	// A receipt's QR at counter 1's scanner links its code; the raw text
	// is not logged. At counter 2 (not serving) it links nothing.
	receipt := `{"ma_ho_so":"000.00.12.H56-261203-0003","chu_ho_so":"Nguyễn Văn Mẫu"}`
	r.d.API.Scan(t.Context(), scan.Place{Counter: 1}, receipt)
	r.d.API.Scan(t.Context(), scan.Place{Counter: 2}, `000.00.12.H56-261203-0004`)
	r.d.API.Scan(t.Context(), scan.Place{Counter: 1}, `HN-0042`)
	// Scan is synchronous: its event is durable when it returns.
	var got queue.Ticket
	json.Unmarshal(r.req("GET", "/api/v1/tickets/"+tk.ID, r.tok["display"], "").body, &got)
	want := []string{"000.00.12.H56-261203-0001", "000.00.12.H56-261203-0002", "000.00.12.H56-261203-0003"}
	if !slices.Equal(got.Dossiers, want) {
		t.Errorf("after the scans: got %v, want %v", got.Dossiers, want)
	}
	// The log holds the events, each with the code it linked.
	var linked []string
	if _, err := r.d.Log.Since(t.Context(), 0, 0, func(rec eventlog.Record) error {
		var ev queue.Event
		if err := json.Unmarshal(rec.Data, &ev); err != nil {
			return err
		}
		if ev.Name == queue.TicketDossierLinked {
			linked = append(linked, ev.Dossier)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(linked, want) {
		t.Errorf("ticket.dossier_linked in the log: got %v, want %v", linked, want)
	}
	if l := logs.String(); strings.Contains(l, "Nguyễn Văn Mẫu") || strings.Contains(l, "261203-0004") {
		t.Errorf("the log has the scan's text:\n%s", l)
	}
}
