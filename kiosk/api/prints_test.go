package api_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"motcua/kiosk/eventlog"
)

// unprintedFake is a Reprinter with a fixed list of unprinted tickets.
type unprintedFake struct{ list []eventlog.PrintRecord }

func (f unprintedFake) Reprint(context.Context, string) error { return nil }
func (f unprintedFake) Unprinted(context.Context) ([]eventlog.PrintRecord, error) {
	return f.list, nil
}

// TestPrintsFieldNames: GET /api/v1/prints speaks as the rest of the API,
// snake_case names and times in unit.timezone (it answered Go's field
// names and UTC: "At":"2026-12-02T18:24:00Z" beside tickets at 01:24+07:00).
func TestPrintsFieldNames(t *testing.T) {
	r := newRoom(t, nil)
	at := time.Date(2026, 12, 2, 18, 24, 0, 123456789, time.UTC)
	r.d.API.HandleDevices(unprintedFake{[]eventlog.PrintRecord{
		{Ticket: "20261203-B001", State: eventlog.PrintUnprinted, Detail: "paper out", Attempts: 2, At: at},
		{Ticket: "20261203-A001", State: eventlog.PrintUnprinted, Detail: "cover open", Attempts: 1, At: at},
	}}, nil)
	a := r.req("GET", "/api/v1/prints", r.tok["admin"], "")
	if a.status != 200 {
		t.Fatalf("got %d %s", a.status, a.body)
	}
	var got struct {
		Unprinted []map[string]any `json:"unprinted"`
	}
	if err := json.Unmarshal(a.body, &got); err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{
		{"ticket": "20261203-A001", "state": "unprinted", "detail": "cover open", "attempts": 1.0, "at": "2026-12-03T01:24:00.123+07:00"},
		{"ticket": "20261203-B001", "state": "unprinted", "detail": "paper out", "attempts": 2.0, "at": "2026-12-03T01:24:00.123+07:00"},
	}
	if len(got.Unprinted) != len(want) {
		t.Fatalf("got %s", a.body)
	}
	for i := range want {
		for k, v := range want[i] {
			if got.Unprinted[i][k] != v {
				t.Errorf("unprinted[%d].%s: got %v, want %v", i, k, got.Unprinted[i][k], v)
			}
		}
		if len(got.Unprinted[i]) != len(want[i]) {
			t.Errorf("unprinted[%d]: got fields %v, want %v", i, got.Unprinted[i], want[i])
		}
	}
}
