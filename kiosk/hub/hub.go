// Package hub fans queue events out to websocket clients: the board, the
// counter and kiosk pages, and other local programs.
//
// It follows gorilla/websocket's hub model. Each client has one reader
// goroutine and one writer goroutine; the writer owns the connection's
// data frames and takes them from a bounded send queue. One publisher
// goroutine frames each event once ([websocket.PreparedMessage]) and puts
// it on every client's queue without waiting: a client whose queue is
// full has fallen behind and is disconnected at once, so a slow or dead
// client never holds up the others; it reconnects with ?since=SEQ and
// gets what it missed from the durable log.
//
// A client starts with a snapshot of the state, or with the events after
// the seq it asks for, and then receives every event exactly once, in
// order: it is registered before its history is read, so nothing
// published meanwhile is missed, what the history already had is skipped,
// and a gap between what it has and what arrives is filled from the log.
// History is copied out of the log a page at a time before it is written,
// so a client that reads slowly never holds a database connection.
package hub

import (
	"context"
	"errors"
	"fmt"
	"io"
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
	closeWait  = time.Second // Close's wait for writers still busy
	pongWait   = 60 * time.Second
	pingPeriod = pongWait * 9 / 10
	// queueLen is how many messages a client may be behind, beyond what
	// its socket holds, before it is dropped.
	queueLen = 64
	// page is how many events are copied out of the log at a time when a
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
	ctx      context.Context // canceled by Close: history reads stop
	cancel   context.CancelFunc

	mu      sync.Mutex
	clients map[*client]struct{}
	head    int64             // last seq published
	pending []eventlog.Record // published, not yet queued to the clients
	running bool              // the publisher runs
	closed  bool
	wake    chan struct{} // something is pending
	stop    chan struct{} // closed by Close: writers say goodbye, the publisher returns
	stopped chan struct{} // closed by the publisher when it returns
	wg      sync.WaitGroup
}

// message is what a client's writer sends: one event, framed once for
// every client, or a ping (pm nil).
type message struct {
	seq int64
	pm  *websocket.PreparedMessage
	// group is set on a notice (see [Hub.Notify]): only that group's
	// clients get it, outside the sequence of events.
	group string
}

var ping = &message{}

type client struct {
	conn *websocket.Conn
	// send is the client's queue; the publisher sends on it with h.mu
	// held and drop closes it, also with h.mu held.
	send chan *message
	// from is the last seq published when the client came: its history
	// has every event up to it, which is therefore not queued.
	from int64
	// group is what [Hub.ServeGroup] was told; notices go by it.
	group string
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
	ctx, cancel := context.WithCancel(context.Background())
	return &Hub{
		src:    src,
		log:    opts.Logger,
		max:    opts.MaxClients,
		ctx:    ctx,
		cancel: cancel,
		upgrader: websocket.Upgrader{
			// Clients send only control frames and the odd small
			// message; 125 bytes is gorilla's floor (a whole control
			// frame's payload).
			ReadBufferSize: 256,
			// Events go out as prepared frames, which need no buffer;
			// the history borrows one from the pool per message.
			WriteBufferPool:   &sync.Pool{},
			CheckOrigin:       opts.CheckOrigin,
			EnableCompression: false,
			HandshakeTimeout:  10 * time.Second,
		},
		clients: map[*client]struct{}{},
		head:    head,
		wake:    make(chan struct{}, 1),
		stop:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
}

// Clients returns the number of connected clients.
func (h *Hub) Clients() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients)
}

// startLocked starts the publisher once; h.mu is held.
func (h *Hub) startLocked() {
	if !h.running {
		h.running = true
		go h.run()
	}
}

// Publish sends committed events to every client, in order. It does not
// wait: the publisher goroutine frames them and queues them to the
// clients. A client that cannot take them is dropped. The records' Data
// is sent as it is and must not change afterwards.
func (h *Hub) Publish(recs []eventlog.Record) {
	if len(recs) == 0 {
		return
	}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.head = recs[len(recs)-1].Seq
	h.pending = append(h.pending, recs...)
	h.startLocked()
	h.mu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// Notify sends data, a JSON text message outside the sequence of events,
// to the clients of group connected now: it is not kept, not replayed and
// has no seq. A client whose queue is full is dropped, as for events.
func (h *Hub) Notify(group string, data []byte) {
	if group == "" {
		return
	}
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, data)
	if err != nil {
		return // only compression can fail, and there is none
	}
	h.fanout([]*message{{pm: pm, group: group}})
}

