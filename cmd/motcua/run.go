package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"motcua/clock"
	"motcua/kiosk/config"
	"motcua/kiosk/sdnotify"
	"motcua/kiosk/unit"
)

// loadConfig reads the configuration a daemon runs on: valid, with a data
// directory.
func loadConfig(path string) (*config.Config, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	return cfg, cfg.RequireDataDir()
}

// errInvalid marks an error whose explanation was already printed.
var errInvalid = errors.New("invalid")

func check(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("check", "motcua check -config FILE", stderr)
	path := fs.String("config", "/etc/motcua/motcua.toml", "configuration `file` to validate")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*path)
	if err == nil {
		err = unit.Check(cfg)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return errInvalid
	}
	fmt.Fprintf(stdout, "%s: ok (%d services, %d counters, %d tokens)\n", *path, len(cfg.Services), len(cfg.Counters), len(cfg.Tokens))
	for _, w := range cfg.Warnings() {
		fmt.Fprintln(stdout, w)
	}
	return nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", "motcua run -config FILE", stderr)
	path := fs.String("config", "/etc/motcua/motcua.toml", "configuration `file`")
	verbose := fs.Bool("debug", false, "log every request")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return errInvalid
	}
	log := newLogger(stderr, *verbose)
	u, err := unit.New(ctx, cfg, unit.Options{Clock: clock.System{}, Logger: log})
	if err != nil {
		return err
	}
	sd, err := systemd()
	if err != nil {
		log.Warn("systemd notification off", "err", err)
	}
	return serve(ctx, u, cfg.Server.DataDir, log, sd, func() (*config.Config, error) { return loadConfig(*path) })
}

// serve runs the unit until ctx ends, telling systemd how it goes. On
// SIGHUP it reads the configuration again with load and puts it in force;
// one the unit refuses leaves the old one in force.
func serve(ctx context.Context, u *unit.Unit, dataDir string, log *slog.Logger, sd *watchdog, load func() (*config.Config, error)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	ran := make(chan error, 1)
	go func() { ran <- u.Run(ctx) }()
	sd.n.Ready("serving on " + u.Addr())
	dogDone := make(chan error, 1)
	go func() { dogDone <- sd.n.RunWatchdog(ctx, sd.interval/2, u.Err) }()
	stopping := ctx.Done()
	for {
		select {
		case err := <-ran:
			sd.n.Stopping()
			cancel()
			if err = errors.Join(err, <-dogDone); err == nil {
				log.Info("motcua stopped; the day's queue is kept", "data_dir", dataDir)
			}
			return err
		case <-stopping:
			log.Info("stopping: finishing the requests in progress")
			sd.n.Stopping() // then wait for the unit to finish
			stopping = nil
		case <-hup:
			sd.n.Reloading()
			next, err := load()
			if err == nil {
				err = u.Reload(next)
			}
			switch {
			case errors.Is(err, unit.ErrDevices):
				log.Error("devices of the new configuration failed; running without them", "err", err)
				sd.n.Ready("configuration reloaded without its devices")
			case err != nil:
				log.Error("configuration reload refused; the old configuration stays", "err", err)
				sd.n.Ready("reload refused: " + err.Error())
			default:
				sd.n.Ready("configuration reloaded")
			}
		}
	}
}

func demo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", "motcua demo [-listen ADDR] [-data DIR]", stderr)
	listen := fs.String("listen", "127.0.0.1:8080", "`address` to serve on")
	data := fs.String("data", "", "data `directory` (default: a new temporary directory)")
	verbose := fs.Bool("debug", false, "log every request")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg := config.Demo()
	cfg.Server.Listen = *listen
	cfg.Server.DataDir = *data
	cfg.Server.PublicURL = demoPublicURL(*listen)
	if cfg.Server.DataDir == "" {
		dir, err := os.MkdirTemp("", "motcua-demo-")
		if err != nil {
			return err
		}
		cfg.Server.DataDir = dir
	}
	tokens, err := cfg.AddDemoTokens()
	if err != nil {
		return err
	}
	log := newLogger(stderr, *verbose)
	u, err := unit.New(ctx, cfg, unit.Options{Clock: clock.Trusted{}, Logger: log})
	if err != nil {
		return err
	}
	if err := demoCatalogue(u.Catalogue()); err != nil {
		u.Close()
		return err
	}
	printDemo(stdout, "http://"+u.Addr(), cfg, tokens)
	return serve(ctx, u, cfg.Server.DataDir, log, &watchdog{n: &sdnotify.Notifier{}}, func() (*config.Config, error) {
		return nil, errors.New("the demo has no configuration file to reload")
	})
}

