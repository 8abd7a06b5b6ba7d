// Package hub fans queue events out to websocket clients: the board, the
// counter and kiosk pages, and other local programs.
//
// It follows gorilla/websocket's hub model, with the writer goroutine
// started on demand. Each client has one reader goroutine (gorilla's
// [websocket.Conn]: pings answered, close echoed, oversized messages
// refused). One publisher goroutine frames each event once
// ([websocket.PreparedMessage]) and offers it to every client: to a client
// that is caught up and whose socket takes the frame at once, the
// publisher writes it itself; otherwise the event goes on the client's
// bounded queue and the client's writer goroutine, started for it, sends
// the queue and returns when it is empty. So an idle client costs its
// reader and its Conn, a broadcast wakes no goroutine per client, and at
// most one goroutine writes a client's data frames at a time. A client
// whose queue is full has fallen behind and is disconnected at once, so a
// slow or dead client never holds up the others; it reconnects with
// ?since=SEQ and gets what it missed from the durable log.
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
	head    int64      // last seq published
	pending []*message // published events and notices, not yet offered
	running bool       // the publisher runs
	closed  bool
	wake    chan struct{} // something is pending
	stop    chan struct{} // closed by Close: writers say goodbye, the publisher returns
	stopped chan struct{} // closed by the publisher when it returns
	wg      sync.WaitGroup

	// list is the publisher's copy of the clients for one offer.
	list []*client
}

// message is what a client gets: one event, framed once for every
// client, or a ping (pm nil).
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
	sock *sock
	// from is the last seq published when the client came: its history
	// has every event up to it, which is therefore not queued. It and
	// group do not change once the client is registered.
	from int64
	// group is what [Hub.ServeGroup] was told; notices go by it.
	group string

	mu sync.Mutex // guards what follows; never held while taking h.mu
	// busy is set while one goroutine owns the client's data frames: its
	// writer goroutine, or the publisher writing to it directly.
	busy bool
	// queue holds what the writer goroutine is to send, at most
	// queueLen; nil when empty.
	queue []*message
	gone  bool // dropped: nothing more is written
	// next is the next seq the client expects; only the owner of the
	// data frames (busy) reads or writes it.
	next int64
}

// wants says whether m is for c.
func (c *client) wants(m *message) bool {
	switch {
	case m.group != "":
		return m.group == c.group
	case m.pm != nil:
		return m.seq > c.from
	}
	return true // a ping
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
			ReadBufferSize: 125,
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

// post hands msgs to the publisher; head, when not 0, is the last seq
// among them.
func (h *Hub) post(msgs []*message, head int64) {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	if head != 0 {
		h.head = head
	}
	h.pending = append(h.pending, msgs...)
	h.startLocked()
	h.mu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// Publish sends committed events to every client, in order. It does not
// wait for the clients: the publisher goroutine sends them on. A client
// that cannot take them is dropped. The records' Data is sent as it is and
// must not change afterwards.
func (h *Hub) Publish(recs []eventlog.Record) {
	if len(recs) == 0 {
		return
	}
	msgs := make([]*message, len(recs))
	for i, r := range recs {
		pm, err := websocket.NewPreparedMessage(websocket.TextMessage, r.Data)
		if err != nil {
			// Only compression can fail, and there is none.
			panic(fmt.Sprintf("hub: framing event %d: %v", r.Seq, err))
		}
		msgs[i] = &message{seq: r.Seq, pm: pm}
	}
	h.post(msgs, recs[len(recs)-1].Seq)
}

// Notify sends data, a JSON text message outside the sequence of events,
// to the clients of group connected when the publisher sends it on, in
// order with the events published around it. It is not kept, not replayed
// and has no seq. A client whose queue is full is dropped, as for events.
func (h *Hub) Notify(group string, data []byte) {
	if group == "" {
		return
	}
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, data)
	if err != nil {
		return // only compression can fail, and there is none
	}
	h.post([]*message{{pm: pm, group: group}}, 0)
}

// run is the publisher: it offers what is published and the pings to
// every client, until Close.
func (h *Hub) run() {
	defer close(h.stopped)
	tick := time.NewTicker(pingPeriod)
	defer tick.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-tick.C:
			h.offerAll([]*message{ping})
		case <-h.wake:
			h.offerAll(nil)
		}
	}
}

