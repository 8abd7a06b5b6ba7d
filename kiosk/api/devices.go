package api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"motcua/display/sim"
	"motcua/kiosk"
	"motcua/kiosk/config"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/queue"
)

// ErrNoPrinter is returned by a [Reprinter] of a room without a printer.
var ErrNoPrinter = errors.New("api: this room has no printer; add a [printer] section")

// Reprinter prints tickets again and lists those that did not print. A
// unit implements it over the printer in force, which a reload replaces.
type Reprinter interface {
	// Reprint prints ticket id again: ErrNoPrinter without a printer,
	// kiosk.ErrNoTicket for an id never issued.
	Reprint(ctx context.Context, id string) error
	// Unprinted lists today's tickets that did not print (none without
	// a printer).
	Unprinted(ctx context.Context) ([]eventlog.PrintRecord, error)
}

// Unprinted is one ticket of GET /api/v1/prints, in the API's words:
// snake_case names, times in the unit's time zone.
type Unprinted struct {
	Ticket   string    `json:"ticket"`   // the ticket's id
	State    string    `json:"state"`    // "unprinted"
	Detail   string    `json:"detail"`   // why it did not print
	Attempts int       `json:"attempts"` // prints tried
	At       time.Time `json:"at"`       // the last attempt
}

// Simulator is a room's simulated hardware, for the demo and tests.
type Simulator interface {
	// Simulated returns the simulated displays and the directory of the
	// simulated printer's PNG files (""); ok is false when no simulated
	// device is in force.
	Simulated() (displays []sim.State, printerDir string, ok bool)
	// Press presses a simulated ticket button of kiosk (a [[kiosk]] id,
	// "" the unit's own): a ticket of service is issued there (err when
	// none was) and printed on its printer (perr when it did not print;
	// printed false without a printer).
	Press(ctx context.Context, kiosk, service string, priority bool) (t *queue.Ticket, printed bool, perr, err error)
}

// HandleDevices adds the endpoints of a room's devices:
//
//	POST /api/v1/tickets/{id}/reprint   admin: print a ticket again
//	GET  /api/v1/prints                 admin: today's tickets that did not print
//	GET  /api/v1/sim                    any token: simulated displays and printed tickets
//	GET  /api/v1/sim/printer/{file}     any token: one simulated ticket as PNG
//	POST /api/v1/sim/press              kiosk, admin: press a simulated ticket button
//
// The /api/v1/sim endpoints answer 404, as an unknown endpoint does, while
// no simulated device is in force; a press has the kiosk's ticket limit.
func (s *Server) HandleDevices(rp Reprinter, sm Simulator) {
	s.Handle("POST /api/v1/tickets/{id}/reprint", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.reprintAtSatellite(w, r) {
			return
		}
		err := rp.Reprint(r.Context(), r.PathValue("id"))
		switch {
		case errors.Is(err, ErrNoPrinter):
			writeError(w, http.StatusNotFound, "no_printer", err.Error())
		case errors.Is(err, kiosk.ErrNoTicket):
			writeError(w, http.StatusNotFound, "unknown_ticket", "no ticket with this id")
		case err != nil:
			writeError(w, http.StatusBadGateway, "not_printed", "the printer did not print it: "+err.Error())
		default:
			writeJSON(w, http.StatusOK, map[string]bool{"printed": true})
		}
	}), config.RoleAdmin)
	s.Handle("GET /api/v1/prints", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		list, err := rp.Unprinted(r.Context())
		if err != nil {
			s.storeError(w, err)
			return
		}
		loc := s.room.Config().Location
		if loc == nil {
			loc = time.Local
		}
		out := make([]Unprinted, 0, len(list))
		for _, p := range list {
			out = append(out, Unprinted{Ticket: p.Ticket, State: p.State, Detail: p.Detail, Attempts: p.Attempts,
				At: p.At.In(loc).Truncate(time.Millisecond)})
		}
		slices.SortFunc(out, func(a, b Unprinted) int { return strings.Compare(a.Ticket, b.Ticket) })
		writeJSON(w, http.StatusOK, map[string]any{"unprinted": out})
	}), config.RoleAdmin)

	s.Handle("GET /api/v1/sim", simOnly(sm, func(w http.ResponseWriter, r *http.Request, displays []sim.State, dir string) {
		out := struct {
			Displays []sim.State `json:"displays"`
			Printed  []string    `json:"printed"`
		}{Displays: displays, Printed: []string{}}
		if out.Displays == nil {
			out.Displays = []sim.State{}
		}
		if dir != "" {
			files, _ := filepath.Glob(filepath.Join(dir, "*.png"))
			for _, f := range files {
				out.Printed = append(out.Printed, "/api/v1/sim/printer/"+filepath.Base(f))
			}
		}
		writeJSON(w, http.StatusOK, out)
	}))
	s.Handle("GET /api/v1/sim/printer/{file}", simOnly(sm, func(w http.ResponseWriter, r *http.Request, _ []sim.State, dir string) {
		name := r.PathValue("file")
		if dir == "" || filepath.Base(name) != name || !strings.HasSuffix(name, ".png") {
			writeError(w, http.StatusNotFound, "not_found", "no such simulated ticket")
			return
		}
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			writeError(w, http.StatusNotFound, "not_found", "no such simulated ticket")
			return
		}
		defer f.Close()
		w.Header().Set("Content-Type", "image/png")
		io.Copy(w, f)
	}))
	s.mux.HandleFunc("POST /api/v1/sim/press", s.auth(func(w http.ResponseWriter, r *http.Request, p *principal) {
		if _, _, ok := sm.Simulated(); !ok {
			notFound(w, r)
			return
		}
		var req struct {
			Service  string `json:"service"`
			Priority bool   `json:"priority"`
		}
		if !readJSON(w, r, &req) {
			return
		}
		if req.Service == "" {
			writeError(w, http.StatusBadRequest, "bad_request", `send {"service":"dat-dai","priority":false}`)
			return
		}
		if !checkText(w, "service", req.Service, maxID) {
			return
		}
		if s.rateLimited(w, r, p) {
			return
		}
		t, printed, perr, err := sm.Press(r.Context(), p.kiosk, req.Service, req.Priority)
		if err != nil {
			s.engineError(w, err)
			return
		}
		out := map[string]any{"ticket": t, "printed": printed}
		if perr != nil {
			out["print_error"] = perr.Error()
		}
		writeJSON(w, http.StatusCreated, out)
	}, config.RoleKiosk, config.RoleAdmin))
}

// simOnly serves h while a simulated device is in force, and answers 404
// otherwise.
func simOnly(sm Simulator, h func(w http.ResponseWriter, r *http.Request, displays []sim.State, dir string)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		displays, dir, ok := sm.Simulated()
		if !ok {
			notFound(w, r)
			return
		}
		h(w, r, displays, dir)
	})
}

func notFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotFound, "not_found", "no such API endpoint: "+r.Method+" "+r.URL.Path+"; see docs/api.md")
}
