package uplink

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"

	"motcua/backoff"
	"motcua/clock"
	"motcua/kiosk"
	"motcua/kiosk/catalogue"
	"motcua/kiosk/config"
	"motcua/kiosk/eventlog"
	"motcua/uplinkproto"
)

// MetaAcked is the meta key under which the acknowledged seq is stored.
const MetaAcked = "uplink.acked"

// DeviceName is the client's name in the state's devices list.
const DeviceName = "uplink"

// Options configure a [Client]. Zero values take the defaults shown.
type Options struct {
	URL   string // ws:// or wss://
	Token string // bearer token
	Unit  string // the unit's id, sent in hello
	// Catalogue takes catalogue.update commands (nil: they fail).
	Catalogue *catalogue.Store
	// TLS is the TLS configuration for wss (nil: the system roots). Use
	// [Options.WithCA] to add a ca_file's roots; there is no option to
	// skip verification.
	TLS *tls.Config

	BackoffMin time.Duration // first reconnection delay: 250ms
	BackoffMax time.Duration // cap of the reconnection delay: 15s
	// Clock times everything the client times (reconnections, lag, acks,
	// snapshots, retention); nil: the machine's clock. The socket's
	// deadlines, and the pings that keep them, are on the machine's clock,
	// as the kernel's deadlines are.
	Clock clock.Clock
	// Retention is how long acknowledged events are kept: 90 days.
	Retention time.Duration
	// Location is the unit's time zone, for the queue days of the
	// retention (nil: time.Local).
	Location *time.Location
	// Window caps the events sent and not yet acknowledged: 4096.
	Window int
	// AckTimeout: a receiver that holds unacknowledged events this long
	// without acknowledging any is disconnected: 60s.
	AckTimeout    time.Duration
	SnapshotEvery time.Duration // 60s
	PingEvery     time.Duration // 20s; the connection dies after 3 missed pongs
	WriteWait     time.Duration // deadline of each write: 10s
	// PruneEvery is how often old events are pruned: 1h (1m while the
	// disk is nearly full).
	PruneEvery time.Duration
	// MinFree is the free space below which the disk counts as nearly
	// full: 64 MiB.
	MinFree uint64
	// FreeSpace returns the free bytes of the file system holding dir
	// (nil: statfs).
	FreeSpace func(dir string) (uint64, error)
	// Signal wakes the client when events commit (nil: a new one; see
	// [Client.Notify]).
	Signal *Signal
	Logger *slog.Logger
	// OnAck, if set, is called with each acknowledged seq (for tests and
	// benchmarks); it must not block.
	OnAck func(seq int64)
	// Status makes the unit's status for the receiver's fleet page
	// (docs/fleet.md); nil: no status is sent. It is sent only to a
	// receiver whose welcome says it takes them.
	Status func(ctx context.Context) (uplinkproto.UnitStatus, error)
	// StatusCheck is how often the status is made and sent if it
	// changed: 15s. StatusEvery: a status at least this often: 2m.
	StatusCheck time.Duration
	StatusEvery time.Duration
	// Remote takes config.apply commands (nil: they are refused with
	// remote_config_off).
	Remote Remote
}

// FromConfig returns the options of cfg's [uplink] section, or an error
// when it has none or its ca_file cannot be used.
func FromConfig(cfg *config.Config) (Options, error) {
	u := cfg.Uplink
	if u == nil {
		return Options{}, errors.New("uplink: the configuration has no [uplink]")
	}
	o := Options{URL: u.URL, Token: u.Token, Unit: cfg.Unit.ID, Retention: u.Retention.D(), BackoffMax: u.BackoffMax.D(), Location: cfg.Location}
	if u.CAFile != "" {
		if err := o.WithCA(u.CAFile); err != nil {
			return Options{}, err
		}
	}
	return o, nil
}