// offerAll offers msgs and what is pending to every client connected now.
// Taking the pending messages and the list of clients at one moment is
// what makes the history of a client that comes later cover them.
func (h *Hub) offerAll(msgs []*message) {
	h.mu.Lock()
	msgs = append(msgs, h.pending...)
	h.pending = nil
	for c := range h.clients {
		h.list = append(h.list, c)
	}
	list := h.list
	h.mu.Unlock()
	for _, c := range list {
		h.offer(c, msgs)
	}
	clear(list)
	h.list = list[:0]
}

// offer gives msgs to c: written at once when nobody writes to c and its
// socket takes them, else queued for its writer goroutine.
func (h *Hub) offer(c *client, msgs []*message) {
	c.mu.Lock()
	if c.gone {
		c.mu.Unlock()
		return
	}
	if c.busy {
		full := c.enqueueLocked(msgs)
		c.mu.Unlock()
		if full {
			h.drop(c)
		}
		return
	}
	c.busy = true
	c.mu.Unlock()
	for i, m := range msgs {
		if !c.wants(m) {
			continue
		}
		if m.group == "" && m.pm != nil {
			if m.seq < c.next {
				continue // already sent from the log
			}
			if m.seq > c.next {
				// A gap, which only the log can fill: the writer's work.
				h.handOff(c, msgs[i:])
				return
			}
		}
		behind, err := h.writeNow(c, m)
		if err != nil {
			h.drop(c)
			h.release(c)
			return
		}
		if m.group == "" && m.pm != nil {
			c.next = m.seq + 1
		}
		if behind {
			h.handOff(c, msgs[i+1:])
			return
		}
	}
	h.release(c)
}

// enqueueLocked queues what of msgs is for c and reports whether its
// queue overflowed; c.mu is held.
func (c *client) enqueueLocked(msgs []*message) (full bool) {
	for _, m := range msgs {
		if !c.wants(m) {
			continue
		}
		if len(c.queue) == queueLen {
			return true
		}
		if c.queue == nil {
			c.queue = make([]*message, 0, min(len(msgs), queueLen))
		}
		c.queue = append(c.queue, m)
	}
	return false
}

// handOff queues msgs to c, whose data frames the caller owns, and starts
// its writer goroutine, which owns them from then on.
func (h *Hub) handOff(c *client, msgs []*message) {
	c.mu.Lock()
	full := c.enqueueLocked(msgs)
	c.mu.Unlock()
	if full {
		h.drop(c)
	}
	h.wg.Add(1)
	go h.write(c, false, 0)
}

// release gives up the ownership of c's data frames, or hands them to a
// writer goroutine when c has something left to send.
func (h *Hub) release(c *client) {
	c.mu.Lock()
	if !c.gone && (len(c.queue) > 0 || c.sock.behind()) {
		c.mu.Unlock()
		h.wg.Add(1)
		go h.write(c, false, 0)
		return
	}
	c.busy = false
	c.queue = nil
	c.mu.Unlock()
}

// writeNow writes m to c from the publisher: a write that the socket
// cannot take at once returns early, keeping the rest for c's writer
// goroutine (behind).
func (h *Hub) writeNow(c *client, m *message) (behind bool, err error) {
	c.sock.setSoft(true)
	if m.pm == nil {
		err = c.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait))
	} else {
		err = c.conn.WritePreparedMessage(m.pm)
	}
	return c.sock.setSoft(false), err
}

// drop disconnects c, once; h.mu is not held.
func (h *Hub) drop(c *client) {
	h.mu.Lock()
	h.dropLocked(c)
	h.mu.Unlock()
}

