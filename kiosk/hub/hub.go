// Package hub fans queue events out to websocket clients: the board, the
// counter and kiosk pages, and other local programs.
//
// Each event is framed once and written to every client by one publisher
// goroutine, without waiting: a client whose socket takes the frame at
// once (the usual case) costs one write(2) and no goroutine wake-up. A
// client whose socket is full gets a short-lived goroutine that writes
// its backlog; one that falls more than a bounded queue behind is
// disconnected at once, so a slow or dead client never holds up the
// others; it reconnects with ?since=SEQ and gets what it missed from the
// durable log. A client starts with a snapshot of the state, or with the
// events after the seq it asks for, and then receives every event exactly
// once, in order: a gap between what it has and what arrives is filled
// from the log.
//
// An idle client costs one goroutine (its reader) and its connection: the
// HTTP handler returns once the history is sent, which frees its stack
// and the server's buffers, and one hub-wide loop sends the pings.
package hub

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"github.com/gorilla/websocket"

	"motcua/kiosk/eventlog"
)

// Timing of the connection upkeep.
const (
	writeWait  = 10 * time.Second
	closeWait  = time.Second // Close's wait for writers busy with a backlog
	pongWait   = 60 * time.Second
	pingPeriod = pongWait * 9 / 10
	// queueLen is how many frames a client may be behind, beyond what its
	// socket holds, before it is dropped.
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
	ctx      context.Context // canceled by Close: history reads stop
	cancel   context.CancelFunc

	mu      sync.Mutex
	clients map[*client]struct{}
	head    int64     // last seq published
	pending [][]frame // published, not yet written by the publisher
	running bool      // the publisher runs
	closed  bool
	wake    chan struct{} // something is pending
	stop    chan struct{} // closed by Close: the publisher returns
	stopped chan struct{} // closed by the publisher when it returns
	wg      sync.WaitGroup

	list []*client // the publisher's copy of clients
}

// frame is one websocket frame, header included, ready for the socket.
type frame struct {
	seq  int64 // the event's seq; 0 for control frames and frame rests
	data []byte
	last bool // a close frame: the connection ends after it
}

// Websocket opcodes with the FIN bit set (RFC 6455, section 5.2).
const (
	finText  = 0x81
	finClose = 0x88
	finPing  = 0x89
	finPong  = 0x8a
)

// encode frames payload as an unfragmented, unmasked server frame.
func encode(op byte, payload []byte) []byte {
	n := len(payload)
	b := make([]byte, 0, n+10)
	b = append(b, op)
	switch {
	case n < 126:
		b = append(b, byte(n))
	case n <= 0xffff:
		b = append(b, 126, byte(n>>8), byte(n))
	default:
		b = append(b, 127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	return append(b, payload...)
}

var pingFrame = []byte{finPing, 0}

type client struct {
	nc  net.Conn
	raw syscall.RawConn // nil: no write without waiting; the backlog path writes

	mu      sync.Mutex
	busy    bool    // a goroutine owns the socket: history or backlog
	next    int64   // the next event seq the client expects
	queue   []frame // frames waiting while busy
	dropped bool
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
			ReadBufferSize: 512,
			// The hub reads and writes frames itself after the
			// handshake; with a pool gorilla keeps no write buffer.
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
// wait for the writes: the publisher goroutine does them. A client that
// cannot take them is dropped.
func (h *Hub) Publish(recs []eventlog.Record) {
	if len(recs) == 0 {
		return
	}
	frames := make([]frame, 0, len(recs))
	for _, r := range recs {
		frames = append(frames, frame{seq: r.Seq, data: encode(finText, r.Data)})
	}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.head = recs[len(recs)-1].Seq
	h.pending = append(h.pending, frames)
	h.startLocked()
	h.mu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// run is the publisher: it writes published frames and the pings to every
// client, until Close.
func (h *Hub) run() {
	defer close(h.stopped)
	ping := time.NewTicker(pingPeriod)
	defer ping.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-ping.C:
			h.fanout([]frame{{data: pingFrame}})
		case <-h.wake:
			h.mu.Lock()
			batches := h.pending
			h.pending = nil
			h.mu.Unlock()
			for _, frames := range batches {
				h.fanout(frames)
			}
		}
	}
}

// fanout hands frames to every client connected now.
func (h *Hub) fanout(frames []frame) {
	h.mu.Lock()
	list := h.list[:0]
	for c := range h.clients {
		list = append(list, c)
	}
	h.mu.Unlock()
	for _, c := range list {
		for _, f := range frames {
			if !h.deliver(c, f) {
				h.drop(c)
				break
			}
		}
	}
	clear(list)
	h.list = list[:0]
}

// deliver writes f to c's socket if it takes it at once, or queues it
// behind the frames c's writer still has. It reports false when c must
// be dropped: its queue is full or its socket failed.
func (h *Hub) deliver(c *client, f frame) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.dropped:
		return true
	case c.busy:
		if len(c.queue) >= queueLen {
			return false
		}
		c.queue = append(c.queue, f)
		return true
	case f.seq != 0 && f.seq < c.next:
		return true // already sent from the log
	case f.seq > c.next:
		// A gap, which the backlog writer fills from the log.
		c.queue = append(c.queue, f)
		h.backlogLocked(c)
		return true
	}
	n, err := c.tryWrite(f.data)
	if err != nil {
		return false
	}
	if f.seq != 0 {
		c.next = f.seq + 1
	}
	if n < len(f.data) {
		c.queue = append(c.queue, frame{data: f.data[n:]})
		h.backlogLocked(c)
	}
	return true
}

