package main

import (
	"context"
	"log/slog"

	"motcua/kiosk/config"
	"motcua/kiosk/daemon"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/uplink"
)

// uplinkStarter wires the uplink client into the daemon in two steps:
// its subscriber goes into daemon.Options before daemon.New, and the
// client is built on the daemon's log and room after it.
type uplinkStarter struct {
	cfg *config.Config
	sig *uplink.Signal
}

// prepareUplink returns nil when cfg has no [uplink].
func prepareUplink(cfg *config.Config) *uplinkStarter {
	if cfg.Uplink == nil || cfg.Uplink.URL == "" {
		return nil
	}
	return &uplinkStarter{cfg: cfg, sig: uplink.NewSignal()}
}

// subscribers are the daemon subscribers the uplink needs (none when u
// is nil).
func (u *uplinkStarter) subscribers() []func([]eventlog.Record) {
	if u == nil {
		return nil
	}
	return []func([]eventlog.Record){u.sig.Notify}
}

// start builds the client on d and runs it until ctx is done; the
// returned wait function returns once it has stopped. The client (a
// prometheus.Collector) is returned for the metrics; nil when u is nil.
func (u *uplinkStarter) start(ctx context.Context, d *daemon.Daemon, log *slog.Logger) (c *uplink.Client, wait func() error, err error) {
	if u == nil {
		return nil, func() error { return nil }, nil
	}
	opts, err := uplink.FromConfig(u.cfg)
	if err != nil {
		return nil, nil, err
	}
	opts.Signal = u.sig
	opts.Logger = log
	c = uplink.New(d.Log, d.Room, opts)
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	log.Info("uplink started", "url", c.String())
	return c, func() error { return <-done }, nil
}
