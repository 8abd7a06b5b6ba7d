package unit

import (
	"context"
	"testing"

	"motcua/kiosk"
	"motcua/kiosk/config"
	"motcua/kiosk/queue"
)

// TestRatingKeysOnFiveLevels rates with a four-key rating keypad on a
// province's five-level scale: the keys keep their meaning (very
// satisfied is the best level, neutral "Bình thường", dissatisfied the
// worst and flagged for follow-up) instead of their four-level scores.
func TestRatingKeysOnFiveLevels(t *testing.T) {
	dir := t.TempDir()
	cfg, err := config.Parse("unit.toml", []byte(simTOML(dir)+`[rating]
scale = ["Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng", "Rất không hài lòng"]
`))
	if err != nil {
		t.Fatal(err)
	}
	u, run := newSimUnit(t, cfg)
	run()
	if _, err := u.d.Room.Act(kiosk.Action{Name: "open", Counter: 1, Officer: "Lê Văn C"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key, score int
		followUp   bool
	}{
		{4, 5, false},
		{3, 4, false},
		{2, 3, false},
		{1, 1, true},
	}
	for _, tt := range tests {
		evs, err := u.d.Room.Do(func(e *queue.Engine) ([]queue.Event, error) { return e.Issue("dat-dai", false) })
		if err != nil {
			t.Fatal(err)
		}
		id := evs[len(evs)-1].Ticket.ID
		for _, a := range []string{"next", "done"} {
			if _, err := u.d.Room.Act(kiosk.Action{Name: a, Counter: 1}); err != nil {
				t.Fatal(err)
			}
		}
		u.devs.Load().rate(1, tt.key)
		ev, err := u.d.Log.Ticket(context.Background(), id)
		if err != nil || ev == nil || ev.Name != queue.TicketRated || ev.Score != tt.score || ev.FollowUp != tt.followUp {
			t.Errorf("key %d: got %+v (%v), want ticket.rated score %d follow_up %v", tt.key, ev, err, tt.score, tt.followUp)
		}
	}
}
