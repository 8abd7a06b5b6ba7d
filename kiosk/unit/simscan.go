package unit

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"motcua/kiosk/api"
	"motcua/kiosk/config"
	"motcua/kiosk/scan"
)

// handleSimScan adds POST /api/v1/sim/scan {"text":"...","scanner":"kiosk"}
// (admin): a scan at a simulated scanner ("kiosk", or "counter N"), for
// the demo and tests. 404 no_sim_scanner when none is configured there.
func (u *Unit) handleSimScan() {
	u.d.API.Handle("POST /api/v1/sim/scan", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Text    string `json:"text"`
			Scanner string `json:"scanner"`
		}
		if !api.ReadJSON(w, r, &req) {
			return
		}
		place, ok := simPlace(req.Scanner)
		if !ok || req.Text == "" || len(req.Text) > scan.MaxLen {
			api.WriteError(w, http.StatusBadRequest, "bad_request", `give {"text":"...","scanner":"kiosk"} (or "counter N"); text up to 4096 bytes`)
			return
		}
		err := u.SimScan(place, req.Text)
		switch {
		case errors.Is(err, ErrNoSimScanner):
			api.WriteError(w, http.StatusNotFound, "no_sim_scanner", err.Error())
		case err != nil:
			api.WriteError(w, http.StatusServiceUnavailable, "scanner_unavailable", err.Error())
		default:
			api.WriteJSON(w, http.StatusAccepted, map[string]string{"scanner": place.String()})
		}
	}), config.RoleAdmin)
}

// simPlace reads "kiosk" ("" too), "kiosk ID" (a [[kiosk]]'s) or
// "counter N".
func simPlace(s string) (scan.Place, bool) {
	s = strings.TrimSpace(s)
	if s == "" || s == "kiosk" {
		return scan.Kiosk, true
	}
	if id, ok := strings.CutPrefix(s, "kiosk "); ok {
		return scan.Place{Kiosk: strings.TrimSpace(id)}, true
	}
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(s, "counter")))
	if !strings.HasPrefix(s, "counter") || err != nil || n <= 0 {
		return scan.Place{}, false
	}
	return scan.Place{Counter: n}, true
}
