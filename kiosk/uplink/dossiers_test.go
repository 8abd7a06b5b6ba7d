package uplink_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"motcua/kiosk"
	"motcua/kiosk/queue"
	"motcua/kiosk/uplink"
	"motcua/receiver"
	"motcua/uplinkproto"
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

// TestDossierStatus asks the receiver for dossiers' status over the
// uplink: answered from the receiver's file source, unknown there, and
// asked of a receiver without a source or while not connected.
func TestDossierStatus(t *testing.T) {
	const code = "000.00.12.H56-261203-0001"
	file := filepath.Join(t.TempDir(), "dossiers.json")
	if err := os.WriteFile(file, []byte(`{"`+code+`":{"status":"Đã có kết quả","due":"2026-12-10"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	u := newUnit(t)
	u.issue(t, 1)

	c, _ := startClient(t, u, "ws://127.0.0.1:1/ingest", nil) // nobody there
	if _, err := c.DossierStatus(context.Background(), code); !errors.Is(err, uplink.ErrOffline) {
		t.Errorf("not connected: got %v, want ErrOffline", err)
	}

	r := newReceiver(t, u.cfg.Unit.ID, func(o *receiver.Options) { o.Dossiers = receiver.FileDossiers{Path: file} })
	c, a := startClient(t, u, r.url, nil)
	a.waitFor(t, u.log.Durable())
	d, err := c.DossierStatus(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	if want := (uplinkproto.Dossier{Code: code, Status: "Đã có kết quả", Due: "2026-12-10"}); *d != want {
		t.Errorf("got %+v, want %+v", *d, want)
	}
	if _, err := c.DossierStatus(context.Background(), "000.00.12.H56-261203-0002"); !errors.Is(err, uplink.ErrNoStatus) || !strings.Contains(err.Error(), "unknown_dossier") {
		t.Errorf("unknown dossier: got %v, want ErrNoStatus unknown_dossier", err)
	}

	r2 := newReceiver(t, u.cfg.Unit.ID)
	c2, a2 := startClient(t, u, r2.url, nil)
	a2.waitFor(t, u.log.Durable())
	if _, err := c2.DossierStatus(context.Background(), code); !errors.Is(err, uplink.ErrNoStatus) || !strings.Contains(err.Error(), "no_adapter") {
		t.Errorf("no source: got %v, want ErrNoStatus no_adapter", err)
	}
}
