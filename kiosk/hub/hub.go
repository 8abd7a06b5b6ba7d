// Package hub fans queue events out to websocket clients: the board, the
// counter and kiosk pages, and other local programs.
//
// Each event is encoded once ([websocket.PreparedMessage]) and handed to
// every client's bounded queue. A client whose queue is full is
// disconnected at once, so a slow or dead client never holds up the
// others; it reconnects with ?since=SEQ and gets what it missed from the
// durable log. A client starts with a snapshot of the state, or with the
// events after the seq it asks for, and then receives every event exactly
// once, in order: a gap between what it has and what arrives is filled
// from the log.
package hub

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"motcua/kiosk/eventlog"
)

// Timing of the connection upkeep.
const (
	writeWait  = 10 * time.Second
	pongWait   = 60 * time.Second
	pingPeriod = pongWait * 9 / 10
	// queueLen is how many events a client may be behind before it is
	// dropped.
	queueLen = 64
	// page is how many events are read from the log at a time when a
	// client catches up.
	page = 256
	// readLimit is the largest message a client may send; clients have
	// nothing to say but pongs and close frames.
	readLimit = 4096
)

// Source is where a client's history comes from: the durable state and log.
type Source interface {
	// Snapshot returns the state as JSON at a durable seq.
	Snapshot(ctx context.Context) (seq int64, state []byte, err error)
	// Since calls fn for the stored events after seq, at most limit.
	Since(ctx context.Context, seq int64, limit int, fn func(eventlog.Record) error) (int64, error)
	// First is the oldest seq still stored (0 when none).
	First(ctx context.Context) (int64, error)
}

// Hub is the set of connected clients. It is safe for concurrent use.
type Hub struct {
	src      Source
	log      *slog.Logger
	upgrader websocket.Upgrader
	max      int

	mu      sync.Mutex
	clients map[*client]struct{}
	head    int64 // last seq published
	closed  bool
	wg      sync.WaitGroup
}

type frame struct {
	seq int64
	msg *websocket.PreparedMessage
}

type client struct {
	conn *websocket.Conn
	send chan frame
	quit chan struct{}
	once sync.Once
}

func (c *client) drop() {
	c.once.Do(func() {
		close(c.quit)
		c.conn.NetConn().Close()
	})
}

// Options configure a [Hub].
type Options struct {
	// CheckOrigin decides whether a browser's Origin may connect. It is
	// required: gorilla's default accepts requests without Origin and
	// same-host ones only, which is not ours to decide here.
	CheckOrigin func(r *http.Request) bool
	// MaxClients caps the connected clients (0: 2000).
	MaxClients int
	Logger     *slog.Logger
}

// New returns a hub whose clients' histories come from src; head is the
// last seq already published (durable) when the hub starts.
func New(src Source, head int64, opts Options) *Hub {
	if opts.MaxClients <= 0 {
		opts.MaxClients = 2000
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Hub{
		src: src,
		log: opts.Logger,
		max: opts.MaxClients,
		upgrader: websocket.Upgrader{
			ReadBufferSize:  512,
			WriteBufferSize: 1024,
			// Buffers of idle clients are returned to the pool, which
			// keeps the memory per client small.
			WriteBufferPool:   &sync.Pool{},
			CheckOrigin:       opts.CheckOrigin,
			EnableCompression: false,
			HandshakeTimeout:  10 * time.Second,
		},
		clients: map[*client]struct{}{},
		head:    head,
	}
}

// Clients returns the number of connected clients.
func (h *Hub) Clients() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients)
}

// Publish sends committed events to every client, in order. A client that
// cannot take them is dropped.
func (h *Hub) Publish(recs []eventlog.Record) {
	frames := make([]frame, 0, len(recs))
	for _, r := range recs {
		pm, err := websocket.NewPreparedMessage(websocket.TextMessage, r.Data)
		if err != nil {
			h.log.Error("hub: prepare event", "seq", r.Seq, "err", err)
			continue
		}
		frames = append(frames, frame{seq: r.Seq, msg: pm})
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(recs) > 0 {
		h.head = recs[len(recs)-1].Seq
	}
	for c := range h.clients {
		for _, f := range frames {
			select {
			case c.send <- f:
				continue
			default:
			}
			delete(h.clients, c)
			c.drop()
			break
		}
	}
}

// ErrFull is returned when the hub has as many clients as it may.
var ErrFull = errors.New("hub: too many websocket clients")

// Serve upgrades the request to a websocket and serves the client until it
// leaves or the hub closes. since < 0 starts with a snapshot.
func (h *Hub) Serve(w http.ResponseWriter, r *http.Request, since int64) error {
	h.mu.Lock()
	full, closed := len(h.clients) >= h.max, h.closed
	h.mu.Unlock()
	if closed {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return nil
	}
	if full {
		http.Error(w, ErrFull.Error(), http.StatusServiceUnavailable)
		return ErrFull
	}
	conn, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return err // the upgrader has answered
	}
	c := &client{conn: conn, send: make(chan frame, queueLen), quit: make(chan struct{})}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		conn.Close()
		return nil
	}
	h.clients[c] = struct{}{}
	h.wg.Add(1)
	h.mu.Unlock()
	defer h.wg.Done()
	defer h.remove(c)

	go h.read(c)
	err = h.write(r.Context(), c, since)
	c.drop()
	if errors.Is(err, errDropped) {
		return nil
	}
	return err
}

