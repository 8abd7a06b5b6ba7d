package main

import (
	"context"
	"log/slog"

	"encoding/json"
	"errors"
	"io"
	"motcua/kiosk/report"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"

	"motcua/display/sim"
	"motcua/kiosk"
	"motcua/kiosk/api"
	"motcua/kiosk/config"
	"motcua/kiosk/daemon"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/queue"
)

// deviceRoutes adds the endpoints of the room's devices to the API; they
// reach the devices in force through cur, which a reload replaces.
//
//	POST /api/v1/tickets/{id}/reprint   admin: print a ticket again
//	GET  /api/v1/prints                 admin: today's tickets that did not print
//	GET  /api/v1/sim                    any token: simulated displays and printed tickets
//	GET  /api/v1/sim/printer/{file}     any token: one simulated ticket as PNG
//	POST /api/v1/sim/press              kiosk, admin: press a simulated ticket button
func deviceRoutes(d *daemon.Daemon, cur *atomic.Pointer[rig]) {
	a := d.API
	a.Handle("POST /api/v1/tickets/{id}/reprint", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rg := cur.Load()
		if rg == nil || rg.printing == nil {
			api.WriteError(w, http.StatusNotFound, "no_printer", "this room has no printer; add a [printer] section")
			return
		}
		err := rg.printing.Reprint(r.Context(), r.PathValue("id"))
		switch {
		case errors.Is(err, kiosk.ErrNoTicket):
			api.WriteError(w, http.StatusNotFound, "unknown_ticket", "no ticket with this id")
		case err != nil:
			api.WriteError(w, http.StatusBadGateway, "not_printed", "the printer did not print it: "+err.Error())
		default:
			api.WriteJSON(w, http.StatusOK, map[string]bool{"printed": true})
		}
	}), config.RoleAdmin)
	a.Handle("GET /api/v1/prints", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rg := cur.Load()
		list := []eventlog.PrintRecord{}
		if rg != nil && rg.printing != nil {
			un, err := rg.printing.Unprinted(r.Context())
			if err != nil {
				api.WriteError(w, http.StatusServiceUnavailable, "store_unavailable", err.Error())
				return
			}
			list = append(list, un...)
		}
		slices.SortFunc(list, func(a, b eventlog.PrintRecord) int { return strings.Compare(a.Ticket, b.Ticket) })
		api.WriteJSON(w, http.StatusOK, map[string]any{"unprinted": list})
	}), config.RoleAdmin)

	a.Handle("GET /api/v1/sim", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rg := cur.Load()
		out := struct {
			Displays []sim.State `json:"displays"`
			Printed  []string    `json:"printed"`
		}{Displays: []sim.State{}, Printed: []string{}}
		if rg != nil && rg.simDisplay != nil {
			out.Displays = rg.simDisplay.Snapshot()
		}
		if rg != nil && rg.simPrinter != "" {
			files, _ := filepath.Glob(filepath.Join(rg.simPrinter, "*.png"))
			for _, f := range files {
				out.Printed = append(out.Printed, "/api/v1/sim/printer/"+filepath.Base(f))
			}
		}
		api.WriteJSON(w, http.StatusOK, out)
	}))
	a.Handle("GET /api/v1/sim/printer/{file}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rg := cur.Load()
		name := r.PathValue("file")
		if rg == nil || rg.simPrinter == "" || filepath.Base(name) != name || !strings.HasSuffix(name, ".png") {
			api.WriteError(w, http.StatusNotFound, "not_found", "no such simulated ticket")
			return
		}
		f, err := os.Open(filepath.Join(rg.simPrinter, name))
		if err != nil {
			api.WriteError(w, http.StatusNotFound, "not_found", "no such simulated ticket")
			return
		}
		defer f.Close()
		w.Header().Set("Content-Type", "image/png")
		io.Copy(w, f)
	}))
	a.Handle("POST /api/v1/sim/press", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Service  string `json:"service"`
			Priority bool   `json:"priority"`
		}
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			api.WriteError(w, http.StatusBadRequest, "bad_request", `send {"service":"dat-dai","priority":false}`)
			return
		}
		rg := cur.Load()
		if rg == nil {
			api.WriteError(w, http.StatusServiceUnavailable, "no_devices", "the devices are restarting; try again")
			return
		}
		t, perr, err := rg.press(r.Context(), req.Service, req.Priority)
		if err != nil {
			code := queue.Code(err)
			if code == "" {
				code = "store_unavailable"
			}
			api.WriteError(w, http.StatusBadRequest, code, err.Error())
			return
		}
		out := map[string]any{"ticket": t, "printed": perr == nil && rg.printing != nil}
		if perr != nil {
			out["print_error"] = perr.Error()
		}
		api.WriteJSON(w, http.StatusCreated, out)
	}), config.RoleKiosk, config.RoleAdmin)
}

// reportRoutes serves GET /api/v1/reports to admins and keeps the cache of
// finished days warm: at start and whenever a new day starts. It returns
// the handler, which a reload reconfigures, and a function that stops it.
func reportRoutes(ctx context.Context, d *daemon.Daemon, cfg *config.Config, log *slog.Logger) (rh *report.Handler, stop func() error) {
	rh = report.NewHandler(d.Log.DB(), cfg)
	d.API.Handle("GET /api/v1/reports", rh, config.RoleAdmin)
	warm := make(chan struct{}, 1)
	warm <- struct{}{}
	d.Subscribe(func(recs []eventlog.Record) {
		for _, r := range recs {
			if r.Event != nil && r.Event.Name == queue.DayStarted {
				select {
				case warm <- struct{}{}:
				default:
				}
			}
		}
	})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case <-warm:
				if n, err := rh.Warm(ctx); err != nil && ctx.Err() == nil {
					log.Warn("report cache", "err", err)
				} else if n > 0 {
					log.Info("report cache filled", "days", n)
				}
			}
		}
	}()
	return rh, func() error {
		<-done
		return rh.Close()
	}
}
