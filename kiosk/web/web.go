package web

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"motcua/citizenpage"
	"motcua/kiosk"
	"motcua/kiosk/api"
	"motcua/kiosk/config"
	"motcua/kiosk/queue"
)

//go:embed static
var static embed.FS

// cookieAge is how long a page keeps its token: a kiosk or a TV is set up
// once and runs for months (Chromium caps cookies at 400 days).
const cookieAge = 400 * 24 * time.Hour

// Errors of the package.
var (
	// ErrNotAttached is answered (503) until [Handler.Attach] is called.
	ErrNotAttached = errors.New("web: the pages are not attached to a room yet")
)

// Options configure a [Handler].
type Options struct {
	// Voice serves the spoken call of a ticket for the board:
	// GET ?number=A023&counter=3 answers a WAV (motcua/kiosk/voice's
	// Voice.Handler). The handler checks the token before passing the
	// request on. Nil: /voice/call.wav answers 404 and the board is silent.
	Voice http.Handler
	// Guide serves the kiosk's spoken guidance:
	// GET ?say=guide-your-number,t:A023 answers a WAV with the header
	// X-Motcua-Clips (motcua/kiosk/voice's Voice.GuideHandler). The
	// handler checks the token first. Nil: /voice/guide.wav answers 404
	// and the kiosk's guidance is silent.
	Guide http.Handler
	// Logger receives failures of the pages' own endpoints; nil discards.
	Logger *slog.Logger
	// Now is the clock that /session reports to the pages (the board's
	// clock, the age of replayed calls); nil: time.Now.
	Now func() time.Time
}

// Handler serves the pages. Create it with [New], give it to the daemon as
// daemon.Options.Pages, then [Handler.Attach] the daemon's room. It is safe
// for concurrent use.
type Handler struct {
	room       atomic.Pointer[kiosk.Room]
	voice      http.Handler
	guideVoice http.Handler
	pressed    keyHub
	log        *slog.Logger
	now        func() time.Time
	mux        *http.ServeMux
	etags      map[string]string

	keysMu  sync.Mutex
	keysFor *config.Config
	keys    *api.Keyring
}

// New returns the pages' handler.
func New(opts Options) *Handler {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	h := &Handler{voice: opts.Voice, guideVoice: opts.Guide, log: opts.Logger, now: opts.Now, mux: http.NewServeMux(), etags: map[string]string{},
		pressed: keyHub{subs: map[chan string]string{}, closed: make(chan struct{})}}
	err := fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := static.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		h.etags[p] = `"` + hex.EncodeToString(sum[:8]) + `"`
		return nil
	})
	if err != nil {
		// The files are embedded and read by the tests.
		panic("web: embedded pages unreadable: " + err.Error())
	}
	m := h.mux
	m.HandleFunc("GET /{$}", h.page("index.html", nil))
	m.HandleFunc("GET /kiosk", h.page("kiosk.html", nil))
	m.HandleFunc("GET /board", h.page("board.html", nil))
	m.HandleFunc("GET /admin", h.page("admin.html", nil))
	m.HandleFunc("GET /counter/{id}", h.page("counter.html", validID))
	m.HandleFunc("GET /rate/{id}", h.page("rate.html", validID))
	m.Handle("GET /t/{public}", citizenpage.Page()) // the API found the ticket first
	m.Handle("GET /static/public.js", citizenpage.Assets())
	m.Handle("GET /static/public.css", citizenpage.Assets())
	m.HandleFunc("GET /static/{file}", h.file)
	m.HandleFunc("GET /session", h.session)
	m.HandleFunc("POST /session/token", h.confirmToken)
	m.HandleFunc("GET /voice/call.wav", h.call)
	m.HandleFunc("GET /voice/guide.wav", h.guide)
	m.HandleFunc("GET /kiosk/keys", h.keyStream)
	m.HandleFunc("GET /admin/today.json", h.today)
	return h
}

// Attach gives the handler the room whose tokens and figures it serves.
// Until it is called, every page answers 503.
func (h *Handler) Attach(room *kiosk.Room) { h.room.Store(room) }

// ServeHTTP serves the pages and their endpoints.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	h.mux.ServeHTTP(w, r)
}

