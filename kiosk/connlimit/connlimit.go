package connlimit

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Trust is what a connection has shown about who uses it.
type Trust int

// The levels of [Trust], in increasing order.
const (
	// Anonymous: no valid token yet.
	Anonymous Trust = iota
	// Screen: a valid token of any role (a board, a display).
	Screen
	// Privileged: a kiosk, counter or admin token, which may use the
	// reserved places.
	Privileged
)

// Options configure a [Listener]. Zero values take the defaults.
type Options struct {
	// Max is the most connections open at once (default 2000).
	Max int
	// Reserve is how many of Max only privileged clients may use
	// (default a tenth of Max, at least 16, less than Max).
	Reserve int
	// PerAddress is the most anonymous connections one source address
	// may hold (default 64).
	PerAddress int
	// AnonymousWait is the longest an anonymous connection may take to
	// send a request, or stay idle between two (default 5 s).
	AnonymousWait time.Duration
	// Now is the clock of the deadlines (default time.Now).
	Now func() time.Time
}

// Defaults of [Options].
const (
	DefaultMax           = 2000
	DefaultPerAddress    = 64
	DefaultAnonymousWait = 5 * time.Second
)

// Stats counts what a [Listener] did.
type Stats struct {
	Open       int   // connections open now
	Anonymous  int   // of which have shown no valid token
	PerAddress int64 // closed at once: their address held too many
	Full       int64 // closed at once: every place taken by trusted clients
	Evicted    int64 // closed to make room in the reserve
	Refused    int64 // reserved places refused to a client without a privileged token
}

// Listener is a net.Listener that limits connections as the package
// comment says. Give its ConnContext to the http.Server. It is safe for
// concurrent use.
type Listener struct {
	net.Listener
	opt Options

	mu      sync.Mutex
	open    int
	seq     uint64
	byAddr  map[netip.Addr]int
	anon    map[*Conn]struct{}
	perAddr atomic.Int64
	full    atomic.Int64
	evicted atomic.Int64
	refused atomic.Int64
}

// New wraps ln.
func New(ln net.Listener, opt Options) *Listener {
	if opt.Max <= 0 {
		opt.Max = DefaultMax
	}
	if opt.Reserve <= 0 {
		opt.Reserve = max(opt.Max/10, 16)
	}
	opt.Reserve = min(opt.Reserve, opt.Max-1)
	if opt.PerAddress <= 0 {
		opt.PerAddress = DefaultPerAddress
	}
	if opt.AnonymousWait <= 0 {
		opt.AnonymousWait = DefaultAnonymousWait
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Listener{Listener: ln, opt: opt, byAddr: map[netip.Addr]int{}, anon: map[*Conn]struct{}{}}
}

// Accept returns the next connection that may stay. Connections over a
// limit are closed here, without an answer, and never returned.
func (l *Listener) Accept() (net.Conn, error) {
	for {
		nc, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if c := l.admit(nc); c != nil {
			return c, nil
		}
		nc.Close()
	}
}

// admit counts nc in, or returns nil when it may not stay.
func (l *Listener) admit(nc net.Conn) *Conn {
	addr := remoteAddr(nc)
	var evict *Conn
	l.mu.Lock()
	if l.byAddr[addr] >= l.opt.PerAddress {
		l.mu.Unlock()
		l.perAddr.Add(1)
		return nil
	}
	if l.open >= l.opt.Max {
		evict = l.oldestAnonymous()
		if evict == nil {
			l.mu.Unlock()
			l.full.Add(1)
			return nil
		}
		l.releaseLocked(evict)
	}
	l.seq++
	c := &Conn{Conn: nc, l: l, addr: addr, seq: l.seq, reserved: l.open >= l.opt.Max-l.opt.Reserve}
	l.open++
	l.byAddr[addr]++
	l.anon[c] = struct{}{}
	l.mu.Unlock()
	if evict != nil {
		l.evicted.Add(1)
		evict.Conn.Close()
	}
	c.SetReadDeadline(time.Time{}) // starts the anonymous wait
	return c
}

// oldestAnonymous returns the anonymous connection accepted first, or nil.
func (l *Listener) oldestAnonymous() *Conn {
	var old *Conn
	for c := range l.anon {
		if old == nil || c.seq < old.seq {
			old = c
		}
	}
	return old
}

// releaseLocked takes c out of the counts, once.
func (l *Listener) releaseLocked(c *Conn) {
	if c.released {
		return
	}
	c.released = true
	l.open--
	if _, ok := l.anon[c]; ok {
		delete(l.anon, c)
		l.uncountAddrLocked(c.addr)
	}
}

func (l *Listener) uncountAddrLocked(a netip.Addr) {
	if l.byAddr[a] <= 1 {
		delete(l.byAddr, a)
	} else {
		l.byAddr[a]--
	}
}

// SetPerAddress puts a new cap of anonymous connections per address in
// force (n ≤ 0: the default) for the connections accepted from now on;
// those open stay.
func (l *Listener) SetPerAddress(n int) {
	if n <= 0 {
		n = DefaultPerAddress
	}
	l.mu.Lock()
	l.opt.PerAddress = n
	l.mu.Unlock()
}

// Stats returns the counts of l.
func (l *Listener) Stats() Stats {
	l.mu.Lock()
	s := Stats{Open: l.open, Anonymous: len(l.anon)}
	l.mu.Unlock()
	s.PerAddress, s.Full, s.Evicted, s.Refused = l.perAddr.Load(), l.full.Load(), l.evicted.Load(), l.refused.Load()
	return s
}

type ctxKey struct{}

// ConnContext is the http.Server's ConnContext: it lets [Vouch] find the
// connection of a request.
func (l *Listener) ConnContext(ctx context.Context, c net.Conn) context.Context {
	if lc, ok := c.(*Conn); ok && lc.l == l {
		return context.WithValue(ctx, ctxKey{}, lc)
	}
	return ctx
}

// Vouch records that the request of ctx showed trust t on its
// connection. It reports false when the connection holds a reserved place
// and t is less than [Privileged]: the caller should answer 503 and close
// the connection (with "Connection: close"), which then frees the place.
// A context without a connection of a [Listener] is always allowed.
func Vouch(ctx context.Context, t Trust) bool {
	c, ok := ctx.Value(ctxKey{}).(*Conn)
	if !ok {
		return true
	}
	return c.vouch(t)
}

// Conn is a connection accepted by a [Listener].
type Conn struct {
	net.Conn
	l    *Listener
	addr netip.Addr
	seq  uint64

	mu       sync.Mutex
	trust    Trust
	reserved bool      // took a reserved place: must show a privileged token
	released bool      // out of the counts (guarded by l.mu)
	want     time.Time // the read deadline asked for
	closed   atomic.Bool
}

func (c *Conn) vouch(t Trust) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reserved && t < Privileged && c.trust < Privileged {
		c.l.refused.Add(1)
		return false
	}
	if t <= c.trust {
		return true
	}
	wasAnon := c.trust == Anonymous
	c.trust = t
	c.reserved = false
	if wasAnon {
		c.l.mu.Lock()
		if _, ok := c.l.anon[c]; ok {
			delete(c.l.anon, c)
			c.l.uncountAddrLocked(c.addr)
		}
		c.l.mu.Unlock()
		// The deadline the server asked for, no longer shortened.
		c.Conn.SetReadDeadline(c.want)
	}
	return true
}

