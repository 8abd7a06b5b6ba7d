// Package daemon assembles a running motcua: the event log, the room, the
// websocket hub, the HTTP API and server, and the loop that turns the day.
// cmd/motcua builds one from the configuration and the devices it opened;
// tests build one on a loopback listener.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"motcua/clock"
	"motcua/kiosk"
	"motcua/kiosk/api"
	"motcua/kiosk/catalogue"
	"motcua/kiosk/config"
	"motcua/kiosk/connlimit"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/hub"
	"motcua/kiosk/metrics"
)

// tickEvery is how often the daemon checks whether a new day started.
const tickEvery = 10 * time.Second

// Options configure a [Daemon].
type Options struct {
	Config *config.Config
	Clock  clock.Dated
	Logger *slog.Logger
	// Listener, if set, is served instead of listening on
	// Config.Server.Listen.
	Listener net.Listener
	// Printer prints issued tickets (nil: none).
	Printer api.Printer
	// Pages serves the web pages (nil: none). When it has a Close method,
	// that is called as the server shuts down, to end its streams.
	Pages http.Handler
}

// Daemon is a running motcua.
type Daemon struct {
	Room    *kiosk.Room
	Log     *eventlog.Log
	Hub     *hub.Hub
	API     *api.Server
	Metrics *metrics.Metrics
	// Catalogue is the procedure catalogue kept in the data directory.
	Catalogue *catalogue.Store

	logger *slog.Logger
	ln     net.Listener
	srv    *http.Server

	mu   sync.Mutex
	subs []func([]eventlog.Record)

	watch *logWatch           // the day's log size
	conns *connlimit.Listener // d.ln
}

// Subscribe adds a follower of committed events: it is called after each
// commit with the committed events, in order, from the log's writer; it
// must not block.
func (d *Daemon) Subscribe(fn func([]eventlog.Record)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.subs = append(slices.Clip(d.subs), fn)
}

// New opens the data directory, rebuilds the queue and prepares the
// server. It does not serve until [Daemon.Run].
func New(ctx context.Context, opts Options) (*Daemon, error) {
	cfg := opts.Config
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	log, err := eventlog.Open(cfg.Server.DataDir)
	if err != nil {
		return nil, err
	}
	room, err := kiosk.OpenRoom(ctx, cfg, log, opts.Clock)
	if err != nil {
		log.Close()
		return nil, err
	}
	cat, err := catalogue.Open(cfg.Server.DataDir, cfg.ServiceIDs(), nil)
	if err != nil {
		log.Close()
		return nil, err
	}
	d := &Daemon{Room: room, Log: log, Catalogue: cat, logger: opts.Logger}
	d.Hub = hub.New(room, log.Durable(), hub.Options{
		CheckOrigin: func(r *http.Request) bool { return true }, // the API checked it before the upgrade
		MaxClients:  wsClients(cfg.Server.MaxConnections),
		Logger:      opts.Logger,
	})
	m := metrics.New(room, d.Hub.Clients)
	d.Metrics = m
	d.watch = newLogWatch(room, opts.Logger, cfg)
	m.Register(d.watch)
	if err := d.watch.count(ctx, log); err != nil {
		log.Close()
		return nil, err
	}
	d.subs = []func([]eventlog.Record){d.Hub.Publish, m.Observe, d.watch.Observe}
	log.OnCommit = func(recs []eventlog.Record) {
		d.mu.Lock()
		subs := d.subs
		d.mu.Unlock()
		for _, s := range subs {
			s(recs)
		}
	}
	d.API = api.New(room, api.Options{
		Hub: d.Hub, Logger: opts.Logger, Metrics: m.Handler(), Printer: opts.Printer, Pages: opts.Pages,
		Catalogue: cat, Clock: opts.Clock,
	})
	d.subs = append(d.subs, d.API.Observe)
	ln := opts.Listener
	if ln == nil {
		if ln, err = net.Listen("tcp", cfg.Server.Listen); err != nil {
			log.Close()
			return nil, fmt.Errorf("daemon: listen on %s: %w (is another program using the port?)", cfg.Server.Listen, err)
		}
	}
	conns := connlimit.New(ln, connlimit.Options{Max: cfg.Server.MaxConnections, PerAddress: cfg.Server.MaxConnectionsPerAddress})
	d.ln, d.conns = conns, conns
	m.Register(connCollector{conns})
	d.srv = &http.Server{
		Handler:           d.API,
		ConnContext:       conns.ConnContext,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(opts.Logger.Handler(), slog.LevelDebug),
	}
	// Pages that stream (the kiosk's keys) end their streams on shutdown,
	// as the hub closes its websockets: Shutdown waits for open requests.
	if c, ok := opts.Pages.(interface{ Close() }); ok {
		d.srv.RegisterOnShutdown(c.Close)
	}
	return d, nil
}

