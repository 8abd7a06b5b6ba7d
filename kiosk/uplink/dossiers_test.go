package uplink_test

import (
	"encoding/json"
	"slices"
	"testing"

	"motcua/kiosk"
	"motcua/kiosk/queue"
)

// TestRatingCarriesDossiersUpstream rates a visit with two dossiers linked:
// the receiver stores the links and a ticket.rated event with the
// dossiers, the counter, the officer, the score and the reason.
func TestRatingCarriesDossiersUpstream(t *testing.T) {
	u := newUnit(t)
	u.issue(t, 1)
	for _, a := range []kiosk.Action{
		{Name: "open", Counter: 2, Officer: "Phạm Thị D"},
		{Name: "next", Counter: 2},
		{Name: "dossier", Counter: 2, Dossier: "000.00.12.H56-261126-0007"},
		{Name: "dossier", Counter: 2, Dossier: "000.00.12.H56-261126-0008"},
		{Name: "done", Counter: 2},
		{Name: "rating", Counter: 2, Score: 1, Reason: "Hẹn trả trễ"},
	} {
		if _, err := u.room.Act(a); err != nil {
			t.Fatalf("%s: %v", a.Name, err)
		}
	}
	r := newReceiver(t, u.cfg.Unit.ID)
	_, a := startClient(t, u, r.url, nil)
	a.waitFor(t, u.log.Durable())

	want := []string{"000.00.12.H56-261126-0007", "000.00.12.H56-261126-0008"}
	_, data := storedSeqs(t, r.store, u.cfg.Unit.ID)
	var linked []string
	var rated *queue.Event
	for _, d := range data {
		var ev queue.Event
		if err := json.Unmarshal(d, &ev); err != nil {
			t.Fatal(err)
		}
		switch ev.Name {
		case queue.TicketDossierLinked:
			linked = append(linked, ev.Dossier)
		case queue.TicketRated:
			rated = &ev
		}
	}
	if !slices.Equal(linked, want) {
		t.Errorf("links stored upstream: got %v, want %v", linked, want)
	}
	if rated == nil {
		t.Fatal("no ticket.rated upstream")
	}
	tk := rated.Ticket
	if !slices.Equal(tk.Dossiers, want) || tk.Officer != "Phạm Thị D" || tk.Counter == nil || *tk.Counter != 2 ||
		rated.Counter == nil || rated.Counter.ID != 2 || rated.Score != 1 || rated.Reason != "Hẹn trả trễ" {
		t.Errorf("ticket.rated upstream: got ticket %+v counter %+v score %d reason %q", tk, rated.Counter, rated.Score, rated.Reason)
	}
}
