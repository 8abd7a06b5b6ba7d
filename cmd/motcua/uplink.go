package main

import (
	"context"
	"log/slog"

	"motcua/kiosk/config"
	"motcua/kiosk/daemon"
	"motcua/kiosk/uplink"
)

// startUplink builds the uplink client of cfg on d, wakes it on every
// commit and runs it until ctx is done; the returned wait function returns
// once it has stopped. The client (a prometheus.Collector) is returned for
// the metrics; it is nil when cfg has no [uplink].
func startUplink(ctx context.Context, cfg *config.Config, d *daemon.Daemon, log *slog.Logger) (c *uplink.Client, wait func() error, err error) {
	if cfg.Uplink == nil || cfg.Uplink.URL == "" {
		return nil, func() error { return nil }, nil
	}
	opts, err := uplink.FromConfig(cfg)
	if err != nil {
		return nil, nil, err
	}
	opts.Signal = uplink.NewSignal()
	opts.Logger = log
	d.Subscribe(opts.Signal.Notify)
	c = uplink.New(d.Log, d.Room, opts)
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	log.Info("uplink started", "url", c.String())
	return c, func() error { return <-done }, nil
}
