package receiver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"
	"github.com/jonboulle/clockwork"

	"motcua/uplinkproto"
)

// batchMax is the most messages stored in one transaction.
const batchMax = 2048

// A close frame's reason is at most 123 bytes.
const maxCloseReason = 123

// conn is one unit's websocket. Three goroutines share it: the reader
// (readLoop), the writer (writeLoop, the only one that writes to ws) and
// run's, which stores what the reader takes and tells the writer to ack.
type conn struct {
	s    *Server
	ws   *websocket.Conn
	addr string
	// unit is the unit's id once its hello was taken.
	unit string
	// first is the oldest seq the unit holds, as its hello said (0:
	// none): a gap must end before it.
	first int64

	ackSeq atomic.Int64  // the ack the writer sends next
	ackc   chan struct{} // wakes the writer for ackSeq
	pongc  chan []byte   // pings of the unit to answer
	cmds   chan []byte   // commands to send

	started   atomic.Bool               // the writer runs
	writing   atomic.Pointer[time.Time] // when the write in progress began; nil when none
	closeOnce sync.Once
	closing   chan struct{} // closed by close: the writer sends closeMsg and ends
	closeMsg  []byte
	done      chan struct{} // closed when the writer has ended

	rmu     sync.Mutex
	results map[string]chan *uplinkproto.Message

	// The unit's queries (dossier.go): answered until qctx ends.
	qctx    context.Context
	qcancel context.CancelFunc
	qwg     sync.WaitGroup
	queries atomic.Int32 // being answered
}

func newConn(s *Server, ws *websocket.Conn, addr string) *conn {
	return &conn{
		s: s, ws: ws, addr: addr,
		ackc:    make(chan struct{}, 1),
		pongc:   make(chan []byte, 1),
		cmds:    make(chan []byte, 16),
		closing: make(chan struct{}),
		done:    make(chan struct{}),
		results: map[string]chan *uplinkproto.Message{},
	}
}

// close ends the connection: the writer sends a close frame with code
// and reason, then closes the socket. Safe to call many times, from any
// goroutine; the first reason wins.
func (c *conn) close(code int, reason string) {
	c.closeOnce.Do(func() {
		c.closeMsg = websocket.FormatCloseMessage(code, clipReason(reason))
		close(c.closing)
		if !c.started.Load() {
			c.kill() // no writer to send the frame: end the hello's read
		}
	})
}

// clipReason shortens a close reason to what a close frame holds.
func clipReason(s string) string {
	if len(s) <= maxCloseReason {
		return s
	}
	n := maxCloseReason - len("…")
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// kill closes the socket at once: a timeout fired, or the writer ended.
// Whatever blocks on it (a read, a write) returns an error.
func (c *conn) kill() { c.ws.Close() }

// closeFor turns why a connection ends into a close frame for the unit.
func closeFor(err error) (int, string) {
	switch {
	case errors.As(err, new(*websocket.CloseError)):
		return websocket.CloseNormalClosure, ""
	case errors.Is(err, uplinkproto.ErrProtocol):
		return websocket.ClosePolicyViolation, err.Error()
	case errors.Is(err, websocket.ErrReadLimit):
		return websocket.CloseMessageTooBig, "message too big"
	default:
		return websocket.CloseInternalServerErr, "receiver: " + err.Error()
	}
}

// inbound is a message read from a unit, or the error that ended reading.
type inbound struct {
	m   *uplinkproto.Message
	err error
}

// run serves the connection of a unit whose token was unitID's until it
// ends, and returns why.
func (c *conn) run(ctx context.Context, unitID string) error {
	c.ws.SetReadLimit(uplinkproto.MaxMessage)
	// The unit's close frame ends reading; the writer answers it.
	c.ws.SetCloseHandler(func(int, string) error { return nil })
	hello, err := c.readHello(unitID)
	if err != nil {
		// No writer runs yet: this goroutine is the only one. A close
		// frame on a fresh connection fits in the socket's buffer.
		code, reason := closeFor(err)
		c.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(code, clipReason(reason)))
		c.kill()
		return err
	}
	c.first, c.unit = hello.First, unitID
	u := c.s.unit(unitID)
	u.mu.Lock()
	// Another receiver on the same database may have taken the unit
	// since this one last saw it.
	if err := c.s.refresh(ctx, u); err != nil {
		u.mu.Unlock()
		c.kill()
		return err
	}
	old := u.conn
	u.conn = c
	u.known = max(u.known, hello.Last)
	u.lastSeen = c.s.clk.Now()
	ack := u.ack
	u.mu.Unlock()
	if old != nil {
		// The unit came back before its old connection timed out.
		old.close(websocket.ClosePolicyViolation, "the unit connected again")
	}
	c.s.lg.Info("receiver: unit connected", "unit", unitID, "addr", c.addr, "ack", ack, "first", hello.First, "last", hello.Last)
	watch := c.s.clk.NewTicker(c.s.o.WriteTimeout / 2)
	defer watch.Stop()
	c.started.Store(true)
	go c.writeLoop(uplinkproto.WelcomeFleet(ack))
	// Bounded: a unit that sends faster than the store commits waits
	// in TCP, not in memory here.
	in := make(chan inbound, 64)
	c.qctx, c.qcancel = context.WithCancel(ctx)
	defer func() {
		c.qcancel()
		c.qwg.Wait()
	}()
	go c.readLoop(unitID, in)
	err = c.serve(ctx, u, ack, in, watch)
	c.close(closeFor(err))
	// The writer sends the close frame and closes the socket.
	for ended := false; !ended; {
		select {
		case <-c.done:
			ended = true
		case <-watch.Chan():
			if c.writeStuck() {
				c.kill()
			}
		}
	}
	for range in {
	}
	u.mu.Lock()
	if u.conn == c {
		u.conn = nil
		c.s.fleetLeft(u)
	}
	u.mu.Unlock()
	return err
}

