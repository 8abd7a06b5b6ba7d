package api

import (
	"net/http"
	"strconv"

	"motcua/citizenpage"
	"motcua/kiosk"
	"motcua/kiosk/queue"
)

// The citizen's page is polled by phones; each address may ask this often
// (per minute) with this burst, which a page polling every few seconds
// never reaches and a guesser soon does.
const (
	publicRate  = 120
	publicBurst = 30
)

// publicRoutes adds the citizen's own page of a ticket, which needs no
// token: the ticket's public id is the secret.
//
//	GET /t/{public}              the phone page (pages serves it)
//	GET /api/v1/public/{public}  the same as JSON
//
// Both answer 404 for an id that is not one of today's tickets, after the
// same work as for a known one, and 429 past the rate of one address.
func (s *Server) publicRoutes(pages http.Handler) {
	lim := newLimiter(publicRate, publicBurst)
	limited := func(w http.ResponseWriter, r *http.Request) bool {
		if wait, ok := lim.allow(0, host(r.RemoteAddr)); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds()+0.999)))
			writeError(w, http.StatusTooManyRequests, "rate_limited", "too many requests from this address; wait a moment")
			return true
		}
		return false
	}
	s.mux.HandleFunc("GET /api/v1/public/{public}", func(w http.ResponseWriter, r *http.Request) {
		if limited(w, r) {
			return
		}
		p, ok, err := s.publicTicket(r.PathValue("public"))
		switch {
		case err != nil:
			s.storeError(w, err)
		case !ok:
			writeError(w, http.StatusNotFound, "unknown_ticket", "no ticket of today has this id")
		default:
			writeJSON(w, http.StatusOK, p)
		}
	})
	s.mux.HandleFunc("GET /t/{public}", func(w http.ResponseWriter, r *http.Request) {
		if limited(w, r) {
			return
		}
		_, ok, err := s.publicTicket(r.PathValue("public"))
		switch {
		case err != nil:
			s.storeError(w, err)
		case !ok || pages == nil:
			citizenpage.NotFound(w)
		default:
			pages.ServeHTTP(w, r)
		}
	})
}

// publicTicket finds today's ticket of a public id and what its page shows.
func (s *Server) publicTicket(public string) (queue.PublicTicket, bool, error) {
	valid := queue.ValidPublic(public)
	if !valid {
		public = "" // compared all the same, so a malformed id costs as much
	}
	type found struct {
		t  *queue.Ticket
		ok bool
	}
	f, err := kiosk.View(s.room, func(e *queue.Engine) found {
		t, ok := e.ByPublic(public)
		return found{t, ok}
	})
	if err != nil || !f.ok || !valid {
		return queue.PublicTicket{}, false, err
	}
	cfg := s.room.Config()
	service, counter := f.t.Service, ""
	if sc := cfg.Service(f.t.Service); sc != nil {
		service = sc.Name
	}
	if f.t.Counter != nil {
		if cc := cfg.Counter(*f.t.Counter); cc != nil {
			counter = cc.Name
		}
	}
	return f.t.PublicView(cfg.Unit.Name, service, counter), true, nil
}
