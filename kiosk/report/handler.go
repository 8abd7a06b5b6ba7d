package report

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"motcua/kiosk/config"
)

// Handler serves GET /api/v1/reports?from=YYYY-MM-DD&to=YYYY-MM-DD&by=KIND&format=FMT
// (from and to default to today, by to service, format to csv). It does
// not check tokens: mount it behind the API's admin check. Answers are
// files named like bao-cao_2026-01-01_2026-12-31_service.xlsx, to save
// (CSV, XLSX) or to open in the browser (HTML);
// errors are the API's JSON errors (400 bad_request, 500 report_failed).
// It is safe for concurrent use.
type Handler struct {
	db  *sql.DB
	cfg atomic.Pointer[config.Config]
	// Now tells the time; time.Now when nil.
	Now func() time.Time

	once  sync.Once
	cache *Cache // nil when the data directory has none and cannot have one
}

// NewHandler returns the report endpoint on the event log db (the
// daemon's read-only eventlog.Log.DB). Finished days are cached in
// DATA_DIR/reports.db, opened on the first request.
func NewHandler(db *sql.DB, cfg *config.Config) *Handler {
	h := &Handler{db: db}
	h.cfg.Store(cfg)
	return h
}

// Reconfigure makes later reports use cfg (services, counters, time zone,
// target wait), as after a reload. The cache stays where it is: a reload
// does not move the data directory.
func (h *Handler) Reconfigure(cfg *config.Config) { h.cfg.Store(cfg) }

// Close closes the cache file, if one was opened.
func (h *Handler) Close() error {
	h.once.Do(func() {}) // no cache opened after Close
	if h.cache != nil {
		return h.cache.Close()
	}
	return nil
}

func (h *Handler) openCache() *Cache {
	h.once.Do(func() {
		if h.cfg.Load().Server.DataDir == "" {
			return
		}
		// Without a cache every report reads the events again: slower,
		// not wrong. So a cache that cannot be opened is not an error.
		if c, err := OpenCache(filepath.Join(h.cfg.Load().Server.DataDir, CacheFile)); err == nil {
			h.cache = c
		}
	})
	return h.cache
}

// Warm fills the cache of finished days (see [Reporter.Warm]), so that
// the first report over a long range is fast too. Run it at start and
// after a new day, from a goroutine the caller owns.
func (h *Handler) Warm(ctx context.Context) (int, error) {
	return New(h.db, h.cfg.Load(), h.openCache()).Warm(ctx)
}

// ServeHTTP answers GET /api/v1/reports; see [Handler].
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "reports are read with GET")
		return
	}
	now := time.Now()
	if h.Now != nil {
		now = h.Now()
	}
	cfg := h.cfg.Load()
	loc := cfg.Location
	if loc == nil {
		loc = time.Local
	}
	today := now.In(loc).Format(time.DateOnly)
	q := r.URL.Query()
	get := func(k, def string) string {
		if v := q.Get(k); v != "" {
			return v
		}
		return def
	}
	query := Query{From: get("from", today), To: get("to", today), By: Grouping(get("by", string(ByService)))}
	format := Format(get("format", string(CSV)))
	if err := query.Check(); err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", err.Error()+"; example: ?from=2026-01-01&to=2026-12-31&by=service&format=xlsx")
		return
	}
	if format.ContentType() == "application/octet-stream" {
		writeError(w, http.StatusBadRequest, "bad_request", ErrBadFormat.Error())
		return
	}
	rp := New(h.db, cfg, h.openCache())
	rp.Now = func() time.Time { return now }
	rep, err := rp.Report(r.Context(), query)
	if err != nil {
		if errors.Is(err, r.Context().Err()) {
			return
		}
		writeError(w, http.StatusInternalServerError, "report_failed", err.Error())
		return
	}
	// Written to memory first, so that a failure is still a clean error.
	var buf bytes.Buffer
	write, name := rep.Write, rep.FileName(format)
	if q.Get("table") == "dossiers" && format == CSV {
		write = func(w io.Writer, _ Format) error { return rep.WriteDossiersCSV(w) }
		name = "ho-so_" + rep.From + "_" + rep.To + ".csv"
	}
	if err := write(&buf, format); err != nil {
		writeError(w, http.StatusInternalServerError, "report_failed", err.Error())
		return
	}
	w.Header().Set("Content-Type", format.ContentType())
	w.Header().Set("Cache-Control", "no-store")
	switch format {
	case JSON:
	case HTML:
		// A page to read (and print): the browser opens it.
		w.Header().Set("Content-Disposition", `inline; filename="`+name+`"`)
	default:
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	}
	w.Write(buf.Bytes())
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	e.Error.Code, e.Error.Message = code, msg
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(e)
}