func printDemo(w io.Writer, base string, cfg *config.Config, tokens map[config.Role]string) {
	fmt.Fprintf(w, "motcua demo: %s\n", cfg.Unit.Name)
	fmt.Fprintf(w, "data: %s (kept when the demo stops: remove it when done)\n\n", cfg.Server.DataDir)
	fmt.Fprintf(w, "Kiosk (citizens):   %s/kiosk?token=%s\n", base, tokens[config.RoleKiosk])
	fmt.Fprintf(w, "Board (TV):         %s/board?token=%s\n", base, tokens[config.RoleDisplay])
	for _, c := range cfg.Counters {
		fmt.Fprintf(w, "Counter %d:          %s/counter/%d?token=%s\n", c.ID, base, c.ID, tokens[config.RoleCounter])
	}
	for _, c := range cfg.Counters {
		fmt.Fprintf(w, "Rating %d (tablet):  %s/rate/%d?token=%s\n", c.ID, base, c.ID, tokens[config.RoleKiosk])
	}
	fmt.Fprintf(w, "Admin:              %s/admin?token=%s\n\n", base, tokens[config.RoleAdmin])
	fmt.Fprintln(w, "Try the API:")
	fmt.Fprintf(w, "  curl -H 'Authorization: Bearer %s' -d '{\"service\":\"%s\"}' %s/api/v1/tickets\n",
		tokens[config.RoleKiosk], cfg.Services[0].ID, base)
	fmt.Fprintf(w, "  curl -H 'Authorization: Bearer %s' -d '{\"officer\":\"Nguyễn Văn A\"}' %s/api/v1/counters/1/open\n", tokens[config.RoleCounter], base)
	fmt.Fprintf(w, "  curl -H 'Authorization: Bearer %s' -X POST %s/api/v1/counters/1/next\n", tokens[config.RoleCounter], base)
	fmt.Fprintf(w, "  curl -H 'Authorization: Bearer %s' %s/api/v1/state\n\n", tokens[config.RoleDisplay], base)
	fmt.Fprintln(w, "A browser keeps one token per host: open each role in its own browser profile, or use")
	fmt.Fprintln(w, "the admin URL, whose token opens every page. Simulated hardware: GET /api/v1/sim,")
	fmt.Fprintln(w, `POST /api/v1/sim/press {"service":"dat-dai"} (a ticket button). Ctrl-C stops the demo.`)
}

func devices(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if err := parse(newFlags("devices", "motcua devices", stderr), args); err != nil {
		return err
	}
	return listDevices(ctx, stdout)
}

// watchdog is systemd's notification socket and watchdog interval; a zero
// notifier sends nothing (not under systemd, or the demo).
type watchdog struct {
	n        *sdnotify.Notifier
	interval time.Duration
}

// systemd reads $NOTIFY_SOCKET and $WATCHDOG_USEC, as systemd sets them for
// a Type=notify unit.
func systemd() (*watchdog, error) {
	n, err := sdnotify.New(os.Getenv("NOTIFY_SOCKET"))
	if err != nil {
		return &watchdog{n: &sdnotify.Notifier{}}, err
	}
	iv, err := sdnotify.WatchdogInterval(os.Getenv("WATCHDOG_USEC"), os.Getenv("WATCHDOG_PID"), os.Getpid())
	return &watchdog{n: n, interval: iv}, err
}