// backlogLocked starts a goroutine that writes c's queue; c.mu is held.
func (h *Hub) backlogLocked(c *client) {
	c.busy = true
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		if err := h.backlog(c); err != nil {
			h.drop(c)
		}
	}()
}

// tryWrite writes what the socket takes without waiting.
func (c *client) tryWrite(b []byte) (int, error) {
	if c.raw == nil {
		return 0, nil
	}
	var n int
	var werr error
	err := c.raw.Write(func(fd uintptr) bool {
		// The socket does not block, so the scheduler need not hear of
		// this call: a plain syscall.Write lets the runtime hand the P
		// to another thread mid-fan-out, which on one core costs more
		// than the write itself.
		for {
			r, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)))
			if e == syscall.EINTR {
				continue
			}
			if e != 0 {
				werr = e
			} else {
				n = int(r)
			}
			return true
		}
	})
	if werr == syscall.EAGAIN {
		werr = nil
	}
	if err == nil {
		err = werr
	}
	return n, err
}

// write writes b, waiting at most writeWait; only the goroutine that set
// c.busy calls it.
func (c *client) write(b []byte) error {
	c.nc.SetWriteDeadline(time.Now().Add(writeWait))
	_, err := c.nc.Write(b)
	return err
}

// backlog writes c's queue until it is empty, filling gaps from the log,
// then hands the socket back to the publisher. Only the goroutine that
// set c.busy calls it.
func (h *Hub) backlog(c *client) error {
	for {
		c.mu.Lock()
		if c.dropped {
			c.mu.Unlock()
			return errDropped
		}
		if len(c.queue) == 0 {
			c.mu.Unlock()
			// The publisher's writes must not meet an old deadline.
			c.nc.SetWriteDeadline(time.Time{})
			c.mu.Lock()
			if len(c.queue) == 0 {
				c.busy = false
				c.queue = nil
				c.mu.Unlock()
				return nil
			}
			c.mu.Unlock()
			continue
		}
		f := c.queue[0]
		c.queue = c.queue[1:]
		next := c.next
		c.mu.Unlock()
		switch {
		case f.seq == 0:
		case f.seq < next:
			continue
		case f.seq > next:
			// Published before this client could see it: fill the gap
			// from the log, which holds everything published.
			var err error
			if next, err = h.catchUp(h.ctx, c, next, f.seq-1); err != nil {
				return err
			}
		}
		if err := c.write(f.data); err != nil {
			return err
		}
		if f.last {
			return errDropped
		}
		if f.seq != 0 {
			next = f.seq + 1
		}
		c.mu.Lock()
		c.next = next
		c.mu.Unlock()
	}
}

func (h *Hub) drop(c *client) {
	h.mu.Lock()
	delete(h.clients, c)
	h.mu.Unlock()
	c.mu.Lock()
	c.dropped = true
	c.queue = nil
	c.mu.Unlock()
	c.nc.Close()
}

// ErrFull is returned when the hub has as many clients as it may.
var ErrFull = errors.New("hub: too many websocket clients")

var errDropped = errors.New("hub: client dropped")

// Serve upgrades the request to a websocket, sends the client its history
// (since < 0: a snapshot) and returns; the hub serves the client from
// then on, until it leaves or the hub closes.
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
	// From here on the hub reads and writes the connection itself; the
	// upgrader has checked that nothing was read ahead.
	c := &client{nc: conn.NetConn(), busy: true}
	if sc, ok := c.nc.(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			c.raw = raw
		}
	}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		c.tryWrite(bye)
		c.nc.Close()
		return nil
	}
	h.clients[c] = struct{}{}
	h.startLocked()
	h.wg.Add(2) // the reader, and this handler until the history is sent
	h.mu.Unlock()
	defer h.wg.Done()
	go h.read(c)

	next, err := h.start(h.ctx, c, since)
	if err == nil {
		c.mu.Lock()
		c.next = next
		c.mu.Unlock()
		err = h.backlog(c)
	}
	if err != nil {
		h.drop(c)
		if errors.Is(err, errDropped) {
			return nil
		}
	}
	return err
}