// serve stores what the reader takes, in batches, and has the writer
// acknowledge it, until an error. On each tick of watch it checks that
// no write has taken more than WriteTimeout.
func (c *conn) serve(ctx context.Context, u *unit, ack int64, in <-chan inbound, watch clockwork.Ticker) error {
	var batch []*uplinkproto.Message // grows with the unit's bursts: an idle unit costs little
	for {
		var first inbound
		select {
		case first = <-in:
		case <-c.done:
			return errors.New("receiver: connection closed")
		case <-watch.Chan():
			if c.writeStuck() {
				return fmt.Errorf("receiver: a write to the unit took more than %s", c.s.o.WriteTimeout)
			}
			continue
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
		newAck, err := c.s.store(ctx, u, c, batch)
		if err != nil {
			return err
		}
		if newAck > ack {
			ack = newAck
			c.ackSeq.Store(ack)
			select {
			case c.ackc <- struct{}{}:
			default:
			}
		}
		if readErr != nil {
			return readErr
		}
	}
}

// writeStuck reports whether the write in progress has taken more than
// WriteTimeout.
func (c *conn) writeStuck() bool {
	since := c.writing.Load()
	return since != nil && c.s.clk.Since(*since) > c.s.o.WriteTimeout
}

// readHello reads the unit's first message, within HelloTimeout, and
// checks that it is the hello of the token's unit.
func (c *conn) readHello(unitID string) (*uplinkproto.Message, error) {
	t := c.s.clk.AfterFunc(c.s.o.HelloTimeout, c.kill)
	_, data, err := c.ws.ReadMessage()
	if !t.Stop() {
		return nil, fmt.Errorf("receiver: no hello within %s", c.s.o.HelloTimeout)
	}
	if err != nil {
		return nil, fmt.Errorf("receiver: waiting for hello: %w", err)
	}
	return checkHello(data, unitID)
}

// checkHello decodes a unit's first message and checks that it is the
// hello of the token's unit.
func checkHello(data []byte, unitID string) (*uplinkproto.Message, error) {
	hello, err := uplinkproto.DecodeClient(data)
	if err != nil {
		return nil, err
	}
	if hello.Type != uplinkproto.TypeHello {
		return nil, fmt.Errorf("%w: %s before hello", uplinkproto.ErrProtocol, hello.Type)
	}
	if hello.Unit != unitID {
		return nil, fmt.Errorf("%w: hello from unit %q with the token of %q", uplinkproto.ErrProtocol, hello.Unit, unitID)
	}
	return hello, nil
}

// readLoop is the connection's only reader. Results go to the commands
// that wait for them, queries to [conn.query]; every other message goes
// to in. A unit silent for three pings' time is disconnected.
func (c *conn) readLoop(unitID string, in chan<- inbound) {
	defer close(in)
	idleAfter := 3 * c.s.o.PingEvery
	idle := c.s.clk.AfterFunc(idleAfter, c.kill)
	defer idle.Stop()
	c.ws.SetPongHandler(func(string) error {
		idle.Reset(idleAfter)
		return nil
	})
	c.ws.SetPingHandler(func(data string) error {
		idle.Reset(idleAfter)
		select {
		case c.pongc <- []byte(data):
		default: // a pong is owed already
		}
		return nil
	})
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			if !idle.Stop() {
				err = fmt.Errorf("receiver: unit silent for %s: %w", idleAfter, err)
			}
			in <- inbound{err: err}
			return
		}
		idle.Reset(idleAfter)
		m, err := uplinkproto.DecodeClient(data)
		if err == nil && m.Type == uplinkproto.TypeHello {
			err = fmt.Errorf("%w: a second hello", uplinkproto.ErrProtocol)
		}
		if err != nil {
			in <- inbound{err: err}
			return
		}
		if m.Type == uplinkproto.TypeStatus {
			c.s.noteStatus(context.Background(), c.unit, m.Status)
			continue
		}
		if m.Type == uplinkproto.TypeResult {
			c.rmu.Lock()
			ch := c.results[m.ID]
			delete(c.results, m.ID)
			c.rmu.Unlock()
			if ch != nil {
				ch <- m
			}
			continue
		}
		if m.Type == uplinkproto.TypeQuery {
			c.query(unitID, m)
			continue
		}
		in <- inbound{m: m}
	}
}

