package satellite

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"motcua/backoff"
	"motcua/clock"
	"motcua/devices/escpos"
	"motcua/kiosk/queue"
)

// Printer prints one rendered ticket and returns nil once it came out,
// or why not. It must give up when ctx ends.
type Printer interface {
	PrintJob(ctx context.Context, id string, data []byte) error
}

// Options configure a [Satellite].
type Options struct {
	// Server is the main daemon's address, "http://10.0.0.2:8080".
	Server string
	// Token is the kiosk token of the satellite's [[kiosk]] on the main
	// daemon.
	Token string
	// DataDir keeps what was printed (satellite.json). Required.
	DataDir string
	// Printer prints the tickets; nil: none is printed, each is reported
	// not printed.
	Printer Printer
	// Layout is how tickets are laid out (paper, text mode, blocks).
	Layout escpos.Layout
	// Footer and Lines are printed on each ticket as [printer] footer and
	// header lines are.
	Footer string
	Lines  []string
	// PublicURL, if set, prints the citizen's page PublicURL/t/PUBLIC as
	// the ticket's QR code, as the main daemon's server.public_url does.
	PublicURL string
	// Fresh is how old a ticket may be to be printed when the satellite
	// comes to it late (it was down); older ones are reported not printed.
	// Default 2 minutes.
	Fresh time.Duration
	// PrintTimeout bounds one print (default 10 s).
	PrintTimeout time.Duration
	// Backoff is the reconnection delay (default 250 ms to 5 s).
	Backoff backoff.Policy
	Clock   clock.Clock  // nil: the machine's
	Logger  *slog.Logger // nil: discard
	// OnOnline is told when the main daemon becomes reachable (true) and
	// unreachable (false); it starts unreachable. Called from Run's
	// goroutine; it must not block.
	OnOnline func(online bool)
	// OnPrinted, if set, is told of each ticket dealt with (printed or
	// not, and why) once the outcome was reported upstream: for tests and
	// logs. Called from Run's goroutine.
	OnPrinted func(t *queue.Ticket, err error)
	// HTTP is the client of the API (nil: one with a 10 s timeout that
	// keeps no connection between requests).
	HTTP *http.Client
}

// Satellite follows the main daemon and prints its kiosk's tickets.
// Create it with [New], run it with [Satellite.Run]. Issue and
// ReportDevice are safe for concurrent use.
type Satellite struct {
	o      Options
	base   *url.URL
	render *escpos.Renderer
	log    *slog.Logger
	clock  clock.Clock
	// Owned by Run: the state kept on disk, and the unit's and services'
	// names for the paper.
	st    *state
	unit  string
	names map[string]string
	// live is the main daemon's last event when the connection was made:
	// tickets of later events are printed whatever their age (the
	// citizen has just asked), earlier ones only when fresh.
	live int64
	skew time.Duration // the main daemon's clock less the satellite's

	pagesTransport *http.Transport // the pages' connections to the main daemon

	mu      sync.Mutex
	online  bool
	kiosk   string                  // the token's kiosk, once known
	devices map[string]queue.Device // the latest status of each device
	sent    map[string]queue.Device // what the main daemon has
	devWake chan struct{}
}

// Errors.
var (
	// ErrOffline is returned by [Satellite.Issue] while the main daemon
	// cannot be reached: the satellite never numbers on its own.
	ErrOffline = errors.New("satellite: the main daemon cannot be reached; no number can be given now")
	// ErrNotSatellite is returned by Run when the token's kiosk is not a
	// satellite kiosk of the main daemon ([[kiosk]] with satellite = true).
	ErrNotSatellite = errors.New("satellite: the token's kiosk is not a satellite on the main daemon; give it a [[kiosk]] with satellite = true and bind the token to it (kiosk = \"ID\")")
)

