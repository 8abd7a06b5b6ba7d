package receiver

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"
	"github.com/jonboulle/clockwork"

	"motcua/uplinkproto"
)

// Errors.
var (
	ErrNoUnit    = errors.New("receiver: unit is not connected")
	ErrClosed    = errors.New("receiver: server is closed")
	ErrBadTokens = errors.New("receiver: tokens file")
	// ErrBadCommand is a command that cannot be sent as it is.
	ErrBadCommand = errors.New("receiver: bad command")
)

// Options configure a [Server]. Zero durations take the defaults shown.
type Options struct {
	// Store is where events are kept: "sqlite:DIR" (DIR/receiver.db) or
	// "postgres://USER:PASSWORD@HOST/DB" (several receivers may share
	// one database). Empty: "sqlite:" + Dir.
	Store string
	// Dir is the data directory of the default SQLite store.
	Dir string
	// Tokens maps each unit's token to its unit id.
	Tokens map[string]string
	// Operators maps each operator's token to the operator's name: they
	// may see the page and /api/units and send commands. None: nobody
	// may.
	Operators map[string]string
	// HeadsUp sends citizens a heads-up when their turn nears (off when
	// its Webhook is "").
	HeadsUp HeadsUp
	// Fleet configures the fleet page's alerts (docs/fleet.md).
	Fleet  Fleet
	Logger *slog.Logger
	// Clock runs every time the server reads and every timeout it keeps
	// (nil: the real clock).
	Clock clockwork.Clock
	// PingEvery is how often each connection is pinged: 20s. A unit
	// silent for three times as long is disconnected.
	PingEvery time.Duration
	// HelloTimeout is how long a unit has to say hello after the
	// websocket opened: 15s.
	HelloTimeout time.Duration
	// WriteTimeout bounds each write to a unit: 10s.
	WriteTimeout time.Duration
	// MaxConns caps the connections open at once in [Server.Serve]
	// (units, operators and anything else): 10000.
	MaxConns int
	// HeaderTimeout is how long [Server.Serve] waits for a request's
	// headers: 10s. IdleTimeout closes a kept-alive HTTP connection
	// idle that long: 60s.
	HeaderTimeout time.Duration
	IdleTimeout   time.Duration
	// onLeft, if set, is called when the fleet has noted that a unit's
	// connection ended (tests).
	onLeft func(unit string)
	// PollEvery is how often a receiver on PostgreSQL reads which units
	// other receivers stored events of, to follow their live queues: 2s.
	PollEvery time.Duration
	// Dossiers answers the units' dossier.status queries (nil: they are
	// answered no_adapter). See dossier.go.
	Dossiers DossierSource
}

func (o *Options) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.PingEvery, 20*time.Second)
	def(&o.HelloTimeout, 15*time.Second)
	def(&o.WriteTimeout, 10*time.Second)
	def(&o.HeaderTimeout, 10*time.Second)
	def(&o.IdleTimeout, 60*time.Second)
	def(&o.PollEvery, 2*time.Second)
	if o.Store == "" {
		o.Store = "sqlite:" + o.Dir
	}
	if o.MaxConns <= 0 {
		o.MaxConns = 10000
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Clock == nil {
		o.Clock = clockwork.NewRealClock()
	}
}

// Server receives the events of many units. It is safe for concurrent
// use.
type Server struct {
	o        Options
	lg       *slog.Logger
	clk      clockwork.Clock
	st       *sqlStore
	upgrader websocket.Upgrader

	smu      sync.Mutex
	sessions map[string]session

	stopPoll context.CancelFunc // nil without a poller

	commits    chan *commitReq
	stopCommit chan struct{}
	cwg        sync.WaitGroup // the committers

	mu     sync.Mutex
	units  map[string]*unit
	conns  map[*conn]struct{}
	closed bool
	wg     sync.WaitGroup

	pub publicIndex // the citizen's page: closed tickets, rate limits

	dmu           sync.Mutex // the dossier source's last failure logged
	dossierErr    string
	dossierLogged time.Time

	fleet fleetState // the fleet's alerts
}