// WithCA adds the PEM certificates in file to the system roots that
// verify the receiver.
func (o *Options) WithCA(file string) error {
	pem, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("uplink: ca_file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return fmt.Errorf("uplink: ca_file %s holds no PEM certificate", file)
	}
	if o.TLS == nil {
		o.TLS = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	o.TLS.RootCAs = pool
	return nil
}

func (o *Options) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.BackoffMin, 250*time.Millisecond)
	def(&o.BackoffMax, 15*time.Second)
	def(&o.Retention, 90*24*time.Hour)
	def(&o.AckTimeout, 60*time.Second)
	def(&o.SnapshotEvery, 60*time.Second)
	def(&o.PingEvery, 20*time.Second)
	def(&o.WriteWait, 10*time.Second)
	def(&o.PruneEvery, time.Hour)
	def(&o.StatusCheck, 15*time.Second)
	def(&o.StatusEvery, 2*time.Minute)
	if o.Window <= 0 {
		o.Window = 4096
	}
	if o.MinFree == 0 {
		o.MinFree = 64 << 20
	}
	if o.FreeSpace == nil {
		o.FreeSpace = statfsFree
	}
	if o.Signal == nil {
		o.Signal = NewSignal()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	o.Clock = clock.Or(o.Clock)
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.TLS != nil && o.TLS.InsecureSkipVerify {
		// Not an option: refuse loudly rather than skip verification.
		o.TLS = o.TLS.Clone()
		o.TLS.InsecureSkipVerify = false
	}
}

func statfsFree(dir string) (uint64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return st.Bavail * uint64(st.Bsize), nil
}

// Signal wakes a [Client] when events commit. Its Notify method is a
// daemon subscriber: it never blocks.
type Signal struct{ ch chan struct{} }

// NewSignal returns a signal for [Options.Signal].
func NewSignal() *Signal { return &Signal{ch: make(chan struct{}, 1)} }

// Notify wakes the client; recs is not used.
func (s *Signal) Notify([]eventlog.Record) {
	select {
	case s.ch <- struct{}{}:
	default:
	}
}

// Client sends a unit's events to the receiver. Its exported methods are
// safe for concurrent use; [Client.Run] is called once.
type Client struct {
	log  *eventlog.Log
	room *kiosk.Room
	o    Options
	lg   *slog.Logger

	acked      atomic.Int64 // highest seq the receiver acknowledged
	saved      atomic.Int64 // acked as stored in the meta table
	sent       atomic.Int64 // highest seq sent on the current connection
	connected  atomic.Bool
	lastAck    atomic.Int64 // unix nanoseconds of the last ack
	reconnects atomic.Int64
	dropped    atomic.Int64 // events deleted unsent because the disk was full
	sentTotal  atomic.Int64

	loadOnce sync.Once
	loadErr  error

	mu       sync.Mutex
	device   string // status+detail last reported
	diskLow  string // why the disk counts as nearly full, "" when not
	lastErr  string
	downAt   time.Time
	cmdCache map[string][]byte
	cmdOrder []string

	// The connected session, for queries (query.go); nil when none.
	sess    atomic.Pointer[session]
	qmu     sync.Mutex
	pending map[string]chan *uplinkproto.Message
}

// New returns a client of log and room; start it with [Client.Run].
func New(log *eventlog.Log, room *kiosk.Room, opts Options) *Client {
	opts.defaults()
	return &Client{log: log, room: room, o: opts, lg: opts.Logger.With("uplink", Redact(opts.URL)), cmdCache: map[string][]byte{}, pending: map[string]chan *uplinkproto.Message{}}
}

// Notify wakes the client: a daemon subscriber, it never blocks.
func (c *Client) Notify(recs []eventlog.Record) { c.o.Signal.Notify(recs) }

func (c *Client) String() string { return "uplink " + Redact(c.o.URL) }

// Redact drops credentials and the query from a URL before it is logged
// or shown.
func Redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(bad url)"
	}
	u.User, u.RawQuery = nil, ""
	return u.String()
}

// Run connects and reconnects until ctx is done; it returns nil then. It
// also prunes the log.
func (c *Client) Run(ctx context.Context) error {
	if err := c.loadAcked(ctx); err != nil {
		if ctx.Err() != nil {
			return nil // stopped before it began
		}
		return err
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.pruneLoop(ctx)
	}()
	defer wg.Wait()
	c.mu.Lock()
	c.downAt = c.o.Clock.Now()
	c.mu.Unlock()
	bo := backoff.Backoff{Policy: backoff.Policy{Min: c.o.BackoffMin, Max: c.o.BackoffMax}, Clock: c.o.Clock}
	var lastLog time.Time
	for {
		began := c.o.Clock.Now()
		err := c.session(ctx)
		if ctx.Err() != nil {
			c.connected.Store(false)
			c.persistAcked(context.WithoutCancel(ctx))
			return nil
		}
		c.reconnects.Add(1)
		if c.o.Clock.Now().Sub(began) > 30*time.Second {
			bo.Reset()
		}
		msg := err.Error()
		c.mu.Lock()
		repeat := msg == c.lastErr
		c.lastErr = msg
		c.mu.Unlock()
		if now := c.o.Clock.Now(); !repeat || now.Sub(lastLog) > time.Minute {
			c.lg.Warn("uplink: disconnected; will retry", "err", err, "acked", c.acked.Load(), "last", c.log.Durable())
			lastLog = now
		} else {
			c.lg.Debug("uplink: disconnected; will retry", "err", err)
		}
		if bo.Failures() > 0 {
			// Down twice in a row: news for the devices list. One
			// dropped connection that comes back at once is not.
			c.markDown(err)
		}
		if bo.Wait(ctx) != nil {
			c.persistAcked(context.WithoutCancel(ctx))
			return nil
		}
	}
}