// dropLocked disconnects c, once: its writer stops before its next
// message, its reader and a write in progress at the closed socket. h.mu
// is held.
func (h *Hub) dropLocked(c *client) {
	if _, ok := h.clients[c]; !ok {
		return
	}
	delete(h.clients, c)
	c.mu.Lock()
	c.gone = true
	c.queue = nil
	c.mu.Unlock()
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
	s := &sock{}
	conn, err := h.upgrader.Upgrade(hijacker{w, s}, r, nil)
	if err != nil {
		return err // the upgrader has answered
	}
	// The history's writer owns the data frames from the start: what is
	// published meanwhile is queued.
	c := &client{conn: conn, sock: s, group: group, busy: true}
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
	go h.write(c, true, since)
	return nil
}

// read reads the client's messages and drops them: any message, ping or
// pong keeps the client connected for pongWait more. Gorilla answers
// pings, echoes a close frame and closes with 1009 a message over
// readLimit (its control frames may be written beside the data frames).
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

// write owns c's data frames until its queue is empty: first the client's
// history when history is set (since < 0: a snapshot), then what is
// queued. It returns when there is nothing left to send, the client is
// dropped or the hub closes.
func (h *Hub) write(c *client, history bool, since int64) {
	defer h.wg.Done()
	var err error
	if history {
		c.next, err = h.start(c, since)
	}
	for err == nil {
		c.mu.Lock()
		if c.gone {
			c.mu.Unlock()
			return
		}
		// Checked with c.mu held: Close, which looks for clients nobody
		// writes to after it closes h.stop, either sees this writer gone
		// idle or this writer sees h.stop.
		select {
		case <-h.stop:
			c.mu.Unlock()
			err = errBye
			continue
		default:
		}
		msgs := c.queue
		c.queue = nil
		if len(msgs) == 0 && !c.sock.behind() {
			c.busy = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		if len(msgs) == 0 {
			err = c.sock.flush(time.Now().Add(writeWait))
		}
		for i, m := range msgs {
			if err = h.deliver(c, m); err != nil {
				break
			}
			msgs[i] = nil
		}
	}
	switch {
	case errors.Is(err, errBye):
		c.conn.WriteControl(websocket.CloseMessage, bye, time.Now().Add(writeWait))
	case errors.Is(err, errSource):
		h.log.Warn("websocket client's history", "err", err)
	}
	h.drop(c)
}

// errSource marks a failure to read the history, as against the
// client's connection failing.
var errSource = errors.New("hub: reading the history")

// deliver sends m unless the client has it already, first filling a gap
// from the log. The caller owns c's data frames.
func (h *Hub) deliver(c *client, m *message) error {
	if m.pm == nil {
		return c.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait))
	}
	if m.group != "" {
		c.conn.SetWriteDeadline(time.Now().Add(writeWait))
		return c.conn.WritePreparedMessage(m.pm)
	}
	if m.seq < c.next {
		return nil // already sent from the log
	}
	if m.seq > c.next {
		// Published before this client could see it: fill the gap from
		// the log, which holds everything published.
		var err error
		if c.next, err = h.catchUp(c, c.next, m.seq-1); err != nil {
			return err
		}
	}
	c.conn.SetWriteDeadline(time.Now().Add(writeWait))
	if err := c.conn.WritePreparedMessage(m.pm); err != nil {
		return err
	}
	c.next = m.seq + 1
	return nil
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
		<-h.stopped // the publisher writes no more
	}
	// A client nobody writes to gets a writer to say goodbye; busy ones
	// say it before their next message.
	h.mu.Lock()
	for c := range h.clients {
		c.mu.Lock()
		if !c.busy {
			c.busy = true
			h.wg.Add(1)
			go h.write(c, false, 0)
		}
		c.mu.Unlock()
	}
	h.mu.Unlock()
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