// run is the publisher: it queues published events and the pings to every
// client, until Close.
func (h *Hub) run() {
	defer close(h.stopped)
	tick := time.NewTicker(pingPeriod)
	defer tick.Stop()
	var msgs []*message
	for {
		select {
		case <-h.stop:
			return
		case <-tick.C:
			h.fanout([]*message{ping})
		case <-h.wake:
			h.mu.Lock()
			recs := h.pending
			h.pending = nil
			h.mu.Unlock()
			msgs = msgs[:0]
			for _, r := range recs {
				pm, err := websocket.NewPreparedMessage(websocket.TextMessage, r.Data)
				if err != nil {
					// Only compression can fail, and there is none.
					panic(fmt.Sprintf("hub: framing event %d: %v", r.Seq, err))
				}
				msgs = append(msgs, &message{seq: r.Seq, pm: pm})
			}
			h.fanout(msgs)
			clear(msgs)
		}
	}
}

// fanout queues msgs to every client connected now, dropping those whose
// queue is full.
func (h *Hub) fanout(msgs []*message) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.clients {
	queue:
		for _, m := range msgs {
			if m.group != "" && m.group != c.group {
				continue
			}
			if m.pm != nil && m.group == "" && m.seq <= c.from {
				continue
			}
			select {
			case c.send <- m:
			default:
				h.dropLocked(c)
				break queue
			}
		}
	}
}

// drop disconnects c, once; h.mu is not held.
func (h *Hub) drop(c *client) {
	h.mu.Lock()
	h.dropLocked(c)
	h.mu.Unlock()
}

// dropLocked disconnects c, once: its writer stops at the closed queue,
// its reader and a write in progress at the closed socket. h.mu is held.
func (h *Hub) dropLocked(c *client) {
	if _, ok := h.clients[c]; !ok {
		return
	}
	delete(h.clients, c)
	close(c.send)
	c.conn.Close()
}

// ErrFull is returned when the hub has as many clients as it may.
var ErrFull = errors.New("hub: too many websocket clients")

// errBye ends a writer because the hub closes: the client gets 1001.
var errBye = errors.New("hub: closing")

// bye is the close frame every client gets when the hub closes.
var bye = websocket.FormatCloseMessage(websocket.CloseGoingAway, "motcua is restarting")

// Serve upgrades the request to a websocket and returns; the client's
// reader and writer serve it from then on, until it leaves or the hub
// closes. Its writer sends its history first (since < 0: a snapshot).
func (h *Hub) Serve(w http.ResponseWriter, r *http.Request, since int64) error {
	return h.ServeGroup(w, r, since, "")
}

// ServeGroup is [Hub.Serve] for a client of a group (the API uses the
// token's role), which also gets the notices of that group.
func (h *Hub) ServeGroup(w http.ResponseWriter, r *http.Request, since int64, group string) error {
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
	c := &client{conn: conn, send: make(chan *message, queueLen), group: group}
	h.mu.Lock()
	c.from = h.head
	if h.closed {
		h.mu.Unlock()
		conn.WriteControl(websocket.CloseMessage, bye, time.Now().Add(writeWait))
		conn.Close()
		return nil
	}
	h.clients[c] = struct{}{}
	h.startLocked()
	h.wg.Add(2)
	h.mu.Unlock()
	go h.read(c)
	go h.write(c, since)
	return nil
}

// read reads the client's messages and drops them: any message, ping or
// pong keeps the client connected for pongWait more. Gorilla answers
// pings, echoes a close frame and closes with 1009 a message over
// readLimit (its control frames may be written beside the writer's).
func (h *Hub) read(c *client) {
	defer h.wg.Done()
	defer h.drop(c)
	conn := c.conn
	alive := func() { conn.SetReadDeadline(time.Now().Add(pongWait)) }
	conn.SetReadLimit(readLimit)
	alive()
	conn.SetPongHandler(func(string) error { alive(); return nil })
	pong := conn.PingHandler()
	conn.SetPingHandler(func(data string) error { alive(); return pong(data) })
	for {
		_, r, err := conn.NextReader()
		if err != nil {
			return
		}
		if _, err := io.Copy(io.Discard, r); err != nil {
			return
		}
		alive()
	}
}

