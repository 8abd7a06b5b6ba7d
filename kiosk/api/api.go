package api

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"motcua/clock"
	"motcua/kiosk"
	"motcua/kiosk/catalogue"
	"motcua/kiosk/config"
	"motcua/kiosk/hub"
	"motcua/kiosk/queue"
)

// maxBody is the largest request body accepted.
const maxBody = 64 << 10

// Server is the HTTP API. Create it with [New]; it is safe for concurrent
// use.
type Server struct {
	room    *kiosk.Room
	hub     *hub.Hub
	log     *slog.Logger
	metrics http.Handler
	printer atomic.Pointer[Printer]
	cat     *catalogue.Store
	clock   clock.Clock
	ids     *idDesk
	mux     *http.ServeMux
	// auth is what a reload may change: tokens, origins, rate limits.
	authz atomic.Pointer[authState]
	// dossiers looks up the status of receipts scanned at the kiosk.
	dossiers atomic.Pointer[dossierDesk]
	lookupCounters
}

type authState struct {
	keys    *Keyring
	origins []string
	limits  *limiter
	// counters limits counter actions per token and address.
	counters *limiter
	hosts    hostList
	failures failures
}

func newAuthState(cfg *config.Config) *authState {
	return &authState{
		keys:     NewKeyring(cfg.Tokens),
		origins:  cfg.Server.AllowedOrigins,
		limits:   newLimiter(cfg.Server.TicketRate, cfg.Server.TicketBurst),
		counters: newCounterLimiter(cfg.Server),
		hosts:    newHostList(cfg.Server),
		failures: newFailures(),
	}
}

// Printer prints an issued ticket. It is told about every new ticket and
// reports whether the ticket was printed (or why not), so that the kiosk
// can show the number on screen instead.
type Printer interface {
	PrintTicket(ctx context.Context, t *queue.Ticket) error
}

// ErrNotPrinted is returned by a [Printer] for a ticket of a kiosk that
// has no printer on this daemon: a satellite's, which prints it itself,
// or one that shows numbers on screen only. The answer says not printed,
// without an error.
var ErrNotPrinted = errors.New("api: this kiosk has no printer here")

// Options configure a [Server].
type Options struct {
	Hub     *hub.Hub
	Logger  *slog.Logger
	Metrics http.Handler // served at /metrics; nil: 404
	Printer Printer      // nil: tickets are not printed
	// Pages, if set, serves everything outside /api/, /healthz and
	// /metrics (the kiosk, counter, board and admin pages).
	Pages http.Handler
	// Catalogue is the procedure catalogue (nil: none, the catalogue
	// endpoints answer 404).
	Catalogue *catalogue.Store
	// Clock dates ID card scans (nil: the system clock).
	Clock clock.Clock
}

// New returns the API of room.
func New(room *kiosk.Room, opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		room:    room,
		hub:     opts.Hub,
		log:     opts.Logger,
		metrics: opts.Metrics,
		cat:     opts.Catalogue,
		clock:   clock.Or(opts.Clock),
		ids:     newIDDesk(),
		mux:     http.NewServeMux(),
	}
	if opts.Printer != nil {
		s.SetPrinter(opts.Printer)
	}
	s.authz.Store(newAuthState(room.Config()))
	m := s.mux
	m.HandleFunc("GET /healthz", s.healthz)
	m.HandleFunc("GET /metrics", s.serveMetrics)
	m.HandleFunc("GET /api/v1/state", s.auth(s.state))
	m.HandleFunc("POST /api/v1/tickets", s.auth(s.issue, config.RoleKiosk, config.RoleAdmin))
	m.HandleFunc("GET /api/v1/tickets/{id}", s.auth(s.ticket))
	m.HandleFunc("POST /api/v1/counters/{id}/{action}", s.auth(s.counter))
	m.HandleFunc("GET /api/v1/ws", s.auth(s.ws))
	m.HandleFunc("POST /api/v1/day", s.auth(s.startDay, config.RoleAdmin))
	s.catalogueRoutes()
	s.appointmentRoutes()
	s.publicRoutes(opts.Pages)
	s.ratingRoutes()
	s.kioskRoutes()
	m.HandleFunc("/api/", notFound)
	if opts.Pages != nil {
		m.Handle("/", opts.Pages)
	}
	return s
}

