package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"motcua/kiosk/catalogue"
	"motcua/kiosk/config"
	"motcua/kiosk/queue"
)

// searchLimit is how many procedures a search answers at most, unless
// the request asks for fewer.
const searchLimit = 50

// catalogueRoutes adds the procedure catalogue's endpoints:
//
//	GET /api/v1/catalogue               any token: version, import time, fields
//	PUT /api/v1/catalogue               admin: import a catalogue file
//	GET /api/v1/procedures?q=&field=    any token: search or browse
//	GET /api/v1/procedures/{code}       any token: one procedure
func (s *Server) catalogueRoutes() {
	m := s.mux
	m.HandleFunc("GET /api/v1/catalogue", s.auth(s.catalogueInfo))
	m.HandleFunc("PUT /api/v1/catalogue", s.auth(s.importCatalogue, config.RoleAdmin))
	m.HandleFunc("GET /api/v1/procedures", s.auth(s.procedures))
	m.HandleFunc("GET /api/v1/procedures/{code}", s.auth(s.procedure))
}

// catalogueSummary is the answer of GET and PUT /api/v1/catalogue.
type catalogueSummary struct {
	Version    string                 `json:"version"`
	ImportedAt *time.Time             `json:"imported_at"`
	Procedures int                    `json:"procedures"`
	Fields     []catalogue.FieldCount `json:"fields"`
}

func summary(x *catalogue.Index) catalogueSummary {
	out := catalogueSummary{Version: x.Version(), Procedures: x.Len(), Fields: x.Fields()}
	if t := x.Imported(); !t.IsZero() {
		out.ImportedAt = &t
	}
	if out.Fields == nil {
		out.Fields = []catalogue.FieldCount{}
	}
	return out
}

// index returns the catalogue in force, or answers 404 when the daemon
// has none.
func (s *Server) index(w http.ResponseWriter) *catalogue.Index {
	if s.cat == nil {
		writeError(w, http.StatusNotFound, "no_catalogue", "this daemon keeps no procedure catalogue")
		return nil
	}
	return s.cat.Current()
}

func (s *Server) catalogueInfo(w http.ResponseWriter, r *http.Request, _ *principal) {
	if x := s.index(w); x != nil {
		writeJSON(w, http.StatusOK, summary(x))
	}
}

// catalogueError is the 400 answer to a refused catalogue: the error body
// and every problem with its position.
type catalogueError struct {
	Error
	Problems catalogue.Problems `json:"problems"`
}

func (s *Server) importCatalogue(w http.ResponseWriter, r *http.Request, _ *principal) {
	if s.index(w) == nil {
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, catalogue.MaxFile))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("a catalogue file is at most %d MiB", catalogue.MaxFile>>20))
			return
		}
		writeError(w, http.StatusBadRequest, "bad_request", "reading the body: "+err.Error())
		return
	}
	x, err := s.cat.Import(data)
	var ps catalogue.Problems
	switch {
	case errors.As(err, &ps):
		var e catalogueError
		e.Error.Error.Code, e.Error.Error.Message, e.Problems = "invalid_catalogue", err.Error(), ps
		writeJSON(w, http.StatusBadRequest, e)
		return
	case err != nil:
		s.storeError(w, err)
		return
	}
	s.log.Info("catalogue imported", "version", x.Version(), "procedures", x.Len())
	writeJSON(w, http.StatusOK, summary(x))
}

func (s *Server) procedures(w http.ResponseWriter, r *http.Request, _ *principal) {
	x := s.index(w)
	if x == nil {
		return
	}
	q := r.URL.Query()
	limit := searchLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, "bad_request", "limit must be a whole number ≥ 1")
			return
		}
		limit = min(n, 1000)
	}
	var list []catalogue.Procedure
	if text := q.Get("q"); text != "" {
		list = x.Search(text, 0)
		if f := q.Get("field"); f != "" {
			kept := list[:0]
			for _, p := range list {
				if p.Field == f {
					kept = append(kept, p)
				}
			}
			list = kept
		}
	} else {
		list = x.All(q.Get("field"))
	}
	total := len(list)
	list = list[:min(len(list), limit)]
	writeJSON(w, http.StatusOK, map[string]any{
		"version": x.Version(), "total": total, "fields": summary(x).Fields, "procedures": list,
	})
}

func (s *Server) procedure(w http.ResponseWriter, r *http.Request, _ *principal) {
	x := s.index(w)
	if x == nil {
		return
	}
	p, ok := x.Procedure(r.PathValue("code"))
	if !ok {
		writeError(w, http.StatusNotFound, "unknown_procedure", "no procedure with this code in the catalogue "+strconv.Quote(x.Version()))
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// procedureService sets *service to the service of a procedure for a
// ticket, or answers why it cannot.
func (s *Server) procedureService(w http.ResponseWriter, code string, service *string) bool {
	x := s.index(w)
	if x == nil {
		return false
	}
	p, ok := x.Procedure(code)
	switch {
	case !ok:
		writeError(w, http.StatusBadRequest, "unknown_procedure", fmt.Sprintf("no procedure %q in the catalogue; search it with GET /api/v1/procedures?q=", code))
		return false
	case *service != "" && *service != p.Service:
		writeError(w, http.StatusBadRequest, "bad_request", fmt.Sprintf("procedure %s is taken by service %q, not %q; send one of the two", code, p.Service, *service))
		return false
	}
	*service = p.Service
	return true
}

// ProcedurePrinter is a [Printer] that also prints a procedure's papers
// under a ticket taken for it.
type ProcedurePrinter interface {
	PrintProcedureTicket(ctx context.Context, t *queue.Ticket, p catalogue.Procedure) error
}

// printFor prints a ticket issued for a procedure (code; "" for none),
// with the procedure's papers when the printer can.
func (s *Server) printFor(ctx context.Context, t *queue.Ticket, code string) issuedTicket {
	pp := s.printer.Load()
	if code == "" || pp == nil || s.cat == nil {
		return s.print(ctx, t)
	}
	printer, ok := (*pp).(ProcedurePrinter)
	proc, found := s.cat.Current().Procedure(code)
	if !ok || !found {
		return s.print(ctx, t)
	}
	out := printed(t, printer.PrintProcedureTicket(ctx, t, proc))
	out.Satellite = s.atSatellite(t)
	return out
}