// writeLoop is the connection's only writer: the welcome first, then
// acks, commands, pings and pongs, until close asks for the close frame
// or a write fails. It closes the socket when it ends.
func (c *conn) writeLoop(welcome []byte) {
	defer close(c.done)
	defer c.kill()
	write := func(kind int, data []byte) error {
		now := c.s.clk.Now() // with the monotonic reading: a clock step is no stuck write
		c.writing.Store(&now)
		defer c.writing.Store(nil)
		return c.ws.WriteMessage(kind, data)
	}
	if write(websocket.TextMessage, welcome) != nil {
		return
	}
	ping := c.s.clk.NewTicker(c.s.o.PingEvery)
	defer ping.Stop()
	var sent int64
	for {
		var err error
		select {
		case <-c.closing:
			write(websocket.CloseMessage, c.closeMsg)
			return
		case <-c.ackc:
			if a := c.ackSeq.Load(); a > sent {
				sent = a
				err = write(websocket.TextMessage, uplinkproto.Ack(a))
			}
		case cmd := <-c.cmds:
			err = write(websocket.TextMessage, cmd)
		case data := <-c.pongc:
			err = write(websocket.PongMessage, data)
		case <-ping.Chan():
			err = write(websocket.PingMessage, nil)
		}
		if err != nil {
			return
		}
	}
}

// command sends a command and waits for its result.
func (c *conn) command(ctx context.Context, name string, counter int, reason string) (*uplinkproto.Message, error) {
	return c.send(ctx, func(id string) []byte { return uplinkproto.Command(id, name, counter, reason) })
}

// send sends the command msg makes with a new id and waits for its
// result.
func (c *conn) send(ctx context.Context, msg func(id string) []byte) (*uplinkproto.Message, error) {
	b := make([]byte, 8)
	rand.Read(b)
	id := hex.EncodeToString(b)
	ch := make(chan *uplinkproto.Message, 1)
	c.rmu.Lock()
	c.results[id] = ch
	c.rmu.Unlock()
	defer func() {
		c.rmu.Lock()
		delete(c.results, id)
		c.rmu.Unlock()
	}()
	select {
	case c.cmds <- msg(id):
	case <-c.done:
		return nil, ErrNoUnit
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case m := <-ch:
		return m, nil
	case <-c.done:
		return nil, ErrNoUnit
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
