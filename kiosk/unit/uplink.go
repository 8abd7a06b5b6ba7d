package unit

import (
	"context"
	"log/slog"
	"sync/atomic"

	"motcua/clock"
	"motcua/kiosk/config"
	"motcua/kiosk/daemon"
	"motcua/kiosk/metrics"
	"motcua/kiosk/queue"
	"motcua/kiosk/uplink"
	"motcua/uplinkproto"
)

// uplinkOptions returns the client options of cfg's [uplink], or nil when
// it has none. It reads the ca_file, so a reload checks it before putting
// anything in force.
func uplinkOptions(cfg *config.Config) (*uplink.Options, error) {
	if cfg.Uplink == nil || cfg.Uplink.URL == "" {
		return nil, nil
	}
	opts, err := uplink.FromConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &opts, nil
}

// uplinkRunner runs the uplink client of the configuration in force, and
// replaces it when a reload changes [uplink]. It owns one wake signal,
// subscribed to the daemon's commits once for all the clients it runs,
// and it is the /metrics collector of whichever client runs now, so that
// a new client needs no new registration. Its methods are called from
// the unit's Run goroutine only; Describe and Collect from any.
type uplinkRunner struct {
	d     *daemon.Daemon
	log   *slog.Logger
	clock clock.Clock
	// status makes the unit's status messages.
	status func(context.Context) (uplinkproto.UnitStatus, error)
	remote uplink.Remote // takes config.apply; nil: none

	signal     *uplink.Signal // nil until the first client starts
	registered bool           // for /metrics, once the first client starts
	cur        atomic.Pointer[uplink.Client]
	cancel     context.CancelFunc
	done       chan error
}

// start runs a client of opts until ctx is done or [uplinkRunner.stop];
// nil opts start none (false). No client may be running.
func (u *uplinkRunner) start(ctx context.Context, opts *uplink.Options) bool {
	if opts == nil {
		return false
	}
	if u.signal == nil {
		u.signal = uplink.NewSignal()
		u.d.Subscribe(u.signal.Notify)
	}
	o := *opts
	o.Signal = u.signal
	o.Logger = u.log
	o.Clock = u.clock
	o.Catalogue = u.d.Catalogue
	o.Status = u.status
	o.Remote = u.remote
	c := uplink.New(u.d.Log, u.d.Room, o)
	ctx, u.cancel = context.WithCancel(ctx)
	u.done = make(chan error, 1)
	go func() { u.done <- c.Run(ctx) }()
	u.cur.Store(c)
	if !u.registered {
		u.registered = true
		u.d.Metrics.Register(u)
	}
	return true
}

// stop ends the running client, if any, and waits until it has stored
// the acknowledged seq and let go of its connection.
func (u *uplinkRunner) stop() error {
	if u.cancel == nil {
		return nil
	}
	u.cancel()
	err := <-u.done
	u.cancel, u.done = nil, nil
	u.cur.Store(nil)
	return err
}

// restart puts the [uplink] of a reloaded configuration in force: it
// stops the running client and starts one of opts (none when nil). The
// new client resumes from its receiver's welcome, as on any reconnect, so
// nothing is lost, and the receiver ignores what it already has.
func (u *uplinkRunner) restart(ctx context.Context, opts *uplink.Options) {
	had := u.cancel != nil
	if err := u.stop(); err != nil {
		u.log.Warn("uplink stopped with an error", "err", err)
	}
	dev := queue.Device{Name: uplink.DeviceName, Status: queue.DeviceOK, Detail: "off: the configuration has no [uplink]; events stay in the local log"}
	if opts != nil {
		dev = queue.Device{Name: uplink.DeviceName, Status: queue.DeviceWarning, Detail: "connecting to " + uplink.Redact(opts.URL) + " (configuration reloaded)"}
	}
	// The old client's last status names the old receiver; say what
	// happens now until the new client reports.
	if err := u.d.Room.SetDevice(dev); err != nil {
		u.log.Error("uplink device status", "err", err)
	}
	switch {
	case opts == nil:
		u.log.Info("uplink stopped: the configuration has no [uplink]")
	case had:
		u.start(ctx, opts)
		u.log.Info("uplink restarted with the new configuration", "url", uplink.Redact(opts.URL))
	default:
		u.start(ctx, opts)
		u.log.Info("uplink started with the new configuration", "url", uplink.Redact(opts.URL))
	}
}

// DossierStatus asks the running client's receiver for a dossier's status
// ([uplink.Client.DossierStatus]); [uplink.ErrOffline] when no client
// runs.
func (u *uplinkRunner) DossierStatus(ctx context.Context, code string) (*uplinkproto.Dossier, error) {
	c := u.cur.Load()
	if c == nil {
		return nil, uplink.ErrOffline
	}
	return c.DossierStatus(ctx, code)
}

// Collect implements [metrics.Collector]: the running client's
// metrics, none while no client runs.
func (u *uplinkRunner) Collect(s *metrics.Scrape) {
	if c := u.cur.Load(); c != nil {
		c.Collect(s)
	}
}

var _ metrics.Collector = (*uplinkRunner)(nil)