func (h *Hub) remove(c *client) {
	h.mu.Lock()
	delete(h.clients, c)
	h.mu.Unlock()
}

// read handles pongs and close frames; clients send nothing else of use.
func (h *Hub) read(c *client) {
	defer c.drop()
	c.conn.SetReadLimit(readLimit)
	c.conn.SetReadDeadline(time.Now().Add(pongWait))
	c.conn.SetPongHandler(func(string) error {
		return c.conn.SetReadDeadline(time.Now().Add(pongWait))
	})
	for {
		if _, _, err := c.conn.NextReader(); err != nil {
			return
		}
	}
}

var errDropped = errors.New("hub: client dropped")

// write is the client's only writer: history first, then live events.
func (h *Hub) write(ctx context.Context, c *client, since int64) error {
	next, err := h.start(ctx, c, since)
	if err != nil {
		return err
	}
	ping := time.NewTicker(pingPeriod)
	defer ping.Stop()
	for {
		select {
		case <-c.quit:
			return errDropped
		case <-ping.C:
			if err := c.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				return err
			}
		case f := <-c.send:
			if f.seq < next {
				continue
			}
			if f.seq > next {
				// Published before this client could see it: fill the gap
				// from the log, which holds everything published.
				if next, err = h.catchUp(ctx, c, next, f.seq-1); err != nil {
					return err
				}
			}
			c.conn.SetWriteDeadline(time.Now().Add(writeWait))
			if err := c.conn.WritePreparedMessage(f.msg); err != nil {
				return err
			}
			next = f.seq + 1
		}
	}
}

// start sends the client's history and returns the next seq it expects.
func (h *Hub) start(ctx context.Context, c *client, since int64) (int64, error) {
	if since >= 0 {
		first, err := h.src.First(ctx)
		if err != nil {
			return 0, err
		}
		h.mu.Lock()
		head := h.head
		h.mu.Unlock()
		kept := since <= head && (first == 0 || since >= first-1)
		if kept {
			return h.catchUp(ctx, c, since+1, -1)
		}
	}
	seq, state, err := h.src.Snapshot(ctx)
	if err != nil {
		return 0, err
	}
	msg := make([]byte, 0, len(state)+48)
	msg = fmt.Appendf(msg, `{"type":"snapshot","seq":%d,"state":`, seq)
	msg = append(msg, state...)
	msg = append(msg, '}')
	c.conn.SetWriteDeadline(time.Now().Add(writeWait))
	if err := c.conn.WriteMessage(websocket.TextMessage, msg); err != nil {
		return 0, err
	}
	return seq + 1, nil
}

// catchUp sends stored events from next up to last (-1: all stored) and
// returns the next seq to send.
func (h *Hub) catchUp(ctx context.Context, c *client, next, last int64) (int64, error) {
	for {
		limit := page
		if last >= 0 {
			if next > last {
				return next, nil
			}
			limit = int(min(int64(page), last-next+1))
		}
		n := 0
		_, err := h.src.Since(ctx, next-1, limit, func(r eventlog.Record) error {
			c.conn.SetWriteDeadline(time.Now().Add(writeWait))
			if err := c.conn.WriteMessage(websocket.TextMessage, r.Data); err != nil {
				return err
			}
			next = r.Seq + 1
			n++
			return nil
		})
		if err != nil {
			return next, err
		}
		if n < limit {
			return next, nil
		}
	}
}

// Close disconnects every client with a close frame and waits for their
// handlers to return. [http.Server.Shutdown] does not close websockets.
func (h *Hub) Close() {
	h.mu.Lock()
	h.closed = true
	clients := make([]*client, 0, len(h.clients))
	for c := range h.clients {
		clients = append(clients, c)
	}
	h.mu.Unlock()
	msg := websocket.FormatCloseMessage(websocket.CloseGoingAway, "motcua is restarting")
	for _, c := range clients {
		c.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
		c.drop()
	}
	h.wg.Wait()
}
