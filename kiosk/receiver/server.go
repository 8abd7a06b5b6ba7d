package receiver

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"motcua/kiosk/queue"
	"motcua/kiosk/uplink"
)

// Errors.
var (
	ErrNoUnit    = errors.New("receiver: unit is not connected")
	ErrClosed    = errors.New("receiver: server is closed")
	ErrBadTokens = errors.New("receiver: tokens file")
)

// batchMax is the most messages stored in one transaction.
const batchMax = 2048

// Options configure a [Server].
type Options struct {
	// Dir is the data directory (receiver.db).
	Dir string
	// Tokens maps each unit's token to its unit id.
	Tokens map[string]string
	Logger *slog.Logger
	// PingEvery is how often each connection is pinged: 20s.
	PingEvery time.Duration
}

// ReadTokens reads a tokens file: one unit per line, "unit-id token";
// blank lines and lines starting with # are skipped. It returns the map
// from token to unit id.
func ReadTokens(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadTokens, err)
	}
	defer f.Close()
	tokens := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 {
			return nil, fmt.Errorf("%w %s:%d: want \"unit-id token\"", ErrBadTokens, path, n)
		}
		if len(fields[1]) < 12 {
			return nil, fmt.Errorf("%w %s:%d: the token of %s is shorter than 12 characters", ErrBadTokens, path, n, fields[0])
		}
		if u, dup := tokens[fields[1]]; dup {
			return nil, fmt.Errorf("%w %s:%d: %s has the same token as %s", ErrBadTokens, path, n, fields[0], u)
		}
		tokens[fields[1]] = fields[0]
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadTokens, err)
	}
	if len(tokens) == 0 {
		return nil, fmt.Errorf("%w %s holds no unit; add lines \"unit-id token\"", ErrBadTokens, path)
	}
	return tokens, nil
}

// Server receives the events of many units. It is safe for concurrent
// use.
type Server struct {
	o        Options
	lg       *slog.Logger
	st       *store
	upgrader websocket.Upgrader

	mu     sync.Mutex
	units  map[string]*unit
	closed bool
	wg     sync.WaitGroup
}

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
	state    *queue.State
	conn     *conn
	gaps     int64
}

type conn struct {
	ws      *websocket.Conn
	wmu     sync.Mutex // one writer at a time
	addr    string
	results map[string]chan *uplink.Message
	rmu     sync.Mutex
}

func (c *conn) write(msg []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return c.ws.WriteMessage(websocket.TextMessage, msg)
}

// Open opens the store in opts.Dir and loads the units' queues.
func Open(ctx context.Context, opts Options) (*Server, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.PingEvery <= 0 {
		opts.PingEvery = 20 * time.Second
	}
	st, err := openStore(opts.Dir)
	if err != nil {
		return nil, err
	}
	s := &Server{o: opts, lg: opts.Logger, st: st, units: map[string]*unit{}}
	s.upgrader = websocket.Upgrader{
		Subprotocols:     []string{uplink.Subprotocol},
		HandshakeTimeout: 10 * time.Second,
		ReadBufferSize:   16 << 10,
		WriteBufferSize:  4096,
		// Units are programs, not browsers.
		CheckOrigin: func(r *http.Request) bool { return r.Header.Get("Origin") == "" },
	}
	loaded, err := st.load(ctx)
	if err != nil {
		st.db.Close()
		return nil, err
	}
	for _, l := range loaded {
		s.units[l.id] = &unit{id: l.id, ack: l.ack, known: l.ack, state: l.state}
	}
	return s, nil
}

// Close disconnects every unit and closes the store.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	var conns []*conn
	for _, u := range s.units {
		u.mu.Lock()
		if u.conn != nil {
			conns = append(conns, u.conn)
		}
		u.mu.Unlock()
	}
	s.mu.Unlock()
	msg := websocket.FormatCloseMessage(websocket.CloseGoingAway, "receiver is stopping")
	for _, c := range conns {
		c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
		c.ws.Close()
	}
	s.wg.Wait()
	return s.st.db.Close()
}

// Handler serves /ingest (units' websockets), / (the page), /api/units
// (JSON) and POST /api/units/{unit}/commands (loopback only).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ingest", s.ingest)
	mux.HandleFunc("GET /api/units", s.apiUnits)
	mux.HandleFunc("POST /api/units/{unit}/commands", s.apiCommand)
	mux.HandleFunc("GET /{$}", s.page)
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
	for t, unit := range s.o.Tokens {
		if subtle.ConstantTimeCompare([]byte(t), []byte(tok)) == 1 {
			return unit
		}
	}
	return ""
}

