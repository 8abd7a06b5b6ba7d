package api

import (
	"net/http"

	"motcua/kiosk/config"
	"motcua/kiosk/connlimit"
)

// guard runs before every handler, pages included. It tells the
// connection limiter what the request's connection has shown: no valid
// token, a screen's token, or a kiosk, counter or admin token, which may
// use the places kept in reserve. It answers 503 itself and reports false
// when the connection took a reserved place without such a token.
func (s *Server) guard(w http.ResponseWriter, r *http.Request) bool {
	a := s.authz.Load()
	trust := connlimit.Anonymous
	if p := a.keys.lookup(Secret(r)); p != nil {
		trust = connlimit.Screen
		if p.may(config.RoleKiosk, config.RoleCounter, config.RoleAdmin) {
			trust = connlimit.Privileged
		}
	}
	if !connlimit.Vouch(r.Context(), trust) {
		w.Header().Set("Connection", "close")
		w.Header().Set("Retry-After", "5")
		writeError(w, http.StatusServiceUnavailable, "server_busy",
			"every connection is taken; the last ones are kept for kiosks, counters and the admin. Try again in a few seconds")
		return false
	}
	return true
}