func (c *Client) loadAcked(ctx context.Context) error {
	c.loadOnce.Do(func() { c.loadErr = c.readAcked(ctx) })
	return c.loadErr
}

func (c *Client) readAcked(ctx context.Context) error {
	v, ok, err := c.log.Meta(ctx, MetaAcked)
	if err != nil {
		return err
	}
	if ok {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("uplink: meta %s = %q is not a number", MetaAcked, v)
		}
		c.acked.Store(n)
		c.saved.Store(n)
	}
	return nil
}

// persistAcked stores the acknowledged seq if it changed.
func (c *Client) persistAcked(ctx context.Context) {
	a := c.acked.Load()
	if a == c.saved.Load() {
		return
	}
	if err := c.log.SetMeta(ctx, MetaAcked, strconv.FormatInt(a, 10)); err != nil {
		if errors.Is(err, eventlog.ErrClosed) {
			return // the daemon is stopping; the seq stored last is kept
		}
		c.lg.Error("uplink: cannot store the acknowledged seq", "err", err)
		return
	}
	c.saved.Store(a)
}

// session is one connection, from dial to its end.
func (c *Client) session(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	dialer := websocket.Dialer{
		Subprotocols:     []string{uplinkproto.Subprotocol},
		TLSClientConfig:  c.o.TLS,
		HandshakeTimeout: 10 * time.Second,
		ReadBufferSize:   4096,
		WriteBufferSize:  16 << 10,
		Proxy:            http.ProxyFromEnvironment,
	}
	hdr := http.Header{"Authorization": {"Bearer " + c.o.Token}}
	conn, resp, err := dialer.DialContext(ctx, c.o.URL, hdr)
	if err != nil {
		if resp != nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
			resp.Body.Close()
			hint := ""
			if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
				hint = "; check [uplink] token_file against the receiver's token for unit " + c.o.Unit
			}
			return fmt.Errorf("uplink: dial: %s: %s%s", resp.Status, strings.TrimSpace(string(body)), hint)
		}
		return fmt.Errorf("uplink: dial: %w", err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if p := conn.Subprotocol(); p != uplinkproto.Subprotocol {
		return fmt.Errorf("%w (it answered %q); is url the motcua ingest endpoint?", ErrSubprotocol, p)
	}
	conn.SetReadLimit(uplinkproto.MaxMessage)
	pongWait := 3 * c.o.PingEvery
	conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(pongWait)) })

	// Durable before First: the writer commits a batch before it moves
	// Durable, so read the other way round a commit in between gave a
	// hello holding 1..0, which the receiver rightly refuses. Read this
	// way, a commit in between can only show an event past last: the
	// hello then holds what Durable said, and the event follows.
	last := c.log.Durable()
	first, err := c.log.First(ctx)
	if err != nil {
		return err
	}
	if first == 0 || first > last {
		first, last = 0, 0
	}
	if err := c.write(conn, uplinkproto.Hello(c.o.Unit, first, last)); err != nil {
		return err
	}
	conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	_, data, err := conn.ReadMessage()
	if err != nil {
		return fmt.Errorf("uplink: waiting for welcome: %w", err)
	}
	m, err := uplinkproto.DecodeServer(data)
	if err != nil {
		return err
	}
	if m.Type != uplinkproto.TypeWelcome {
		return fmt.Errorf("%w: got %s before welcome", uplinkproto.ErrProtocol, m.Type)
	}
	if m.Ack > last {
		return fmt.Errorf("%w: welcome ack %d, but this unit's log ends at %d (was the data directory replaced, or does another unit use this token?)", ErrAckBeyondLast, m.Ack, last)
	}
	if m.Ack < c.acked.Load() {
		c.lg.Warn("uplink: the receiver has fewer events than it acknowledged before; sending them again", "ack", m.Ack, "acked_before", c.acked.Load())
	}
	c.acked.Store(m.Ack)
	c.sent.Store(m.Ack)
	c.lastAck.Store(c.o.Clock.Now().UnixNano())
	conn.SetReadDeadline(time.Now().Add(pongWait))
	c.connected.Store(true)
	defer c.connected.Store(false)
	c.lg.Info("uplink: connected", "ack", m.Ack, "first", first, "last", last)
	c.markUp()

	s := &session{c: c, conn: conn, acks: make(chan struct{}, 1), results: make(chan []byte, 64), errc: make(chan error, 1), done: ctx.Done()}
	c.sess.Store(s)
	defer c.sess.CompareAndSwap(s, nil)
	if m.Fleet && c.o.Status != nil {
		s.status = &statusSender{c: c}
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.read(ctx)
	}()
	err = s.write(ctx, m.Ack+1, first)
	cancel()
	conn.Close()
	wg.Wait()
	// A write that failed because the receiver hung up on a protocol
	// error, a message over the limit or a close frame with its reason
	// says less than the error the reader found.
	select {
	case rerr := <-s.errc:
		var ce *websocket.CloseError
		if errors.Is(rerr, uplinkproto.ErrProtocol) || errors.Is(rerr, ErrAckBeyondLast) || errors.Is(rerr, websocket.ErrReadLimit) || errors.As(rerr, &ce) {
			err = rerr
		}
	default:
	}
	c.persistAcked(context.WithoutCancel(ctx))
	return err
}