func (s *Server) ingest(w http.ResponseWriter, r *http.Request) {
	unitID := s.authenticate(r)
	if unitID == "" {
		s.lg.Warn("receiver: refused a unit: no or unknown token", "addr", r.RemoteAddr)
		w.Header().Set("WWW-Authenticate", `Bearer realm="motcua uplink"`)
		http.Error(w, "unknown token: give this unit a line in the receiver's tokens file", http.StatusUnauthorized)
		return
	}
	if !slices.Contains(websocket.Subprotocols(r), uplink.Subprotocol) {
		http.Error(w, "this endpoint speaks websocket subprotocol "+uplink.Subprotocol, http.StatusBadRequest)
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
	c := &conn{ws: ws, addr: r.RemoteAddr, results: map[string]chan *uplink.Message{}}
	err = s.serve(r.Context(), unitID, c)
	ws.Close()
	var ce *websocket.CloseError
	switch {
	case err == nil, errors.As(err, &ce) && (ce.Code == websocket.CloseGoingAway || ce.Code == websocket.CloseNormalClosure):
		s.lg.Info("receiver: unit left", "unit", unitID, "addr", r.RemoteAddr)
	default:
		s.lg.Warn("receiver: unit disconnected", "unit", unitID, "addr", r.RemoteAddr, "err", err)
	}
}

// inbound is a message read from a unit, or the error that ended reading.
type inbound struct {
	m   *uplink.Message
	err error
}

// serve runs one unit's connection.
func (s *Server) serve(ctx context.Context, unitID string, c *conn) error {
	ws := c.ws
	ws.SetReadLimit(uplink.MaxMessage)
	pongWait := 3 * s.o.PingEvery
	ws.SetReadDeadline(time.Now().Add(15 * time.Second))
	_, data, err := ws.ReadMessage()
	if err != nil {
		return fmt.Errorf("receiver: waiting for hello: %w", err)
	}
	hello, err := uplink.DecodeClient(data)
	if err != nil {
		return err
	}
	if hello.Type != uplink.TypeHello {
		return fmt.Errorf("%w: %s before hello", uplink.ErrProtocol, hello.Type)
	}
	if hello.Unit != unitID {
		msg := websocket.FormatCloseMessage(websocket.ClosePolicyViolation, "token is not the unit's")
		ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
		return fmt.Errorf("receiver: hello from unit %q with the token of %q", hello.Unit, unitID)
	}
	u := s.unit(unitID)
	u.mu.Lock()
	old := u.conn
	u.conn = c
	u.known = max(u.known, hello.Last)
	u.lastSeen = time.Now()
	ack := u.ack
	u.mu.Unlock()
	if old != nil {
		// The unit came back before its old connection timed out.
		old.ws.Close()
	}
	defer func() {
		u.mu.Lock()
		if u.conn == c {
			u.conn = nil
		}
		u.mu.Unlock()
	}()
	s.lg.Info("receiver: unit connected", "unit", unitID, "addr", c.addr, "ack", ack, "first", hello.First, "last", hello.Last)
	if err := c.write(uplink.Welcome(ack)); err != nil {
		return err
	}

	ws.SetReadDeadline(time.Now().Add(pongWait))
	ws.SetPongHandler(func(string) error { return ws.SetReadDeadline(time.Now().Add(pongWait)) })
	// Bounded: a unit that sends faster than the store commits waits
	// in TCP, not in memory here.
	in := make(chan inbound, 256)
	go func() {
		defer close(in)
		for {
			_, data, err := ws.ReadMessage()
			if err != nil {
				in <- inbound{err: err}
				return
			}
			ws.SetReadDeadline(time.Now().Add(pongWait))
			m, err := uplink.DecodeClient(data)
			if err == nil && m.Type == uplink.TypeHello {
				err = fmt.Errorf("%w: a second hello", uplink.ErrProtocol)
			}
			if err != nil {
				in <- inbound{err: err}
				return
			}
			in <- inbound{m: m}
		}
	}()
	defer func() {
		ws.Close()
		for range in {
		}
	}()
	ping := time.NewTicker(s.o.PingEvery)
	defer ping.Stop()
	batch := make([]*uplink.Message, 0, batchMax)
	for {
		var first inbound
		select {
		case <-ping.C:
			c.wmu.Lock()
			err := ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(10*time.Second))
			c.wmu.Unlock()
			if err != nil {
				return err
			}
			continue
		case first = <-in:
		}
		if first.err != nil {
			return first.err
		}
		batch = append(batch[:0], first.m)
		var readErr error
	drain:
		for len(batch) < batchMax {
			select {
			case x, ok := <-in:
				if !ok {
					break drain
				}
				if x.err != nil {
					readErr = x.err
					break drain
				}
				batch = append(batch, x.m)
			default:
				break drain
			}
		}
		newAck, err := s.store(ctx, u, c, batch)
		if err != nil {
			return err
		}
		if newAck > ack {
			ack = newAck
			if err := c.write(uplink.Ack(ack)); err != nil {
				return err
			}
		}
		if readErr != nil {
			return readErr
		}
	}
}

