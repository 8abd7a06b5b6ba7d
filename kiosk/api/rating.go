package api

import (
	"encoding/json"
	"net/http"

	"motcua/kiosk/config"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/queue"
)

func (s *Server) ratingRoutes() {
	s.mux.HandleFunc("GET /api/v1/rating", s.auth(s.ratingSet))
	s.mux.HandleFunc("GET /api/v1/ratings/follow-up", s.auth(s.followUps, config.RoleAdmin))
}

// ratingSet answers what the rating page asks: the scale's labels (best
// first), the questions (none: one overall question) and the highest
// score that is not satisfied.
func (s *Server) ratingSet(w http.ResponseWriter, _ *http.Request, _ *principal) {
	r := s.room.Config().Rating
	writeJSON(w, http.StatusOK, config.Rating{Scale: r.Levels(), Questions: append([]string{}, r.Questions...), NotSatisfied: r.Low()})
}

// followUp is a rating flagged for follow-up, as the admin page lists it.
type followUp struct {
	Seq      int64          `json:"seq"`
	At       string         `json:"at"`
	Ticket   string         `json:"ticket"`
	Number   string         `json:"number"`
	Counter  *int           `json:"counter"`
	Officer  string         `json:"officer,omitempty"`
	Dossiers []string       `json:"dossiers,omitempty"`
	Score    int            `json:"score"`
	Answers  []queue.Answer `json:"answers,omitempty"`
	Reason   string         `json:"reason,omitempty"`
}

// followUps lists the current day's ratings flagged for follow-up, oldest
// first, from the log.
func (s *Server) followUps(w http.ResponseWriter, r *http.Request, _ *principal) {
	log := s.room.Log()
	start, err := log.DayStart(r.Context())
	if err != nil {
		s.storeError(w, err)
		return
	}
	out := []followUp{}
	_, err = log.Since(r.Context(), max(start-1, 0), 0, func(rec eventlog.Record) error {
		var ev queue.Event
		if err := json.Unmarshal(rec.Data, &ev); err != nil || ev.Name != queue.TicketRated || !ev.FollowUp || ev.Ticket == nil {
			return nil
		}
		t := ev.Ticket
		out = append(out, followUp{Seq: ev.Seq, At: ev.At.Format("15:04"), Ticket: t.ID, Number: t.Number, Counter: t.Counter,
			Officer: t.Officer, Dossiers: t.Dossiers, Score: ev.Score, Answers: ev.Answers, Reason: ev.Reason})
		return nil
	})
	if err != nil {
		s.storeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"follow_ups": out})
}
