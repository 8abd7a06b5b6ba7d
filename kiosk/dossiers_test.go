package kiosk_test

import (
	"slices"
	"testing"

	"motcua/kiosk"
	"motcua/kiosk/queue"
)

// Dossiers linked at a counter are in the log: a room opened again on the
// same directory has them on the ticket, and the rating after a restart
// carries them.
func TestDossiersReplayed(t *testing.T) {
	dir := t.TempDir()
	clk := newClock()
	room, log := openRoom(t, dir, clk)
	if _, err := room.Do(func(e *queue.Engine) ([]queue.Event, error) { return e.Issue("dat-dai", false) }); err != nil {
		t.Fatal(err)
	}
	act(t, room, kiosk.Action{Name: "open", Counter: 1, Officer: "Lê Văn C"})
	act(t, room, kiosk.Action{Name: "next", Counter: 1})
	act(t, room, kiosk.Action{Name: "dossier", Counter: 1, Dossier: "000.00.12.h56-261203-0001"})
	act(t, room, kiosk.Action{Name: "dossier", Counter: 1, Dossier: "000.00.12.H56-261203-0002"})
	if err := log.Close(); err != nil {
		t.Fatal(err)
	}
	again, _ := openRoom(t, dir, clk)
	want := []string{"000.00.12.H56-261203-0001", "000.00.12.H56-261203-0002"}
	st, err := kiosk.View(again, (*queue.Engine).State)
	if err != nil {
		t.Fatal(err)
	}
	s := st.Counters[0].Serving
	if s == nil || !slices.Equal(s.Dossiers, want) {
		t.Fatalf("serving after restart: got %+v, want dossiers %v", s, want)
	}
	act(t, again, kiosk.Action{Name: "done", Counter: 1})
	evs := act(t, again, kiosk.Action{Name: "rating", Counter: 1, Score: 2, Reason: "Chờ lâu"})
	rated := evs[len(evs)-1]
	if rated.Name != queue.TicketRated || !slices.Equal(rated.Ticket.Dossiers, want) ||
		rated.Ticket.Officer != "Lê Văn C" || rated.Ticket.Counter == nil || *rated.Ticket.Counter != 1 || rated.Counter.ID != 1 {
		t.Errorf("rated: got %+v (counter %+v), want dossiers %v, officer and counter 1", rated.Ticket, rated.Counter, want)
	}
}