// store writes a batch of a unit's messages in one transaction and
// returns the unit's ack after it.
func (s *Server) store(ctx context.Context, u *unit, c *conn, batch []*uplink.Message) (int64, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.conn != c {
		return 0, errors.New("receiver: the unit connected again; this older connection ends")
	}
	tx, err := s.st.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("receiver: store: %w", err)
	}
	defer tx.Rollback()
	ack, lastAt := u.ack, u.lastAt
	var snap *uplink.Message
	var events []*queue.Event
	var gaps [][2]int64
	ins, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO events(unit, seq, at, name, data) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return 0, fmt.Errorf("receiver: store: %w", err)
	}
	defer ins.Close()
	for _, m := range batch {
		switch m.Type {
		case uplink.TypeEvent:
			if m.Seq <= ack {
				continue // already stored: a resend after a reconnect
			}
			if m.Seq != ack+1 {
				return 0, fmt.Errorf("%w: event %d after %d from unit %s: the unit skipped events without a gap message", uplink.ErrProtocol, m.Seq, ack, u.id)
			}
			if _, err := ins.ExecContext(ctx, u.id, m.Seq, m.At, m.Event, m.Raw); err != nil {
				return 0, fmt.Errorf("receiver: store: %w", err)
			}
			ack, lastAt = m.Seq, m.At
			var ev queue.Event
			if json.Unmarshal(m.Raw, &ev) == nil {
				events = append(events, &ev)
			}
		case uplink.TypeGap:
			if m.To <= ack {
				continue
			}
			if m.From > ack+1 {
				return 0, fmt.Errorf("%w: gap from %d after %d from unit %s", uplink.ErrProtocol, m.From, ack, u.id)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO gaps(unit, from_seq, to_seq, noted_at) VALUES (?, ?, ?, ?)`, u.id, ack+1, m.To, time.Now().UTC().Format(time.RFC3339)); err != nil {
				return 0, fmt.Errorf("receiver: store: %w", err)
			}
			gaps = append(gaps, [2]int64{ack + 1, m.To})
			ack = m.To
		case uplink.TypeSnapshot:
			snap = m
		case uplink.TypeResult:
			c.rmu.Lock()
			ch := c.results[m.ID]
			delete(c.results, m.ID)
			c.rmu.Unlock()
			if ch != nil {
				ch <- m
			}
		}
	}
	var state *queue.State
	if snap != nil {
		var st queue.State
		if err := json.Unmarshal(snap.State, &st); err != nil {
			return 0, fmt.Errorf("%w: snapshot %d of unit %s: %v", uplink.ErrProtocol, snap.Seq, u.id, err)
		}
		st.Seq = snap.Seq
		state = &st
	}
	if ack != u.ack || snap != nil {
		q := `INSERT INTO units(unit, ack) VALUES (?, ?) ON CONFLICT(unit) DO UPDATE SET ack = excluded.ack`
		args := []any{u.id, ack}
		if snap != nil {
			q = `INSERT INTO units(unit, ack, snapshot_seq, snapshot) VALUES (?, ?, ?, ?) ON CONFLICT(unit) DO UPDATE SET ack = excluded.ack, snapshot_seq = excluded.snapshot_seq, snapshot = excluded.snapshot`
			args = append(args, snap.Seq, []byte(snap.State))
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return 0, fmt.Errorf("receiver: store: %w", err)
		}
		if err := tx.Commit(); err != nil {
			return 0, fmt.Errorf("receiver: store: %w", err)
		}
	}
	for _, g := range gaps {
		s.lg.Error("receiver: unit lost events before sending them (its disk was full)", "unit", u.id, "from", g[0], "to", g[1])
		u.gaps += g[1] - g[0] + 1
	}
	u.ack, u.lastAt, u.lastSeen = ack, lastAt, time.Now()
	u.known = max(u.known, ack)
	if state != nil {
		// Events in this batch after the snapshot are applied below.
		u.state = state
	}
	if u.state != nil {
		for _, ev := range events {
			apply(u.state, ev)
		}
	}
	return ack, nil
}

// Command sends a command to a connected unit and waits for its result.
func (s *Server) Command(ctx context.Context, unitID, name string, counter int, reason string) (*uplink.Message, error) {
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
	b := make([]byte, 8)
	rand.Read(b)
	id := hex.EncodeToString(b)
	ch := make(chan *uplink.Message, 1)
	c.rmu.Lock()
	c.results[id] = ch
	c.rmu.Unlock()
	defer func() {
		c.rmu.Lock()
		delete(c.results, id)
		c.rmu.Unlock()
	}()
	if err := c.write(uplink.Command(id, name, counter, reason)); err != nil {
		return nil, fmt.Errorf("receiver: command to %s: %w", unitID, err)
	}
	select {
	case m := <-ch:
		return m, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("receiver: command to %s: %w", unitID, ctx.Err())
	}
}

// UnitStatus is one unit as the page and /api/units show it.
type UnitStatus struct {
	Unit      string       `json:"unit"`
	Connected bool         `json:"connected"`
	Addr      string       `json:"addr,omitempty"`
	Ack       int64        `json:"ack"`
	LagEvents int64        `json:"lag_events"`
	LastEvent string       `json:"last_event_at,omitempty"`
	LagSecs   float64      `json:"last_event_age_s"`
	LastSeen  time.Time    `json:"last_seen"`
	Lost      int64        `json:"lost_events"`
	State     *queue.State `json:"state"`
}

// Units returns every unit's status, sorted by id. The states are
// copies.
func (s *Server) Units() []UnitStatus {
	s.mu.Lock()
	units := make([]*unit, 0, len(s.units))
	for _, u := range s.units {
		units = append(units, u)
	}
	s.mu.Unlock()
	slices.SortFunc(units, func(a, b *unit) int { return strings.Compare(a.id, b.id) })
	out := make([]UnitStatus, 0, len(units))
	for _, u := range units {
		u.mu.Lock()
		st := UnitStatus{Unit: u.id, Connected: u.conn != nil, Ack: u.ack, LagEvents: max(u.known-u.ack, 0),
			LastEvent: u.lastAt, LastSeen: u.lastSeen, Lost: u.gaps}
		if u.conn != nil {
			st.Addr = u.conn.addr
		}
		if t, err := time.Parse(time.RFC3339Nano, u.lastAt); err == nil {
			st.LagSecs = time.Since(t).Seconds()
		}
		if u.state != nil {
			// A deep copy through JSON: the page renders outside the lock.
			if b, err := json.Marshal(u.state); err == nil {
				var cp queue.State
				if json.Unmarshal(b, &cp) == nil {
					cp.Seq = u.state.Seq
					st.State = &cp
				}
			}
		}
		u.mu.Unlock()
		out = append(out, st)
	}
	return out
}

func (s *Server) apiUnits(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"units": s.Units()})
}

// apiCommand sends a command to a unit; only from this machine.
func (s *Server) apiCommand(w http.ResponseWriter, r *http.Request) {
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		http.Error(w, `{"error":{"code":"forbidden","message":"commands are accepted from this machine only"}}`, http.StatusForbidden)
		return
	}
	var body struct {
		Name    string `json:"name"`
		Counter int    `json:"counter"`
		Reason  string `json:"reason"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&body); err != nil {
		http.Error(w, `{"error":{"code":"bad_request","message":"body must be {\"name\":\"counter.next\",\"counter\":1}"}}`, http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
	defer cancel()
	m, err := s.Command(ctx, r.PathValue("unit"), body.Name, body.Counter, body.Reason)
	if err != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadGateway)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": "unit_unreachable", "message": err.Error()}})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(m.Raw)
}

// Dir is the data directory.
func (s *Server) Dir() string { return s.o.Dir }
