package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"motcua/clock"
	"motcua/devices/inventory"
	"motcua/kiosk/config"
	"motcua/kiosk/remoteconfig"
	"motcua/kiosk/sdnotify"
	"motcua/kiosk/unit"
)

// errInvalid marks an error whose explanation was already printed.
var errInvalid = errors.New("invalid")

func check(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("check", "motcua check -config FILE", stderr)
	path := fs.String("config", "/etc/motcua/motcua.toml", "configuration `file` to validate")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := config.LoadRun(*path)
	if err == nil {
		err = unit.Check(cfg)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return errInvalid
	}
	return unit.WriteCheck(stdout, *path, cfg)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", "motcua run -config FILE", stderr)
	path := fs.String("config", "/etc/motcua/motcua.toml", "configuration `file`")
	verbose := fs.Bool("debug", false, "log every request")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := config.LoadRun(*path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return errInvalid
	}
	log := newLogger(stderr, *verbose)
	remote := remoteconfig.New(remoteconfig.Options{Path: *path, Check: unit.Check, Logger: log})
	opts := unit.Options{Clock: clock.System{}, Logger: log, Version: versionString(), Remote: remote}
	if opts.Notifier, opts.Watchdog, err = systemd(); err != nil {
		log.Warn("systemd notification off", "err", err)
	}
	u, err := unit.New(ctx, cfg, opts)
	if err != nil {
		return err
	}
	rctx, stop := context.WithCancel(ctx)
	remoteDone := make(chan error, 1)
	go func() { remoteDone <- remote.Run(rctx, u) }()
	err = serve(ctx, u, func() (*config.Config, error) { return config.LoadRun(*path) })
	stop()
	return errors.Join(err, <-remoteDone)
}

// serve runs the unit until ctx ends and reloads it on SIGHUP with
// load; see [unit.Unit.Serve].
func serve(ctx context.Context, u *unit.Unit, load func() (*config.Config, error)) error {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	return u.Serve(ctx, hup, load)
}

func demo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", "motcua demo [-listen ADDR] [-data DIR]", stderr)
	listen := fs.String("listen", "127.0.0.1:8080", "`address` to serve on")
	data := fs.String("data", "", "data `directory` (default: a new temporary directory)")
	verbose := fs.Bool("debug", false, "log every request")
	if err := parse(fs, args); err != nil {
		return err
	}
	log := newLogger(stderr, *verbose)
	d, err := unit.NewDemo(ctx, *listen, *data, unit.Options{Clock: clock.Trusted{}, Logger: log, Version: versionString()})
	if err != nil {
		return err
	}
	d.WriteIntro(stdout)
	return serve(ctx, d.Unit, func() (*config.Config, error) {
		return nil, errors.New("the demo has no configuration file to reload")
	})
}

func devices(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if err := parse(newFlags("devices", "motcua devices", stderr), args); err != nil {
		return err
	}
	inv, err := inventory.List(ctx)
	if err != nil {
		return err
	}
	return inv.Write(stdout)
}

// systemd reads $NOTIFY_SOCKET and $WATCHDOG_USEC, as systemd sets them for
// a Type=notify unit.
func systemd() (*sdnotify.Notifier, time.Duration, error) {
	n, err := sdnotify.New(os.Getenv("NOTIFY_SOCKET"))
	if err != nil {
		return nil, 0, err
	}
	iv, err := sdnotify.WatchdogInterval(os.Getenv("WATCHDOG_USEC"), os.Getenv("WATCHDOG_PID"), os.Getpid())
	return n, iv, err
}
