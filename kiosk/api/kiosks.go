package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"motcua/kiosk"
	"motcua/kiosk/config"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/queue"
	"motcua/kiosk/scan"
)

// deviceNameRe is a satellite's device name: "printer", "scanner",
// "button GPIO17".
var deviceNameRe = regexp.MustCompile(`^[a-z][a-zA-Z0-9 _-]{0,31}$`)

// kioskRoutes are the endpoints of kiosks and their satellites:
//
//	GET  /api/v1/kiosk               kiosk: the token's kiosk {"id","name","satellite","now"}
//	GET  /api/v1/devices?kiosk=ID    any token: the devices and their status, of one kiosk with ?kiosk
//	POST /api/v1/kiosks/{id}/devices kiosk of id, admin: a device's status {"name","status","detail"}
//	POST /api/v1/kiosks/{id}/prints  kiosk of id, admin: a ticket's print outcome {"ticket","printed","detail"}
//	POST /api/v1/kiosks/{id}/scans   kiosk of id, admin: a code read by the kiosk's scanner {"text"}
func (s *Server) kioskRoutes() {
	m := s.mux
	m.HandleFunc("GET /api/v1/kiosk", s.auth(s.whichKiosk, config.RoleKiosk))
	m.HandleFunc("GET /api/v1/devices", s.auth(s.devices))
	m.HandleFunc("POST /api/v1/kiosks/{id}/devices", s.auth(s.kioskDevice, config.RoleKiosk, config.RoleAdmin))
	m.HandleFunc("POST /api/v1/kiosks/{id}/prints", s.auth(s.kioskPrint, config.RoleKiosk, config.RoleAdmin))
	m.HandleFunc("POST /api/v1/kiosks/{id}/scans", s.auth(s.kioskScan, config.RoleKiosk, config.RoleAdmin))
}

// kioskOut is a kiosk as GET /api/v1/kiosk shows it; id "" is the unit's
// own kiosk. Now is the daemon's time, by which a satellite, whose clock
// may differ, judges how old a ticket is.
type kioskOut struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Satellite bool      `json:"satellite"`
	Now       time.Time `json:"now"`
}

func (s *Server) whichKiosk(w http.ResponseWriter, r *http.Request, p *principal) {
	cfg := s.room.Config()
	out := kioskOut{ID: p.kiosk, Name: cfg.Unit.Name, Now: s.now().In(cfg.Location)}
	if k := cfg.Kiosk(p.kiosk); k != nil {
		out.Name, out.Satellite = k.Name, k.Satellite
	}
	writeJSON(w, http.StatusOK, out)
}

// kioskOf answers for a request about kiosk {id}: the kiosk, or false
// once it answered 404 (no such [[kiosk]]) or 403 (a kiosk token of
// another kiosk).
func (s *Server) kioskOf(w http.ResponseWriter, r *http.Request, p *principal) (*config.Kiosk, bool) {
	id := r.PathValue("id")
	k := s.room.Config().Kiosk(id)
	if k == nil {
		writeError(w, http.StatusNotFound, "unknown_kiosk", "no [[kiosk]] has this id; see the daemon's configuration")
		return nil, false
	}
	if p.role == config.RoleKiosk && p.kiosk != id {
		writeError(w, http.StatusForbidden, "other_kiosk", "this kiosk token belongs to another kiosk; use the token whose kiosk = \""+id+"\"")
		return nil, false
	}
	return k, true
}

// kioskDevice takes the status of a satellite's device: it becomes the
// device "NAME ID" of the state (a device.status event), as the daemon's
// own devices are, so the admin page, the metrics and the uplink show it.
func (s *Server) kioskDevice(w http.ResponseWriter, r *http.Request, p *principal) {
	k, ok := s.kioskOf(w, r, p)
	if !ok {
		return
	}
	var req queue.Device
	if !readJSON(w, r, &req) || !checkText(w, "detail", req.Detail, maxReason) {
		return
	}
	if !deviceNameRe.MatchString(req.Name) {
		writeError(w, http.StatusBadRequest, "bad_request", `"name" is the device's name, 1 to 32 letters, digits, spaces, - or _, starting with a lower-case letter, such as "printer"`)
		return
	}
	if !slices.Contains([]string{queue.DeviceOK, queue.DeviceWarning, queue.DeviceError}, req.Status) {
		writeError(w, http.StatusBadRequest, "bad_request", `"status" is "ok", "warning" or "error"`)
		return
	}
	req.Name += " " + k.ID
	req.Kiosk = k.ID
	if err := s.room.SetDevice(req); err != nil {
		s.storeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, req)
}

