package api

import (
	"net/http"
	"strconv"

	"motcua/kiosk/config"
)

// Defaults of the counter actions' limit, for configurations built in
// code without them (a parsed file has them filled in).
const (
	defaultCounterRate  = 60
	defaultCounterBurst = 20
)

// newCounterLimiter limits counter actions per token and source address:
// an officer takes a few a minute, a script in a pause/resume loop
// hundreds a second, each an event in the day's log.
func newCounterLimiter(s config.Server) *limiter {
	rate, burst := s.CounterRate, s.CounterBurst
	if rate <= 0 {
		rate = defaultCounterRate
	}
	if burst <= 0 {
		burst = defaultCounterBurst
	}
	return newLimiter(rate, burst)
}

// allowCounter takes one action from p's allowance at r's address; past
// it, it answers 429 and reports false. Admin tokens are not limited.
func (s *Server) allowCounter(w http.ResponseWriter, r *http.Request, p *principal) bool {
	if p.role == config.RoleAdmin {
		return true
	}
	wait, ok := s.authz.Load().counters.allow(p.index, host(r.RemoteAddr))
	if ok {
		return true
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds()+0.999)))
	writeError(w, http.StatusTooManyRequests, "rate_limited",
		"too many counter actions from this token; wait a moment and try again")
	return false
}