// Addr is the address the daemon serves on.
func (d *Daemon) Addr() string { return d.ln.Addr().String() }

// Run serves until ctx is done or the log fails, then shuts down: it stops
// accepting, closes the websockets, waits for requests in flight and
// closes the log.
func (d *Daemon) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- d.srv.Serve(d.ln) }()
	d.logger.Info("motcua serving", "addr", d.Addr(), "seq", d.Log.Durable(), "unit", d.Room.Config().Unit.ID)
	tick := time.NewTicker(tickEvery)
	defer tick.Stop()
	var runErr error
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case err := <-errc:
			runErr = fmt.Errorf("daemon: serve: %w", err)
			break loop
		case <-d.watch.wake:
			if err := d.watch.update(); err != nil {
				runErr = err
				break loop
			}
		case <-tick.C:
			if err := d.Room.Tick(); err != nil {
				runErr = err
				break loop
			}
			if err := d.Log.Err(); err != nil {
				runErr = err
				break loop
			}
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d.Hub.Close()
	if err := d.srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		runErr = errors.Join(runErr, err)
	}
	return errors.Join(runErr, d.Log.Close())
}

// Close releases what New opened, for a daemon that will not Run.
func (d *Daemon) Close() error {
	return errors.Join(d.ln.Close(), d.Log.Close())
}

// Reload puts a new configuration in force without losing the queue:
// services, counters, tokens, origins and limits. The listen address and
// the data directory need a restart; a change to them is refused.
func (d *Daemon) Reload(cfg *config.Config) error {
	old := d.Room.Config()
	switch {
	case cfg.Server.DataDir != old.Server.DataDir:
		return fmt.Errorf("daemon: server.data_dir changed (%s → %s): restart motcua to move the data", old.Server.DataDir, cfg.Server.DataDir)
	case cfg.Server.Listen != old.Server.Listen:
		return fmt.Errorf("daemon: server.listen changed (%s → %s): restart motcua to listen elsewhere", old.Server.Listen, cfg.Server.Listen)
	case cfg.Unit.ID != old.Unit.ID:
		return fmt.Errorf("daemon: unit.id changed (%s → %s): the log belongs to %s; restart with a new data_dir", old.Unit.ID, cfg.Unit.ID, old.Unit.ID)
	}
	d.Room.Reconfigure(cfg)
	d.API.Reconfigure(cfg)
	d.watch.setLimit(cfg)
	d.conns.SetPerAddress(cfg.Server.MaxConnectionsPerAddress)
	d.Catalogue.SetServices(cfg.ServiceIDs())
	if err := d.Catalogue.Reload(); err != nil {
		d.logger.Warn("the catalogue file was not read again; the one in force stays", "err", err)
	}
	d.logger.Info("configuration reloaded", "services", len(cfg.Services), "counters", len(cfg.Counters), "tokens", len(cfg.Tokens))
	return nil
}

// wsClients is how many websocket clients the hub takes out of the
// connection cap: all but a reserve, so that a room full of screens never
// keeps a kiosk from issuing a ticket.
func wsClients(maxConns int) int {
	if maxConns <= 0 {
		maxConns = 2000
	}
	return max(maxConns-max(maxConns/10, 16), 1)
}