// unit is what the server knows of one unit.
type unit struct {
	id string

	// mu guards the fields below and orders the unit's writes to the
	// store, so that two connections of one unit (an old one not yet
	// dead and a new one) cannot interleave.
	mu       sync.Mutex
	ack      int64
	known    int64 // the newest seq the unit said it has
	lastAt   string
	lastSeen time.Time
	state    *uplinkproto.State
	conn     *conn
	lost     int64
}

// Open opens the store in opts.Dir and loads the units' queues. Stored
// rows it cannot use are skipped and logged, never fatal.
func Open(ctx context.Context, opts Options) (*Server, error) {
	opts.defaults()
	for t := range opts.Operators {
		if u, ok := opts.Tokens[t]; ok {
			return nil, fmt.Errorf("%w: operator %s has the token of unit %s; give each its own", ErrBadTokens, opts.Operators[t], u)
		}
	}
	st, err := openStore(ctx, opts.Store)
	if err != nil {
		return nil, err
	}
	s := &Server{o: opts, lg: opts.Logger, clk: opts.Clock, st: st, units: map[string]*unit{}, conns: map[*conn]struct{}{}, sessions: map[string]session{}}
	s.pub.stop = make(chan struct{})
	s.upgrader = websocket.Upgrader{
		Subprotocols:     []string{uplinkproto.Subprotocol},
		HandshakeTimeout: opts.WriteTimeout,
		// Reads use the HTTP server's 4 KiB buffer; a write buffer is
		// taken from the pool for each message only: thousands of idle
		// units then hold little memory.
		WriteBufferPool: &sync.Pool{},
		// Units are programs, not browsers.
		CheckOrigin: func(r *http.Request) bool { return r.Header.Get("Origin") == "" },
	}
	loaded, rep, err := st.load(ctx)
	if err == nil {
		err = s.startFleet(ctx)
	}
	if err != nil {
		st.close()
		return nil, err
	}
	s.report(rep)
	s.commits, s.stopCommit = make(chan *commitReq), make(chan struct{})
	n := 1
	if st.pg {
		n = committers
	}
	for range n {
		s.cwg.Add(1)
		go func() {
			defer s.cwg.Done()
			s.committer(s.stopCommit)
		}()
	}
	for _, l := range loaded {
		s.units[l.id] = &unit{id: l.id, ack: l.ack, known: l.ack, state: l.state, lost: l.lost}
	}
	if st.pg {
		ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		s.stopPoll = cancel
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.poll(ctx)
		}()
	}
	return s, nil
}

// commitReq is a batch waiting for a committer, and where its outcome
// goes.
type commitReq struct {
	b    *batch
	done chan error
}

// maxGroup is the most batches, of as many units, one transaction
// stores.
const maxGroup = 256

// committers is how many transactions of a receiver may run at once on
// PostgreSQL (SQLite has one connection).
const committers = 4

// commit hands a batch to the committers and waits for its outcome.
// Batches of different units that wait at the same time are stored in
// one transaction (group commit across units): at a steady trickle, when
// each unit sends one event at a time, that is what keeps the commits
// per second below the events per second.
func (s *Server) commit(ctx context.Context, b *batch) error {
	r := &commitReq{b: b, done: make(chan error, 1)}
	select {
	case s.commits <- r:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.stopCommit:
		return ErrClosed
	}
	return <-r.done
}

// committer stores what commit hands it until stop is closed.
func (s *Server) committer(stop <-chan struct{}) {
	ctx := context.Background()
	group := make([]*commitReq, 0, maxGroup)
	bs := make([]*batch, 0, maxGroup)
	for {
		group, bs = group[:0], bs[:0]
		select {
		case r := <-s.commits:
			group = append(group, r)
		case <-stop:
			return
		}
	more:
		for len(group) < maxGroup {
			select {
			case r := <-s.commits:
				group = append(group, r)
			default:
				break more
			}
		}
		for _, r := range group {
			bs = append(bs, r.b)
		}
		for i, err := range s.st.commit(ctx, bs) {
			group[i].done <- err
		}
	}
}