// read reads the client's frames (RFC 6455, section 5): any frame keeps
// the client connected for pongWait more, a ping is answered, a close
// frame is echoed and ends the connection, data is read and dropped. It
// is written for the few small frames a display sends, with no buffer
// beyond its stack, so that an idle client costs little.
func (h *Hub) read(c *client) {
	defer h.wg.Done()
	drop := true
	defer func() {
		if drop {
			h.drop(c)
		}
	}()
	var buf [128]byte
	var size int64 // of the data message being read
	for {
		c.nc.SetReadDeadline(time.Now().Add(pongWait))
		if _, err := io.ReadFull(c.nc, buf[:2]); err != nil {
			return
		}
		fin, op, masked := buf[0]&0x80 != 0, buf[0]&0x0f, buf[1]&0x80 != 0
		n := int64(buf[1] & 0x7f)
		if buf[0]&0x70 != 0 || !masked {
			drop = h.closeWith(c, websocket.CloseProtocolError)
			return
		}
		switch n {
		case 126:
			if _, err := io.ReadFull(c.nc, buf[:2]); err != nil {
				return
			}
			n = int64(binary.BigEndian.Uint16(buf[:2]))
		case 127:
			if _, err := io.ReadFull(c.nc, buf[:8]); err != nil {
				return
			}
			n = int64(binary.BigEndian.Uint64(buf[:8]) & (1<<63 - 1))
		}
		var mask [4]byte
		if _, err := io.ReadFull(c.nc, mask[:]); err != nil {
			return
		}
		if op >= 8 { // control frame
			if n > 125 || !fin {
				drop = h.closeWith(c, websocket.CloseProtocolError)
				return
			}
			p := buf[:n]
			if _, err := io.ReadFull(c.nc, p); err != nil {
				return
			}
			for i := range p {
				p[i] ^= mask[i%4]
			}
			switch op {
			case 8:
				code := websocket.CloseNormalClosure
				if len(p) >= 2 {
					code = int(binary.BigEndian.Uint16(p))
				}
				drop = h.closeWith(c, code)
				return
			case 9:
				if !h.deliver(c, frame{data: encode(finPong, p)}) {
					return
				}
			case 10:
			default:
				drop = h.closeWith(c, websocket.CloseProtocolError)
				return
			}
			continue
		}
		switch op {
		case 0:
		case 1, 2:
			size = 0
		default:
			drop = h.closeWith(c, websocket.CloseProtocolError)
			return
		}
		if n > readLimit || size+n > readLimit {
			drop = h.closeWith(c, websocket.CloseMessageTooBig)
			return
		}
		size += n
		if _, err := io.CopyN(io.Discard, c.nc, n); err != nil {
			return
		}
	}
}

// closeWith sends c a close frame with code. It reports whether the
// caller is to drop c now; if not, c's backlog writer drops it after
// sending what it has queued and the close frame.
func (h *Hub) closeWith(c *client, code int) (dropNow bool) {
	msg := encode(finClose, websocket.FormatCloseMessage(code, ""))
	c.mu.Lock()
	if c.dropped {
		c.mu.Unlock()
		return true
	}
	if c.busy {
		c.queue = append(c.queue, frame{data: msg, last: true})
		c.mu.Unlock()
		return false
	}
	c.busy = true // the socket is ours now; nothing follows the close frame
	c.mu.Unlock()
	c.write(msg)
	return true
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
	if err := c.write(encode(finText, msg)); err != nil {
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
			if err := c.write(encode(finText, r.Data)); err != nil {
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

// bye is the close frame every client gets when the hub closes.
var bye = encode(finClose, websocket.FormatCloseMessage(websocket.CloseGoingAway, "motcua is restarting"))

// Close disconnects every client with a close frame and waits for their
// goroutines to return. [http.Server.Shutdown] does not close websockets.
func (h *Hub) Close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	running := h.running
	clients := make([]*client, 0, len(h.clients))
	for c := range h.clients {
		clients = append(clients, c)
	}
	h.mu.Unlock()
	close(h.stop)
	if running {
		<-h.stopped
	}
	for _, c := range clients {
		c.mu.Lock()
		if c.busy {
			// Its writer sends the close frame after the frame in hand
			// and drops it; what was queued is sent after the restart,
			// when the client resumes.
			c.queue = []frame{{data: bye, last: true}}
			c.mu.Unlock()
			continue
		}
		c.busy = true // nothing follows the close frame
		c.mu.Unlock()
		c.tryWrite(bye)
		h.drop(c)
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
		// its reader of the log: cut them off.
		h.cancel()
		for _, c := range clients {
			h.drop(c)
		}
		<-done
	}
	h.cancel()
}