// Handle adds an endpoint behind the API's origin and token checks: with
// roles, only tokens of those roles may use it. The daemon's devices add
// theirs this way (reprints, the demo's simulated hardware).
func (s *Server) Handle(pattern string, h http.Handler, roles ...config.Role) {
	s.mux.HandleFunc(pattern, s.auth(func(w http.ResponseWriter, r *http.Request, _ *principal) {
		h.ServeHTTP(w, r)
	}, roles...))
}

// WriteJSON writes v as a JSON answer, as the API does.
func WriteJSON(w http.ResponseWriter, status int, v any) { writeJSON(w, status, v) }

// WriteError writes the API's error body.
func WriteError(w http.ResponseWriter, status int, code, msg string) {
	writeError(w, status, code, msg)
}

// ReadJSON reads a request body as the API does (one object, known
// fields, at most 64 KiB), answering 400 or 413 itself when it cannot.
func ReadJSON(w http.ResponseWriter, r *http.Request, v any) bool { return readJSON(w, r, v) }

// SetPrinter sets (or, with nil, removes) the printer of issued tickets.
func (s *Server) SetPrinter(p Printer) {
	if p == nil {
		s.printer.Store(nil)
		return
	}
	s.printer.Store(&p)
}

// Reconfigure puts new tokens, origins and limits in force; requests in
// flight finish under the old ones.
func (s *Server) Reconfigure(cfg *config.Config) {
	s.authz.Store(newAuthState(cfg))
}

// ServeHTTP logs each request (never its query or token) and passes it on.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	if s.guard(rec, r) {
		s.mux.ServeHTTP(rec, r)
	}
	lvl := slog.LevelDebug
	if rec.status >= 500 {
		lvl = slog.LevelWarn
	}
	s.log.Log(r.Context(), lvl, "http", "method", r.Method, "path", r.URL.Path, "status", rec.status,
		"ms", time.Since(start).Milliseconds(), "remote", host(r.RemoteAddr))
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController and the websocket upgrader reach
// the connection.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Hijack is needed by the websocket upgrader.
func (r *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("api: connection cannot be hijacked")
	}
	r.status = http.StatusSwitchingProtocols
	return h.Hijack()
}

func host(addr string) string {
	h, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return h
}

type handler func(w http.ResponseWriter, r *http.Request, p *principal)