// New checks opts and reads what an earlier run printed.
func New(opts Options) (*Satellite, error) {
	base, err := url.Parse(strings.TrimRight(opts.Server, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("satellite: server %q must be the main daemon's http:// or https:// address, such as http://10.0.0.2:8080", opts.Server)
	}
	if opts.Token == "" {
		return nil, errors.New("satellite: no token; give the kiosk token of its [[kiosk]] on the main daemon")
	}
	if opts.DataDir == "" {
		return nil, errors.New("satellite: no data directory; it keeps what was printed")
	}
	if opts.Fresh <= 0 {
		opts.Fresh = 2 * time.Minute
	}
	if opts.PrintTimeout <= 0 {
		opts.PrintTimeout = 10 * time.Second
	}
	if opts.Backoff.Min <= 0 {
		opts.Backoff = backoff.Policy{Min: 250 * time.Millisecond, Max: 5 * time.Second}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.HTTP == nil {
		// A few requests per ticket: no connection is kept between them,
		// so none holds up the main daemon's restart (its shutdown waits
		// 5 s for a connection that has not sent a request yet).
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.DisableKeepAlives = true
		opts.HTTP = &http.Client{Timeout: 10 * time.Second, Transport: tr}
	}
	st, err := loadState(opts.DataDir)
	if err != nil {
		return nil, err
	}
	r, err := escpos.NewRenderer()
	if err != nil {
		return nil, fmt.Errorf("satellite: %w", err)
	}
	return &Satellite{o: opts, base: base, render: r, log: opts.Logger, clock: clock.Or(opts.Clock), st: st,
		pagesTransport: http.DefaultTransport.(*http.Transport).Clone(),
		devices:        map[string]queue.Device{}, sent: map[string]queue.Device{}, devWake: make(chan struct{}, 1)}, nil
}

// Online reports whether the main daemon is reachable now.
func (s *Satellite) Online() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.online
}

func (s *Satellite) setOnline(on bool) {
	s.mu.Lock()
	changed := s.online != on
	s.online = on
	if on {
		clear(s.sent) // the main daemon may have restarted: tell it again
	}
	s.mu.Unlock()
	if changed {
		if on {
			s.log.Info("main daemon reachable", "server", s.base.Redacted())
		} else {
			s.log.Warn("main daemon unreachable: buttons refused until it is back", "server", s.base.Redacted())
		}
		if s.o.OnOnline != nil {
			s.o.OnOnline(on)
		}
	}
	if on {
		s.wakeDevices()
	}
}

// Run follows the main daemon until ctx ends, reconnecting with backoff.
// It returns nil when ctx ends, or an error that retrying cannot mend
// (a refused token, a kiosk that is not a satellite, a full disk).
func (s *Satellite) Run(ctx context.Context) error {
	b := backoff.Backoff{Policy: s.o.Backoff, Clock: s.clock}
	// Connections the client keeps (or dialled spare) would hold up the
	// main daemon's shutdown, which waits for connections without a
	// request for 5 s.
	defer s.o.HTTP.CloseIdleConnections()
	devDone := make(chan struct{})
	go func() {
		defer close(devDone)
		s.sendDevices(ctx)
	}()
	defer func() { <-devDone }()
	for {
		err := s.session(ctx, b.Reset)
		s.setOnline(false)
		if ctx.Err() != nil {
			return nil
		}
		var fatal *fatalError
		if errors.As(err, &fatal) {
			return fatal.err
		}
		s.log.Warn("main daemon", "err", err, "retry", b.Failures()+1)
		if b.Wait(ctx) != nil {
			return nil
		}
	}
}

// fatalError is an error of a session that retrying does not mend.
type fatalError struct{ err error }

func (e *fatalError) Error() string { return e.err.Error() }

// session is one connection: learn the kiosk and the names, follow the
// websocket from the last event handled, print.
func (s *Satellite) session(ctx context.Context, connected func()) error {
	var k struct {
		ID        string    `json:"id"`
		Satellite bool      `json:"satellite"`
		Now       time.Time `json:"now"`
	}
	if err := s.get(ctx, "/api/v1/kiosk", &k); err != nil {
		return err
	}
	// The main daemon's time, on the satellite's clock: tickets are
	// judged by the main daemon's time, whatever the satellite's says.
	s.skew = k.Now.Sub(s.clock.Now())
	if !k.Satellite || k.ID == "" {
		return &fatalError{ErrNotSatellite}
	}
	s.mu.Lock()
	s.kiosk = k.ID
	s.mu.Unlock()
	var st queue.State
	if err := s.get(ctx, "/api/v1/state", &st); err != nil {
		return err
	}
	if s.st.Unit != "" && s.st.Unit != st.Unit.ID {
		return &fatalError{fmt.Errorf("satellite: the main daemon is unit %q, but this satellite printed for unit %q; move %s away to serve the new one", st.Unit.ID, s.st.Unit, stateFile)}
	}
	names := map[string]string{}
	for _, sv := range st.Services {
		names[sv.ID] = sv.Name
	}
	u := *s.base
	u.Scheme = map[string]string{"http": "ws", "https": "wss"}[u.Scheme]
	u.Path += "/api/v1/ws"
	if s.st.Seq > 0 {
		u.RawQuery = "since=" + strconv.FormatInt(s.st.Seq, 10)
	}
	h := http.Header{"Authorization": {"Bearer " + s.o.Token}}
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	conn, res, err := d.DialContext(ctx, u.String(), h)
	if err != nil {
		if res != nil && (res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden) {
			return &fatalError{fmt.Errorf("satellite: the main daemon refused the token (%s); check -token-file", res.Status)}
		}
		return fmt.Errorf("satellite: websocket: %w", err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	alive := func() { conn.SetReadDeadline(time.Now().Add(2 * time.Minute)) }
	alive()
	ping := conn.PingHandler()
	conn.SetPingHandler(func(data string) error { alive(); return ping(data) })
	s.st.Unit = st.Unit.ID
	s.unit = st.Unit.Name
	s.names = names
	s.live = st.Seq
	connected()
	s.setOnline(true)
	if len(s.st.Unreported) > 0 {
		for id := range s.st.Unreported {
			s.report(ctx, id)
		}
		if err := s.st.save(s.o.DataDir); err != nil {
			return &fatalError{err}
		}
	}
	for {
		var f frame
		if err := conn.ReadJSON(&f); err != nil {
			return fmt.Errorf("satellite: websocket: %w", err)
		}
		alive()
		if err := s.handle(ctx, k.ID, f); err != nil {
			return &fatalError{err}
		}
	}
}

// frame is a websocket message of the main daemon, as far as a satellite
// reads it.
type frame struct {
	Type   string        `json:"type"`
	Seq    int64         `json:"seq"`
	Event  string        `json:"event"`
	Ticket *queue.Ticket `json:"ticket"`
	State  *queue.State  `json:"state"`
}

// handle deals with one frame for kiosk id; an error stops the satellite
// (it cannot keep what it printed).
func (s *Satellite) handle(ctx context.Context, kiosk string, f frame) error {
	switch f.Type {
	case "snapshot":
		// A first start, or the events since the last one handled are
		// no longer kept: the waiting tickets of the kiosk not yet dealt
		// with are all that can be missing.
		if f.State != nil {
			for _, sv := range f.State.Services {
				for _, t := range sv.Waiting {
					if t.Kiosk == kiosk && !s.dealt(t.ID) {
						s.deal(ctx, t, true)
					}
				}
			}
		}
		s.st.Seq = f.Seq
		return s.st.save(s.o.DataDir)
	case "reprint":
		// The admin asked for it again: printed whatever was done before.
		if f.Ticket == nil || f.Ticket.Kiosk != kiosk {
			return nil
		}
		s.deal(ctx, f.Ticket, false)
		return s.st.save(s.o.DataDir)
	case "event":
		if f.Seq <= s.st.Seq {
			return nil // replayed: handled before
		}
		s.st.Seq = f.Seq
		if f.Event != queue.TicketIssued || f.Ticket == nil || f.Ticket.Kiosk != kiosk || s.dealt(f.Ticket.ID) {
			return nil
		}
		s.deal(ctx, f.Ticket, f.Seq <= s.live)
		return s.st.save(s.o.DataDir)
	}
	return nil
}

func (s *Satellite) dealt(id string) bool {
	_, ok := s.st.Done[id]
	return ok
}

// deal prints a ticket of the kiosk, or finds it too old to print, and
// records and reports the outcome. late is a ticket issued before the
// satellite connected: printed only while fresh.
func (s *Satellite) deal(ctx context.Context, t *queue.Ticket, late bool) {
	var err error
	switch age := s.clock.Now().Add(s.skew).Sub(t.IssuedAt); {
	case late && age > s.o.Fresh:
		err = fmt.Errorf("satellite: issued %s ago while the satellite was away; not printed (older than %s)", age.Round(time.Second), s.o.Fresh)
	case s.o.Printer == nil:
		err = errors.New("satellite: no printer")
	default:
		err = s.print(ctx, t)
	}
	s.st.forgetBefore(t.ID)
	s.st.Done[t.ID] = err == nil
	if err != nil {
		s.log.Warn("ticket not printed", "ticket", t.Number, "err", err)
	}
	o := outcome{Kiosk: t.Kiosk, Printed: err == nil}
	if err != nil {
		o.Detail = err.Error()
	}
	s.st.Unreported[t.ID] = o
	s.report(ctx, t.ID)
	if s.o.OnPrinted != nil {
		s.o.OnPrinted(t, err)
	}
}

// report sends the outcome of ticket id upstream; one the main daemon
// did not take stays in the state and goes at the next connection, so
// that its admin page lists every ticket not printed.
func (s *Satellite) report(ctx context.Context, id string) {
	o, ok := s.st.Unreported[id]
	if !ok {
		return
	}
	body := map[string]any{"ticket": id, "printed": o.Printed, "detail": o.Detail}
	err := s.post(ctx, "/api/v1/kiosks/"+url.PathEscape(o.Kiosk)+"/prints", body, nil)
	var aerr *apiError
	if err != nil && !(errors.As(err, &aerr) && aerr.Status/100 == 4) {
		s.log.Warn("print outcome not reported; it goes again at the next connection", "ticket", id, "err", err)
		return
	}
	if err != nil {
		// Refused for good (the ticket or kiosk is gone): sending it
		// again would not help.
		s.log.Warn("print outcome refused", "ticket", id, "err", err)
	}
	delete(s.st.Unreported, id)
}

// print renders and prints t.
func (s *Satellite) print(ctx context.Context, t *queue.Ticket) error {
	name := s.names[t.Service]
	if name == "" {
		name = t.Service
	}
	et := escpos.Ticket{Unit: strings.ToUpper(s.unit), Service: name, Number: t.Number, Priority: t.Priority,
		Issued: t.IssuedAt, Ahead: t.Ahead, Wait: time.Duration(t.WaitSeconds) * time.Second,
		Footer: s.o.Footer, Lines: s.o.Lines, Appointment: t.Appointment}
	if s.o.PublicURL != "" && t.Public != "" {
		et.QR = strings.TrimRight(s.o.PublicURL, "/") + "/t/" + t.Public
	}
	data, err := s.render.Render(et, s.o.Layout)
	if err != nil {
		return fmt.Errorf("satellite: %w", err)
	}
	// A print under way when the satellite is told to stop finishes and
	// is recorded, so that it is not printed again after the restart.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.o.PrintTimeout)
	defer cancel()
	return s.o.Printer.PrintJob(ctx, t.ID, data)
}

// Issue asks the main daemon for a ticket of service at the satellite's
// kiosk (a button's press); it prints when its event comes. While the main
// daemon is unreachable it returns [ErrOffline] at once.
func (s *Satellite) Issue(ctx context.Context, service string, priority bool) error {
	if !s.Online() {
		return ErrOffline
	}
	return s.post(ctx, "/api/v1/tickets", map[string]any{"service": service, "priority": priority}, nil)
}

// Scan hands a code read by the satellite's scanner to the main daemon, as
// a scan at its kiosk: a booking's code checks in (and prints here when
// its ticket.issued comes), an ID card waits for the kiosk's page. While
// the main daemon is unreachable it returns [ErrOffline] at once.
func (s *Satellite) Scan(ctx context.Context, text string) error {
	s.mu.Lock()
	online, kiosk := s.online, s.kiosk
	s.mu.Unlock()
	if !online {
		return ErrOffline
	}
	return s.post(ctx, "/api/v1/kiosks/"+url.PathEscape(kiosk)+"/scans", map[string]string{"text": text}, nil)
}

// ReportDevice sets the status of one of the satellite's devices
// ("printer", "scanner", "button GPIO17"); it reaches the main daemon as
// the device "NAME KIOSK" now or once it is reachable again.
func (s *Satellite) ReportDevice(name, status, detail string) {
	s.mu.Lock()
	s.devices[name] = queue.Device{Name: name, Status: status, Detail: detail}
	s.mu.Unlock()
	s.wakeDevices()
}

func (s *Satellite) wakeDevices() {
	select {
	case s.devWake <- struct{}{}:
	default:
	}
}

// sendDevices sends the devices' statuses the main daemon does not have,
// whenever one changes or the connection comes back.
func (s *Satellite) sendDevices(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.devWake:
		}
		s.mu.Lock()
		var todo []queue.Device
		kiosk, online := s.kiosk, s.online
		for n, d := range s.devices {
			if s.sent[n] != d {
				todo = append(todo, d)
			}
		}
		s.mu.Unlock()
		if !online {
			continue
		}
		for _, d := range todo {
			if err := s.post(ctx, "/api/v1/kiosks/"+url.PathEscape(kiosk)+"/devices", d, nil); err != nil {
				s.log.Warn("device status not reported", "device", d.Name, "err", err)
				continue
			}
			s.mu.Lock()
			s.sent[d.Name] = d
			s.mu.Unlock()
		}
	}
}

// apiError is an error answer of the main daemon.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("satellite: main daemon: %d %s: %s", e.Status, e.Code, e.Message)
}

func (s *Satellite) get(ctx context.Context, path string, out any) error {
	return s.call(ctx, http.MethodGet, path, nil, out)
}

func (s *Satellite) post(ctx context.Context, path string, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return s.call(ctx, http.MethodPost, path, bytes.NewReader(b), out)
}

// call makes one API request with the kiosk token and decodes a 2xx
// answer into out (nil: ignored).
func (s *Satellite) call(ctx context.Context, method, path string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, s.base.String()+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+s.o.Token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := s.o.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("satellite: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		json.NewDecoder(io.LimitReader(res.Body, 64<<10)).Decode(&e)
		aerr := &apiError{Status: res.StatusCode, Code: e.Error.Code, Message: e.Error.Message}
		if res.StatusCode == http.StatusUnauthorized {
			return &fatalError{fmt.Errorf("satellite: the main daemon refused the token; check -token-file: %w", aerr)}
		}
		return aerr
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 16<<20)).Decode(out); err != nil {
		return fmt.Errorf("satellite: main daemon's answer to %s: %w", path, err)
	}
	return nil
}