func (c *Client) write(conn *websocket.Conn, msg []byte) error {
	conn.SetWriteDeadline(time.Now().Add(c.o.WriteWait))
	return conn.WriteMessage(websocket.TextMessage, msg)
}

type session struct {
	c    *Client
	conn *websocket.Conn
	acks chan struct{}
	// results holds what the writer sends besides events: command
	// results and queries.
	results chan []byte
	errc    chan error
	done    <-chan struct{} // closed when the session ends
	status  *statusSender   // nil: the receiver takes no status
}

func (s *session) fail(err error) {
	select {
	case s.errc <- err:
	default:
	}
}

// read is the connection's only reader: acks, commands and answers.
func (s *session) read(ctx context.Context) {
	c := s.c
	pongWait := 3 * c.o.PingEvery
	for {
		_, data, err := s.conn.ReadMessage()
		if err != nil {
			s.fail(fmt.Errorf("uplink: read: %w", err))
			return
		}
		s.conn.SetReadDeadline(time.Now().Add(pongWait))
		m, err := uplinkproto.DecodeServer(data)
		if err != nil {
			s.fail(err)
			return
		}
		switch m.Type {
		case uplinkproto.TypeWelcome:
			s.fail(fmt.Errorf("%w: a second welcome", uplinkproto.ErrProtocol))
			return
		case uplinkproto.TypeAck:
			if sent := c.sent.Load(); m.Seq > sent {
				s.fail(fmt.Errorf("%w: ack %d, but only up to %d was sent", ErrAckBeyondLast, m.Seq, sent))
				return
			}
			if m.Seq > c.acked.Load() {
				c.acked.Store(m.Seq)
				c.lastAck.Store(c.o.Clock.Now().UnixNano())
				if c.o.OnAck != nil {
					c.o.OnAck(m.Seq)
				}
				select {
				case s.acks <- struct{}{}:
				default:
				}
			}
		case uplinkproto.TypeAnswer:
			c.answered(m)
		case uplinkproto.TypeCommand:
			res := c.command(m)
			select {
			case s.results <- res:
			case <-ctx.Done():
				return
			}
		}
	}
}

// page is how many events are read from the log at a time.
const page = 256