func validID(r *http.Request) bool {
	n, err := strconv.Atoi(r.PathValue("id"))
	return err == nil && n > 0 && strconv.Itoa(n) == r.PathValue("id")
}

// page serves one of the HTML pages. A ?token= in the URL is moved into the
// cookie (see token.go): the answer sets it and redirects to the same URL
// without it, or asks first when another site sent the browser here.
func (h *Handler) page(name string, valid func(*http.Request) bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if valid != nil && !valid(r) {
			http.NotFound(w, r)
			return
		}
		if r.URL.Query().Has("token") {
			h.takeToken(w, r)
			return
		}
		h.serveStatic(w, r, "static/"+name, h.framing())
	}
}

// framing is the Content-Security-Policy of the pages: everything from the
// daemon itself, framed only by the daemon or the allowed origins (the
// one-stop software may show the counter page in a side frame).
func (h *Handler) framing() string {
	anc := "'self'"
	if room := h.room.Load(); room != nil {
		for _, o := range room.Config().Server.AllowedOrigins {
			if u, err := url.Parse(o); err == nil && u.Host != "" && !strings.ContainsAny(o, " ;'") {
				anc += " " + strings.TrimSuffix(o, "/")
			}
		}
	}
	return "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; " +
		"style-src 'self'; script-src 'self'; connect-src 'self'; base-uri 'none'; " +
		"form-action 'self'; frame-ancestors " + anc
}

func (h *Handler) file(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	if name != path.Base(name) || strings.HasSuffix(name, ".html") {
		http.NotFound(w, r)
		return
	}
	h.serveStatic(w, r, "static/"+name, "")
}

