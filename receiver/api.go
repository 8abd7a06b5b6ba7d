package receiver

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/jonboulle/clockwork"

	"motcua/uplinkproto"
)

// UnitStatus is one unit as the page and /api/units show it.
type UnitStatus struct {
	Unit      string             `json:"unit"`
	Connected bool               `json:"connected"`
	Addr      string             `json:"addr,omitempty"`
	Ack       int64              `json:"ack"`
	LagEvents int64              `json:"lag_events"`
	LastEvent string             `json:"last_event_at,omitempty"`
	LagSecs   float64            `json:"last_event_age_s"`
	LastSeen  time.Time          `json:"last_seen"`
	Lost      int64              `json:"lost_events"`
	State     *uplinkproto.State `json:"state"`
}

// Units returns every unit's status, sorted by id. The states are
// copies.
func (s *Server) Units() []UnitStatus {
	s.mu.Lock()
	units := make([]*unit, 0, len(s.units))
	for _, u := range s.units {
		units = append(units, u)
	}
	s.mu.Unlock()
	slices.SortFunc(units, func(a, b *unit) int { return strings.Compare(a.id, b.id) })
	now := s.clk.Now()
	out := make([]UnitStatus, 0, len(units))
	for _, u := range units {
		u.mu.Lock()
		st := UnitStatus{Unit: u.id, Connected: u.conn != nil, Ack: u.ack, LagEvents: max(u.known-u.ack, 0),
			LastEvent: u.lastAt, LastSeen: u.lastSeen, Lost: u.lost}
		if u.conn != nil {
			st.Addr = u.conn.addr
		}
		if t, err := time.Parse(time.RFC3339Nano, u.lastAt); err == nil {
			st.LagSecs = now.Sub(t).Seconds()
		}
		if u.state != nil {
			// A deep copy through JSON: the page renders outside the lock.
			if b, err := json.Marshal(u.state); err == nil {
				var cp uplinkproto.State
				if json.Unmarshal(b, &cp) == nil {
					st.State = &cp
				}
			}
		}
		u.mu.Unlock()
		out = append(out, st)
	}
	return out
}

func (s *Server) apiUnits(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"units": s.Units()})
}

// commandTimeout is how long POST /api/units/{unit}/commands waits for
// the unit's result.
const commandTimeout = 15 * time.Second

// apiCommand sends a command to a unit and answers with its result.
func (s *Server) apiCommand(w http.ResponseWriter, r *http.Request) {
	if !isJSON(r) {
		apiError(w, http.StatusUnsupportedMediaType, "bad_request", "send the command as Content-Type: application/json")
		return
	}
	var body struct {
		Name    string `json:"name"`
		Counter int    `json:"counter"`
		Reason  string `json:"reason"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&body); err != nil {
		apiError(w, http.StatusBadRequest, "bad_request", `body must be {"name":"counter.next","counter":1}`)
		return
	}
	ctx, cancel := clockwork.WithTimeout(r.Context(), s.clk, commandTimeout)
	defer cancel()
	m, err := s.Command(ctx, r.PathValue("unit"), body.Name, body.Counter, body.Reason)
	if errors.Is(err, ErrBadCommand) {
		apiError(w, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	if err != nil {
		apiError(w, http.StatusBadGateway, "unit_unreachable", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(m.Raw)
}

// apiError answers with the API's error body.
func apiError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg}})
}