// write is the connection's only writer: it sends the events from next
// on, snapshots, results and pings, until an error or ctx ends.
func (s *session) write(ctx context.Context, next, first int64) error {
	c := s.c
	if first > 0 && next < first {
		c.lg.Warn("uplink: events the receiver never got were deleted; telling it", "from", next, "to", first-1)
		c.sent.Store(first - 1) // before the write: see send
		if err := c.write(s.conn, uplinkproto.Gap(next, first-1)); err != nil {
			return err
		}
		next = first
	}
	var statusTick <-chan time.Time   // nil: no status
	var configChanged <-chan struct{} // nil: no status, or no remote configuration
	if s.status != nil {
		if err := s.status.send(ctx, s.conn, true); err != nil {
			return err
		}
		statusTick = s.status.tick
		if c.o.Remote != nil {
			configChanged = c.o.Remote.Changes()
		}
	}
	ping := time.NewTicker(c.o.PingEvery)
	defer ping.Stop()
	persist := time.NewTicker(time.Second)
	defer persist.Stop()
	snapDue := true // one snapshot after catching up
	lastSnap := c.o.Clock.Now()
	lastProgress, progressAcked := c.o.Clock.Now(), c.acked.Load()
	caughtUp := false
	start, startSeq := c.o.Clock.Now(), next-1
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		select {
		case err := <-s.errc:
			return err
		case res := <-s.results:
			if err := c.write(s.conn, res); err != nil {
				return err
			}
			continue
		default:
		}
		durable := c.log.Durable()
		inflight := c.sent.Load() - c.acked.Load()
		if next <= durable && inflight < int64(c.o.Window) {
			n := min(int64(page), int64(c.o.Window)-inflight)
			var err error
			if next, err = s.send(ctx, next, n); err != nil {
				return err
			}
			continue
		}
		if next > durable {
			if !caughtUp {
				caughtUp = true
				if n := next - 1 - startSeq; n > 0 {
					el := c.o.Clock.Now().Sub(start)
					c.lg.Info("uplink: caught up", "events", n, "seconds", el.Seconds(), "per_second", int(float64(n)/el.Seconds()))
				}
			}
			if snapDue || c.o.Clock.Now().Sub(lastSnap) >= c.o.SnapshotEvery {
				seq, state, err := c.room.Snapshot(ctx)
				if err != nil {
					return err
				}
				if seq >= next {
					// The snapshot follows the events it includes.
					if next, err = s.send(ctx, next, seq-next+1); err != nil {
						return err
					}
				}
				// A snapshot is a convenience for the receiver's live view;
				// the events are the record. One over the message limit
				// (a queue of many thousand waiting tickets) would make the
				// receiver drop the connection again and again: skip it.
				if msg := uplinkproto.Snapshot(seq, state); len(msg) <= uplinkproto.MaxMessage {
					if err := c.write(s.conn, msg); err != nil {
						return err
					}
				} else {
					c.lg.Warn("uplink: snapshot too large to send; events still flow", "bytes", len(msg), "limit", uplinkproto.MaxMessage)
				}
				snapDue, lastSnap = false, c.o.Clock.Now()
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-s.errc:
			return err
		case res := <-s.results:
			if err := c.write(s.conn, res); err != nil {
				return err
			}
		case <-c.o.Signal.ch:
		case <-s.acks:
		case <-persist.C:
			c.persistAcked(ctx)
		case <-statusTick:
			if err := s.status.send(ctx, s.conn, false); err != nil {
				return err
			}
			statusTick = s.status.tick
		case <-configChanged:
			if err := s.status.send(ctx, s.conn, false); err != nil {
				return err
			}
			statusTick = s.status.tick
		case <-ping.C:
			if err := s.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.o.WriteWait)); err != nil {
				return fmt.Errorf("uplink: ping: %w", err)
			}
			if c.o.Clock.Now().Sub(lastSnap) >= c.o.SnapshotEvery {
				snapDue = true
			}
		}
		if a := c.acked.Load(); a != progressAcked || c.sent.Load() == a {
			progressAcked, lastProgress = a, c.o.Clock.Now()
		} else if c.o.Clock.Now().Sub(lastProgress) > c.o.AckTimeout {
			return fmt.Errorf("%w: %d events sent, none acknowledged for %s", ErrNoAck, c.sent.Load()-a, c.o.AckTimeout)
		}
	}
}

// send sends at most n stored events from next on and returns the next
// seq to send. Events that are no longer stored are reported as a gap.
func (s *session) send(ctx context.Context, next, n int64) (int64, error) {
	c := s.c
	_, err := c.log.Since(ctx, next-1, int(n), func(r eventlog.Record) error {
		if r.Seq > next {
			c.lg.Warn("uplink: events the receiver never got were deleted; telling it", "from", next, "to", r.Seq-1)
			c.sent.Store(r.Seq - 1)
			if err := c.write(s.conn, uplinkproto.Gap(next, r.Seq-1)); err != nil {
				return err
			}
		}
		// sent moves before the write: a quick receiver's ack can reach
		// the reader before the write returns, and an ack above sent
		// ends the connection. If the write fails, so does the session.
		c.sent.Store(r.Seq)
		if err := c.write(s.conn, r.Data); err != nil {
			return fmt.Errorf("uplink: write: %w", err)
		}
		c.sentTotal.Add(1)
		next = r.Seq + 1
		return nil
	})
	return next, err
}