func (h *Handler) serveStatic(w http.ResponseWriter, r *http.Request, name, csp string) {
	b, err := static.ReadFile(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	hd := w.Header()
	hd.Set("ETag", h.etags[name])
	hd.Set("Cache-Control", "no-cache")
	if csp != "" {
		hd.Set("Content-Security-Policy", csp)
	}
	switch path.Ext(name) {
	case ".html":
		hd.Set("Content-Type", "text/html; charset=utf-8")
	case ".js":
		hd.Set("Content-Type", "text/javascript; charset=utf-8")
	case ".css":
		hd.Set("Content-Type", "text/css; charset=utf-8")
	case ".svg":
		hd.Set("Content-Type", "image/svg+xml")
	case ".woff2":
		hd.Set("Content-Type", "font/woff2")
	case ".txt":
		hd.Set("Content-Type", "text/plain; charset=utf-8")
	}
	http.ServeContent(w, r, name, time.Time{}, strings.NewReader(string(b)))
}

// Session is the answer of GET /session: who the page's token is.
type Session struct {
	Role config.Role `json:"role"`
	// Counters are the counters a counter token may operate.
	Counters []int `json:"counters,omitempty"`
	// Allowed tells whether the token may use the page named by the
	// query (?page=counter&counter=1).
	Allowed bool `json:"allowed"`
	// Now is the daemon's clock, for the board's clock and the age of
	// replayed calls.
	Now time.Time `json:"now"`
	// Timezone is unit.timezone: the pages show times in it, as tickets
	// and reports do, whatever zone the browser's machine has.
	Timezone string `json:"timezone"`
}

func (h *Handler) session(w http.ResponseWriter, r *http.Request) {
	tok, ok := h.principal(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	counter, _ := strconv.Atoi(q.Get("counter"))
	now, tz := h.now(), ""
	if loc := h.room.Load().Config().Location; loc != nil {
		now, tz = now.In(loc), loc.String()
	}
	writeJSON(w, http.StatusOK, Session{Role: tok.Role, Counters: tok.Counters,
		Allowed: mayUse(q.Get("page"), tok, counter), Now: now, Timezone: tz})
}

// principal finds the token of a request (cookie, bearer or ?token=). It
// answers 503 or 401 itself and reports false when there is none.
func (h *Handler) principal(w http.ResponseWriter, r *http.Request) (config.Token, bool) {
	room := h.room.Load()
	if room == nil {
		writeError(w, http.StatusServiceUnavailable, "starting", ErrNotAttached.Error())
		return config.Token{}, false
	}
	tok, ok := h.keyring(room.Config()).Lookup(api.Secret(r))
	if !ok {
		writeError(w, http.StatusUnauthorized, "unauthorized", "missing or wrong token; open the page with ?token=TOKEN")
		return config.Token{}, false
	}
	return tok, true
}

// keyring returns the keyring of cfg, made once per configuration in force.
func (h *Handler) keyring(cfg *config.Config) *api.Keyring {
	h.keysMu.Lock()
	defer h.keysMu.Unlock()
	if h.keysFor != cfg {
		h.keys, h.keysFor = api.NewKeyring(cfg.Tokens), cfg
	}
	return h.keys
}

// call serves the spoken call to any page with a valid token.
func (h *Handler) call(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.principal(w, r); !ok {
		return
	}
	if h.voice == nil {
		writeError(w, http.StatusNotFound, "no_voice", "this daemon has no voice; calls are shown, not spoken")
		return
	}
	h.voice.ServeHTTP(w, r)
}

// Today is the answer of GET /admin/today.json: the figures of the queue
// day, up to and including event Seq.
type Today struct {
	Day     string `json:"day"`
	Seq     int64  `json:"seq"`
	Issued  int    `json:"issued"`
	Served  int    `json:"served"`
	NoShow  int    `json:"no_show"`
	Waiting int    `json:"waiting"`
	Rated   int    `json:"rated"`
	// RatingSum is the sum of today's scores; the mean is RatingSum/Rated.
	RatingSum int `json:"rating_sum"`
}

func (h *Handler) today(w http.ResponseWriter, r *http.Request) {
	tok, ok := h.principal(w, r)
	if !ok {
		return
	}
	if tok.Role != config.RoleAdmin {
		writeError(w, http.StatusForbidden, "forbidden", "today's figures need an admin token")
		return
	}
	t, err := h.figures(r.Context())
	if err != nil {
		h.log.Error("web: today's figures", "err", err)
		writeError(w, http.StatusServiceUnavailable, "store_unavailable", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, t)
}

// figures counts today's events in the log.
func (h *Handler) figures(ctx context.Context) (Today, error) {
	room := h.room.Load()
	type view struct {
		day     string
		seq     int64
		waiting int
	}
	v, err := kiosk.View(room, func(e *queue.Engine) view {
		n := 0
		for _, s := range e.State().Services {
			n += len(s.Waiting)
		}
		return view{e.Day(), e.Seq(), n}
	})
	if err != nil {
		return Today{}, err
	}
	t := Today{Day: v.day, Seq: v.seq, Waiting: v.waiting}
	log := room.Log()
	start, err := log.DayStart(ctx)
	if err != nil {
		return Today{}, err
	}
	rows, err := log.DB().QueryContext(ctx,
		`SELECT name, COUNT(*), COALESCE(SUM(CASE WHEN name = 'ticket.rated' THEN json_extract(CAST(data AS TEXT), '$.score') END), 0) FROM events
		 WHERE seq >= ? AND seq <= ? AND day = ? GROUP BY name`, start, v.seq, v.day)
	if err != nil {
		return Today{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var n, score int
		if err := rows.Scan(&name, &n, &score); err != nil {
			return Today{}, err
		}
		switch name {
		case queue.TicketIssued:
			t.Issued = n
		case queue.TicketDone:
			t.Served = n
		case queue.TicketNoShow:
			t.NoShow = n
		case queue.TicketRated:
			t.Rated, t.RatingSum = n, score
		}
	}
	return t, rows.Err()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) //nolint:errcheck // the client went away
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	var e api.Error
	e.Error.Code, e.Error.Message = code, msg
	writeJSON(w, status, e)
}

// mayUse reports whether a token of role tok may use a page; counter is
// the page's counter (0 for none). It mirrors what the page's API calls
// need, so that a page says at once that its token is the wrong kind.
func mayUse(page string, tok config.Token, counter int) bool {
	switch tok.Role {
	case config.RoleAdmin:
		return true
	case config.RoleKiosk:
		return page == "kiosk" || page == "rate"
	case config.RoleDisplay:
		return page == "board"
	case config.RoleCounter:
		return (page == "counter" || page == "rate") && slices.Contains(tok.Counters, counter)
	}
	return false
}