// report logs the stored rows a load skipped.
func (s *Server) report(rep *loadReport) {
	for _, p := range rep.problems {
		s.lg.Warn("receiver: skipped a stored row", "problem", p)
	}
	if rep.count > len(rep.problems) {
		s.lg.Warn("receiver: skipped more stored rows", "count", rep.count-len(rep.problems))
	}
}

// refresh reads a unit again from the store: another receiver on the
// same database may have stored its events. The caller holds u.mu.
func (s *Server) refresh(ctx context.Context, u *unit) error {
	rep := &loadReport{}
	l, ok, err := s.st.loadUnit(ctx, u.id, rep)
	s.report(rep)
	if err != nil || !ok {
		return err
	}
	if l.ack > u.ack {
		// What another receiver stored: the citizens' pages keep the
		// tickets it closed, and heads-ups asked for here are due.
		rep := &loadReport{}
		evs, err := s.st.events(ctx, u.id, max(u.ack, l.ack-maxFollow), l.ack, rep)
		s.report(rep)
		if err != nil {
			return err
		}
		s.pub.follow(u.id, evs)
	}
	if l.ack != u.ack || u.state == nil && l.state != nil {
		u.ack, u.state = l.ack, l.state
	}
	u.known = max(u.known, l.ack)
	u.lost = l.lost
	if s.o.HeadsUp.Webhook != "" && u.state != nil {
		s.sendHeadsUps(s.pub.due(u.id, u.state, s.headsUpAhead()))
	}
	return nil
}

// maxFollow is the most events of a unit a refresh reads to follow
// another receiver's work: more than a busy office's day.
const maxFollow = 20000

// poll follows, on PostgreSQL, the units other receivers take: every
// PollEvery it reads the stored acks and reloads each unit not connected
// here whose ack moved, so that any receiver shows any unit's live queue.
func (s *Server) poll(ctx context.Context) {
	t := s.clk.NewTicker(s.o.PollEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.Chan():
		}
		acks, err := s.st.acks(ctx)
		if err != nil {
			s.lg.Warn("receiver: reading the units' acks", "err", err)
			continue
		}
		for id, ack := range acks {
			if !uplinkproto.ValidUnit(id) {
				continue
			}
			u := s.unit(id)
			u.mu.Lock()
			if u.conn == nil && u.ack != ack {
				if err := s.refresh(ctx, u); err != nil {
					s.lg.Warn("receiver: reading a unit", "unit", id, "err", err)
				}
			}
			u.mu.Unlock()
		}
	}
}

// Close disconnects every unit and closes the store.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.close(websocket.CloseGoingAway, "receiver is stopping")
	}
	if s.stopPoll != nil {
		s.stopPoll()
	}
	s.wg.Wait()
	s.stopFleet()
	close(s.stopCommit)
	s.cwg.Wait()
	s.pub.close()
	return s.st.close()
}

// Handler serves /ingest (units' websockets) and, to operators, / (the
// page), /api/units (JSON) and POST /api/units/{unit}/commands, with
// /login and /logout, and GET /api/v1/export/ratings; to anyone, the citizen's page of a unit's ticket:
// /t/{unit}/{public} and /api/v1/public/{unit}/{public}.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ingest", s.ingest)
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.operator(false, s.logout))
	mux.HandleFunc("GET /api/units", s.operator(true, s.apiUnits))
	mux.HandleFunc("POST /api/units/{unit}/commands", s.operator(true, s.apiCommand))
	mux.HandleFunc("GET /api/v1/export/ratings", s.operator(true, s.apiExportRatings))
	mux.HandleFunc("GET /{$}", s.operator(false, s.page))
	mux.HandleFunc("GET /fleet", s.operator(false, s.fleetPage))
	mux.HandleFunc("GET /api/fleet", s.operator(true, s.apiFleet))
	mux.HandleFunc("POST /api/enrolments", s.operator(true, s.apiCreateEnrolment))
	mux.HandleFunc("GET /api/enrolments", s.operator(true, s.apiEnrolments))
	mux.HandleFunc("POST /enrol", s.enrol)
	mux.HandleFunc("PUT /api/units/{unit}/config", s.operator(true, s.apiConfig))
	s.publicRoutes(mux)
	return mux
}