// kioskPrint records whether a satellite printed a ticket of its kiosk,
// as the daemon's own printers do: a ticket not printed is listed for a
// reprint on the admin page. Recording it again replaces the outcome.
func (s *Server) kioskPrint(w http.ResponseWriter, r *http.Request, p *principal) {
	k, ok := s.kioskOf(w, r, p)
	if !ok {
		return
	}
	var req struct {
		Ticket  string `json:"ticket"`
		Printed bool   `json:"printed"`
		Detail  string `json:"detail"`
	}
	if !readJSON(w, r, &req) || !checkText(w, "ticket", req.Ticket, maxID) || !checkText(w, "detail", req.Detail, maxReason) {
		return
	}
	t, err := s.room.Ticket(r.Context(), req.Ticket)
	if errors.Is(err, kiosk.ErrNoTicket) {
		writeError(w, http.StatusNotFound, "unknown_ticket", "no ticket with this id")
		return
	}
	if err != nil {
		s.storeError(w, err)
		return
	}
	if t.Kiosk != k.ID {
		writeError(w, http.StatusConflict, "other_kiosk", "this ticket was issued at another kiosk, which prints it")
		return
	}
	state := eventlog.PrintPrinted
	if !req.Printed {
		state = eventlog.PrintUnprinted
	}
	if err := s.room.Log().SetPrint(r.Context(), t.ID, t.Day, state, req.Detail, s.now().In(s.room.Config().Location)); err != nil {
		s.storeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ticket": t.ID, "printed": req.Printed})
}

// maxScan is the longest code a satellite's scanner may send, in
// characters: a CCCD QR code is about 100, a receipt's under 200.
const maxScan = 2048

// kioskScan takes a code read by a satellite's scanner as a scan at that
// kiosk: a booking checks in and prints there, an ID card waits for that
// kiosk's page, as with a scanner of this daemon. 202: handed over; what
// came of it goes to the kiosk's pages.
func (s *Server) kioskScan(w http.ResponseWriter, r *http.Request, p *principal) {
	k, ok := s.kioskOf(w, r, p)
	if !ok {
		return
	}
	var req struct {
		Text string `json:"text"`
	}
	if !readJSON(w, r, &req) || !checkText(w, "text", req.Text, maxScan) {
		return
	}
	if strings.TrimSpace(req.Text) == "" {
		writeError(w, http.StatusBadRequest, "bad_request", `"text" is the code the scanner read`)
		return
	}
	if s.rateLimited(w, r, p) {
		return
	}
	// What the scan starts (a dossier lookup) outlives the request.
	s.Scan(context.WithoutCancel(r.Context()), scan.Place{Kiosk: k.ID}, req.Text)
	writeJSON(w, http.StatusAccepted, map[string]string{"scanner": scan.Place{Kiosk: k.ID}.String()})
}

// reprintAtSatellite passes the reprint of a satellite kiosk's ticket to
// the satellite, over its websocket ({"type":"reprint","ticket":...}), and
// answers 202 {"printed":false,"satellite":"ID"}: the satellite reports
// the outcome as the ticket's print record. It reports false, answering
// nothing, for a ticket of another kiosk (or none).
func (s *Server) reprintAtSatellite(w http.ResponseWriter, r *http.Request) bool {
	t, err := s.room.Ticket(r.Context(), r.PathValue("id"))
	if err != nil {
		return false // the printer's reprint answers it
	}
	k := s.room.Config().Kiosk(t.Kiosk)
	if k == nil || !k.Satellite || s.hub == nil {
		return false
	}
	data, err := json.Marshal(struct {
		Type   string        `json:"type"`
		Ticket *queue.Ticket `json:"ticket"`
	}{"reprint", t})
	if err != nil {
		s.storeError(w, err)
		return true
	}
	s.hub.Notify(KioskGroup(k.ID), data)
	writeJSON(w, http.StatusAccepted, map[string]any{"printed": false, "satellite": k.ID})
	return true
}

// devices answers GET /api/v1/devices: the state's devices, each with its
// kiosk; ?kiosk=ID keeps those of one [[kiosk]] (?kiosk= those of the
// unit's own and the room's).
func (s *Server) devices(w http.ResponseWriter, r *http.Request, _ *principal) {
	st, err := kiosk.View(s.room, (*queue.Engine).State)
	if err != nil {
		s.storeError(w, err)
		return
	}
	out := []queue.Device{}
	only, filter := r.URL.Query()["kiosk"]
	for _, d := range st.Devices {
		if !filter || d.Kiosk == only[0] {
			out = append(out, d)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"devices": out})
}