// auth checks the Origin and the token, and the role when roles are given.
func (s *Server) auth(h handler, roles ...config.Role) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a := s.authz.Load()
		if !originAllowed(r, a.origins) {
			writeError(w, http.StatusForbidden, "origin_not_allowed",
				"this page's origin may not use the API; add it to server.allowed_origins")
			return
		}
		p := a.keys.lookup(Secret(r))
		if p == nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="motcua"`)
			writeError(w, http.StatusUnauthorized, "unauthorized",
				"missing or wrong token; send Authorization: Bearer TOKEN")
			return
		}
		if len(roles) > 0 && !p.may(roles...) {
			writeError(w, http.StatusForbidden, "forbidden",
				fmt.Sprintf("a %s token may not do this", p.role))
			return
		}
		h(w, r, p)
	}
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.room.Log().Check(ctx); err != nil {
		writeError(w, http.StatusServiceUnavailable, "store_unavailable", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	if s.metrics == nil {
		http.NotFound(w, r)
		return
	}
	if ip := net.ParseIP(host(r.RemoteAddr)); ip == nil || !ip.IsLoopback() {
		if p := s.authz.Load().keys.lookup(Secret(r)); p == nil || p.role != config.RoleAdmin {
			writeError(w, http.StatusUnauthorized, "unauthorized", "metrics need an admin token from outside this machine")
			return
		}
	}
	s.metrics.ServeHTTP(w, r)
}

func (s *Server) state(w http.ResponseWriter, r *http.Request, _ *principal) {
	st, err := kiosk.View(s.room, (*queue.Engine).State)
	if err != nil {
		s.storeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// issuedTicket is the answer to POST /tickets: the ticket, and whether it
// was printed, or is being printed by its kiosk's satellite.
type issuedTicket struct {
	*queue.Ticket
	Printed    bool   `json:"printed"`
	PrintError string `json:"print_error,omitempty"`
	Satellite  bool   `json:"satellite,omitempty"`
}

func (s *Server) issue(w http.ResponseWriter, r *http.Request, p *principal) {
	var req struct {
		Service   string `json:"service"`
		Priority  bool   `json:"priority"`
		Procedure string `json:"procedure"`
		// Category is a priority category's code; it makes the ticket
		// a priority one.
		Category string `json:"category"`
		// Scan "ID" issues for the ID card last scanned at the kiosk.
		Scan string `json:"scan"`
	}
	if !readJSON(w, r, &req) || !checkText(w, "procedure", req.Procedure, maxID) || !checkText(w, "category", req.Category, maxID) {
		return
	}
	if req.Procedure != "" && !s.procedureService(w, req.Procedure, &req.Service) {
		return
	}
	if req.Service == "" {
		writeError(w, http.StatusBadRequest, "bad_request", `"service" or "procedure" is required, e.g. {"service":"dat-dai"}`)
		return
	}
	if !checkText(w, "service", req.Service, maxID) {
		return
	}
	if req.Scan != "" && req.Scan != ScanID {
		writeError(w, http.StatusBadRequest, "bad_request", `"scan" is "ID" (the ID card just scanned) or absent`)
		return
	}
	if s.rateLimited(w, r, p) {
		return
	}
	if req.Scan == ScanID {
		s.issueForCard(w, r, p.kiosk, req.Service, req.Category)
		return
	}
	evs, err := s.room.Do(func(e *queue.Engine) ([]queue.Event, error) {
		return e.At(p.kiosk, func() ([]queue.Event, error) { return e.IssueCategory(req.Service, req.Priority, req.Category) })
	})
	if err != nil {
		s.engineError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, s.printFor(r.Context(), lastTicket(evs, queue.TicketIssued), req.Procedure))
}

// rateLimited answers 429 and reports true when p may not have another
// ticket now: every path that issues tickets has the kiosk's limit
// (admins have none).
func (s *Server) rateLimited(w http.ResponseWriter, r *http.Request, p *principal) bool {
	if p.role == config.RoleAdmin {
		return false
	}
	wait, ok := s.authz.Load().limits.allow(p.index, host(r.RemoteAddr))
	if ok {
		return false
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds()+0.999)))
	writeError(w, http.StatusTooManyRequests, "rate_limited",
		"too many tickets from this kiosk; wait a moment and try again")
	return true
}

func lastTicket(evs []queue.Event, name string) *queue.Ticket {
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Name == name {
			return evs[i].Ticket
		}
	}
	return nil
}

func (s *Server) ticket(w http.ResponseWriter, r *http.Request, _ *principal) {
	t, err := s.room.Ticket(r.Context(), r.PathValue("id"))
	if errors.Is(err, kiosk.ErrNoTicket) {
		writeError(w, http.StatusNotFound, "unknown_ticket", "no ticket with this id")
		return
	}
	if err != nil {
		s.storeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (s *Server) counter(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil || id <= 0 {
		writeError(w, http.StatusNotFound, "unknown_counter", "counter ids are positive whole numbers")
		return
	}
	action := r.PathValue("action")
	switch {
	case action == "rating" && p.role == config.RoleKiosk:
	case !p.mayOperate(id):
		writeError(w, http.StatusForbidden, "forbidden", fmt.Sprintf("this token may not operate quầy %d", id))
		return
	}
	if !s.allowCounter(w, r, p) {
		return
	}
	act := kiosk.Action{Name: action, Counter: id}
	answer := "ticket"
	switch action {
	case "open":
		var req struct {
			Officer string `json:"officer"`
		}
		if !readJSON(w, r, &req) || !checkText(w, "officer", req.Officer, maxOfficer) {
			return
		}
		act.Officer, answer = req.Officer, "counter"
	case "next", "recall", "done", "skip":
	case "transfer":
		var req struct {
			Service string `json:"service"`
			Counter int    `json:"counter"`
		}
		if !readJSON(w, r, &req) || !checkText(w, "service", req.Service, maxID) {
			return
		}
		act.Service, act.To = req.Service, req.Counter
	case "pause":
		var req struct {
			Reason string `json:"reason"`
		}
		if !readJSON(w, r, &req) || !checkText(w, "reason", req.Reason, maxReason) {
			return
		}
		act.Reason, answer = req.Reason, "counter"
	case "resume", "close":
		answer = "counter"
	case "rating":
		var req struct {
			Score   int    `json:"score"`
			Answers []int  `json:"answers"`
			Reason  string `json:"reason"`
		}
		if !readJSON(w, r, &req) || !checkText(w, "reason", req.Reason, maxReason) {
			return
		}
		act.Score, act.Answers, act.Reason = req.Score, req.Answers, req.Reason
	case "dossier":
		var req struct {
			Code string `json:"code"`
		}
		if !readJSON(w, r, &req) || !checkText(w, "code", req.Code, maxID) {
			return
		}
		act.Dossier = req.Code
	default:
		writeError(w, http.StatusNotFound, "not_found", "unknown counter action "+strconv.Quote(action)+
			"; one of "+strings.Join(kiosk.ActionNames, ", "))
		return
	}
	evs, err := s.room.Act(act)
	if err != nil {
		s.engineError(w, err)
		return
	}
	if len(evs) == 0 || (action == "next" && evs[len(evs)-1].Name != queue.TicketCalled) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	last := evs[len(evs)-1]
	if answer == "counter" {
		writeJSON(w, http.StatusOK, last.Counter)
		return
	}
	writeJSON(w, http.StatusOK, last.Ticket)
}

// startDay starts a new queue day by hand, for an office whose clock is
// not synchronised.
func (s *Server) startDay(w http.ResponseWriter, r *http.Request, _ *principal) {
	if !readJSON(w, r, &struct{}{}) {
		return
	}
	evs, err := s.room.Do(func(e *queue.Engine) ([]queue.Event, error) { return e.StartDay() })
	if err != nil {
		s.engineError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"day": evs[len(evs)-1].Day, "seq": evs[len(evs)-1].Seq})
}

func (s *Server) ws(w http.ResponseWriter, r *http.Request, p *principal) {
	if s.hub == nil {
		writeError(w, http.StatusNotFound, "not_found", "no websocket here")
		return
	}
	since := int64(-1)
	if v := r.URL.Query().Get("since"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "bad_request", "since must be a sequence number ≥ 0")
			return
		}
		since = n
	}
	if err := s.hub.ServeGroup(w, r, since, p.group()); err != nil && !errors.Is(err, context.Canceled) {
		s.log.Debug("websocket", "err", err, "remote", host(r.RemoteAddr))
	}
}

// engineError answers a command's error.
func (s *Server) engineError(w http.ResponseWriter, err error) {
	code := queue.Code(err)
	status := http.StatusConflict
	switch code {
	case "":
		s.storeError(w, err)
		return
	case "unknown_counter", "unknown_appointment":
		status = http.StatusNotFound
	case "unknown_service", "bad_transfer", "bad_score", "bad_appointment", "unknown_category", "bad_dossier":
		status = http.StatusBadRequest
	}
	writeError(w, status, code, err.Error())
}

func (s *Server) storeError(w http.ResponseWriter, err error) {
	s.log.Error("store", "err", err)
	writeError(w, http.StatusServiceUnavailable, "store_unavailable",
		"the queue's storage failed; the daemon restarts itself — see its log ("+err.Error()+")")
}

// readJSON decodes a request body strictly: one object, known fields, at
// most maxBody bytes. An empty body is an empty object.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	body := http.MaxBytesReader(w, r.Body, maxBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if errors.Is(err, io.EOF) {
		return true
	}
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			err = errors.New("more than one JSON value")
		}
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("the body is over %d bytes", maxBody))
			return false
		}
		writeError(w, http.StatusBadRequest, "bad_request", "the body is not the expected JSON object: "+err.Error())
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.Encode(v)
}

// Error is the body of every error answer.
type Error struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	var e Error
	e.Error.Code, e.Error.Message = code, msg
	writeJSON(w, status, e)
}