func (s *Server) unit(id string) *unit {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.units[id]
	if u == nil {
		u = &unit{id: id}
		s.units[id] = u
	}
	return u
}

// authenticate returns the unit of the request's bearer token, or "".
func (s *Server) authenticate(r *http.Request) string {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return ""
	}
	tok = strings.TrimSpace(tok)
	unit := ""
	for t, u := range s.o.Tokens {
		if subtle.ConstantTimeCompare([]byte(t), []byte(tok)) == 1 {
			unit = u
		}
	}
	if unit == "" && tok != "" {
		unit = s.enrolledUnit(r.Context(), tok) // a unit enrolled with a code
	}
	return unit
}

func (s *Server) ingest(w http.ResponseWriter, r *http.Request) {
	unitID := s.authenticate(r)
	if unitID == "" {
		s.lg.Warn("receiver: refused a unit: no or unknown token", "addr", r.RemoteAddr)
		w.Header().Set("WWW-Authenticate", `Bearer realm="motcua uplink"`)
		http.Error(w, "unknown token: give this unit a line in the receiver's tokens file", http.StatusUnauthorized)
		return
	}
	if !slices.Contains(websocket.Subprotocols(r), uplinkproto.Subprotocol) {
		http.Error(w, "this endpoint speaks websocket subprotocol "+uplinkproto.Subprotocol, http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		http.Error(w, "stopping", http.StatusServiceUnavailable)
		return
	}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := newConn(s, ws, r.RemoteAddr)
	s.mu.Lock()
	closed := s.closed
	if !closed {
		s.conns[c] = struct{}{}
	}
	s.mu.Unlock()
	if closed {
		c.close(websocket.CloseGoingAway, "receiver is stopping")
	}
	err = c.run(r.Context(), unitID)
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	var ce *websocket.CloseError
	switch {
	case err == nil, errors.As(err, &ce) && (ce.Code == websocket.CloseGoingAway || ce.Code == websocket.CloseNormalClosure):
		s.lg.Info("receiver: unit left", "unit", unitID, "addr", r.RemoteAddr)
	default:
		s.lg.Warn("receiver: unit disconnected", "unit", unitID, "addr", r.RemoteAddr, "err", err)
	}
}

// store writes a batch of a unit's messages in one transaction and
// returns the unit's ack after it. A message that does not follow from
// what is stored (an event after a hole, a gap the hello did not
// announce) is a protocol error: nothing of the batch is stored.
func (s *Server) store(ctx context.Context, u *unit, c *conn, msgs []*uplinkproto.Message) (int64, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.conn != c {
		return 0, errors.New("receiver: the unit connected again; this older connection ends")
	}
	b := &batch{unit: u.id, base: u.ack, ack: u.ack, at: s.clk.Now()}
	lastAt := u.lastAt
	var events []*uplinkproto.Event
	for _, m := range msgs {
		switch m.Type {
		case uplinkproto.TypeEvent:
			if m.Seq <= b.ack {
				continue // already stored: a resend after a reconnect
			}
			if m.Seq != b.ack+1 {
				return 0, fmt.Errorf("%w: event %d after %d from unit %s: the unit skipped events without a gap message", uplinkproto.ErrProtocol, m.Seq, b.ack, u.id)
			}
			b.events = append(b.events, m)
			events = append(events, m.Body)
			b.ack, lastAt = m.Seq, m.At
		case uplinkproto.TypeGap:
			if m.To <= b.ack {
				continue
			}
			if m.From > b.ack+1 {
				return 0, fmt.Errorf("%w: gap from %d after %d from unit %s", uplinkproto.ErrProtocol, m.From, b.ack, u.id)
			}
			// The hello said which events the unit holds: first..last.
			// A gap may only cover what it lacks, before first; one
			// that reaches further would move the ack past events the
			// unit still has, and they would be ignored for good.
			if c.first == 0 || m.To >= c.first {
				return 0, fmt.Errorf("%w: gap %d..%d from unit %s covers events its hello said it holds (first %d); reconnect and say hello again", uplinkproto.ErrProtocol, m.From, m.To, u.id, c.first)
			}
			b.gaps = append(b.gaps, [2]int64{b.ack + 1, m.To})
			b.ack = m.To
		case uplinkproto.TypeSnapshot:
			// A snapshot follows the events it includes: its seq is
			// the last one sent. Then the live queue is the same
			// whether built live or reloaded from the store.
			if m.Seq != b.ack {
				return 0, fmt.Errorf("%w: snapshot at seq %d from unit %s, but its events end at %d", uplinkproto.ErrProtocol, m.Seq, u.id, b.ack)
			}
			b.snap = m
		}
	}
	if b.ack == u.ack && b.snap == nil {
		return u.ack, nil
	}
	if err := s.commit(ctx, b); err != nil {
		if errors.Is(err, errStale) {
			// The next connection's welcome must say what is stored.
			if rerr := s.refresh(ctx, u); rerr != nil {
				err = errors.Join(err, rerr)
			}
		}
		return 0, err
	}
	for _, g := range b.gaps {
		s.lg.Error("receiver: unit lost events before sending them (its disk was full)", "unit", u.id, "from", g[0], "to", g[1])
		u.lost += g[1] - g[0] + 1
	}
	u.ack, u.lastAt, u.lastSeen = b.ack, lastAt, b.at
	u.known = max(u.known, b.ack)
	if b.snap != nil {
		// Events of this batch after the snapshot are applied below;
		// those before it are ignored by apply.
		u.state = b.snap.Snap
	}
	if u.state != nil {
		for _, ev := range events {
			apply(u.state, ev)
		}
	}
	s.pub.follow(u.id, events)
	if s.o.HeadsUp.Webhook != "" {
		s.sendHeadsUps(s.pub.due(u.id, u.state, s.headsUpAhead()))
	}
	return b.ack, nil
}

// Command sends a command to a connected unit and waits for its result.
// A command the unit could not decode is refused here with
// [ErrBadCommand]: the unit would take it for a protocol error and hang
// up.
func (s *Server) Command(ctx context.Context, unitID, name string, counter int, reason string) (*uplinkproto.Message, error) {
	switch {
	case name == "" || len(name) > uplinkproto.MaxID || !utf8.ValidString(name):
		return nil, fmt.Errorf("%w: name must be 1 to %d bytes of UTF-8", ErrBadCommand, uplinkproto.MaxID)
	case counter <= 0 || counter > uplinkproto.MaxCounterID:
		return nil, fmt.Errorf("%w: counter %d is not a counter id", ErrBadCommand, counter)
	case len(reason) > uplinkproto.MaxText || !utf8.ValidString(reason):
		return nil, fmt.Errorf("%w: reason must be at most %d bytes of UTF-8", ErrBadCommand, uplinkproto.MaxText)
	}
	s.mu.Lock()
	u := s.units[unitID]
	s.mu.Unlock()
	if u == nil {
		return nil, fmt.Errorf("%w: %s", ErrNoUnit, unitID)
	}
	u.mu.Lock()
	c := u.conn
	u.mu.Unlock()
	if c == nil {
		return nil, fmt.Errorf("%w: %s", ErrNoUnit, unitID)
	}
	m, err := c.command(ctx, name, counter, reason)
	if err != nil {
		return nil, fmt.Errorf("receiver: command to %s: %w", unitID, err)
	}
	return m, nil
}