// SetReadDeadline sets the read deadline; while the connection is
// anonymous it is at most the anonymous wait from now.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.want = t
	return c.Conn.SetReadDeadline(c.clamp(t))
}

// SetDeadline sets both deadlines, the read one as SetReadDeadline does.
func (c *Conn) SetDeadline(t time.Time) error {
	return errors.Join(c.SetReadDeadline(t), c.Conn.SetWriteDeadline(t))
}

// clamp shortens t for an anonymous connection; c.mu is held.
func (c *Conn) clamp(t time.Time) time.Time {
	if c.trust != Anonymous {
		return t
	}
	limit := c.l.opt.Now().Add(c.l.opt.AnonymousWait)
	if t.IsZero() || t.After(limit) {
		return limit
	}
	return t
}

// Close closes the connection and frees its place.
func (c *Conn) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	c.l.mu.Lock()
	c.l.releaseLocked(c)
	c.l.mu.Unlock()
	return c.Conn.Close()
}

// remoteAddr is the source of c as the per-address cap counts it: the
// address without port, IPv4 in IPv6 unmapped so that both forms count
// as one; an IPv6 address stands for its /64, which one machine can fill
// with addresses of its own.
func remoteAddr(c net.Conn) netip.Addr {
	ap, err := netip.ParseAddrPort(c.RemoteAddr().String())
	if err != nil {
		return netip.Addr{}
	}
	return source(ap.Addr())
}

func source(a netip.Addr) netip.Addr {
	a = a.Unmap()
	if a.Is6() && !a.IsLoopback() {
		if p, err := a.WithZone("").Prefix(64); err == nil {
			return p.Addr()
		}
	}
	return a
}

// CloseWrite shuts the writing side, as *net.TCPConn does; the HTTP
// server uses it to close a connection gracefully.
func (c *Conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return c.Close()
}

// SyscallConn gives the raw connection, as *net.TCPConn does, so that a
// websocket hub can write without waiting; it is an error when the
// wrapped connection has none.
func (c *Conn) SyscallConn() (syscall.RawConn, error) {
	if sc, ok := c.Conn.(syscall.Conn); ok {
		return sc.SyscallConn()
	}
	return nil, errNoSyscallConn
}

var errNoSyscallConn = errors.New("connlimit: the connection has no file descriptor")