// write sends the client its history, then what the publisher queues,
// until the client is dropped or the hub closes.
func (h *Hub) write(c *client, since int64) {
	defer h.wg.Done()
	defer h.drop(c)
	next, err := h.start(c, since)
	for err == nil {
		select {
		case m, ok := <-c.send:
			if !ok {
				return
			}
			next, err = h.deliver(c, m, next)
		case <-h.stop:
			err = errBye
		}
	}
	switch {
	case errors.Is(err, errBye):
		c.conn.WriteControl(websocket.CloseMessage, bye, time.Now().Add(writeWait))
	case errors.Is(err, errSource):
		h.log.Warn("websocket client's history", "err", err)
	}
}

// errSource marks a failure to read the history, as against the
// client's connection failing.
var errSource = errors.New("hub: reading the history")

// deliver sends m unless the client has it already, first filling a gap
// from the log, and returns the next seq the client expects.
func (h *Hub) deliver(c *client, m *message, next int64) (int64, error) {
	if m.pm == nil {
		return next, c.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait))
	}
	if m.group != "" {
		c.conn.SetWriteDeadline(time.Now().Add(writeWait))
		return next, c.conn.WritePreparedMessage(m.pm)
	}
	if m.seq < next {
		return next, nil // already sent from the log
	}
	if m.seq > next {
		// Published before this client could see it: fill the gap from
		// the log, which holds everything published.
		var err error
		if next, err = h.catchUp(c, next, m.seq-1); err != nil {
			return next, err
		}
	}
	c.conn.SetWriteDeadline(time.Now().Add(writeWait))
	if err := c.conn.WritePreparedMessage(m.pm); err != nil {
		return next, err
	}
	return m.seq + 1, nil
}

// start sends the client's history and returns the next seq it expects.
func (h *Hub) start(c *client, since int64) (int64, error) {
	if since >= 0 {
		first, err := h.src.First(h.ctx)
		if err != nil {
			return 0, fmt.Errorf("%w: %w", errSource, err)
		}
		h.mu.Lock()
		head := h.head
		h.mu.Unlock()
		if since <= head && (first == 0 || since >= first-1) {
			return h.catchUp(c, since+1, -1)
		}
	}
	seq, state, err := h.src.Snapshot(h.ctx)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", errSource, err)
	}
	msg := make([]byte, 0, len(state)+48)
	msg = fmt.Appendf(msg, `{"type":"snapshot","seq":%d,"state":`, seq)
	msg = append(msg, state...)
	msg = append(msg, '}')
	if err := h.send(c, msg); err != nil {
		return 0, err
	}
	return seq + 1, nil
}

// send writes one message of the client's history, unless the hub closes.
func (h *Hub) send(c *client, msg []byte) error {
	select {
	case <-h.stop:
		return errBye
	default:
	}
	c.conn.SetWriteDeadline(time.Now().Add(writeWait))
	return c.conn.WriteMessage(websocket.TextMessage, msg)
}

// catchUp sends stored events from next up to last (-1: all stored) and
// returns the next seq to send. Each page is copied out of the log before
// it is written: a slow client must not hold one of the log's few read
// connections while its socket drains.
func (h *Hub) catchUp(c *client, next, last int64) (int64, error) {
	var recs []eventlog.Record
	for {
		limit := page
		if last >= 0 {
			if next > last {
				return next, nil
			}
			limit = int(min(int64(page), last-next+1))
		}
		recs = recs[:0]
		_, err := h.src.Since(h.ctx, next-1, limit, func(r eventlog.Record) error {
			recs = append(recs, r)
			return nil
		})
		if err != nil {
			return next, fmt.Errorf("%w: %w", errSource, err)
		}
		for i, r := range recs {
			if err := h.send(c, r.Data); err != nil {
				return next, err
			}
			recs[i] = eventlog.Record{}
			next = r.Seq + 1
		}
		if len(recs) < limit {
			return next, nil
		}
	}
}

// Close disconnects every client with a close frame (1001) and waits for
// their goroutines to return. [http.Server.Shutdown] does not close
// websockets.
func (h *Hub) Close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	running := h.running
	h.mu.Unlock()
	close(h.stop)
	if running {
		<-h.stopped
	}
	done := make(chan struct{})
	go func() {
		h.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(closeWait):
		// A client that does not read holds its writer, a long history
		// its read of the log: cut them off.
		h.cancel()
		h.mu.Lock()
		for c := range h.clients {
			h.dropLocked(c)
		}
		h.mu.Unlock()
		<-done
	}
	h.cancel()
}
