package api

import (
	"net/http"

	"motcua/kiosk/config"
	"motcua/kiosk/connlimit"
)

// guard runs before every handler, pages included, and reports false
// when it answered itself:
//   - a Host that is not the daemon's is answered 421 (DNS rebinding);
//   - a listed origin's preflight is answered, its requests marked for
//     it (CORS);
//   - an address that sent too many wrong tokens is answered 429, and a
//     wrong token is counted and logged;
//   - the connection limiter learns what the connection has shown: no
//     valid token, a screen's token, or a kiosk, counter or admin token,
//     which may use the places kept in reserve; a connection in a
//     reserved place without one is answered 503 and closed.
func (s *Server) guard(w http.ResponseWriter, r *http.Request) bool {
	a := s.authz.Load()
	if !a.hosts.allows(r) {
		writeError(w, http.StatusMisdirectedRequest, "host_not_allowed",
			"this daemon does not answer to the host name "+canonicalHost(r.Host)+"; add it to server.allowed_hosts")
		return false
	}
	if cors(w, r, a.origins) {
		return false
	}
	trust := connlimit.Anonymous
	if secret := Secret(r); secret != "" {
		p := a.keys.lookup(secret)
		if !s.checkFailures(w, r, a, p != nil) {
			return false
		}
		if p != nil {
			trust = connlimit.Screen
			if p.may(config.RoleKiosk, config.RoleCounter, config.RoleAdmin) {
				trust = connlimit.Privileged
			}
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
