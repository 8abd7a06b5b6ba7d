package main

import (
	"motcua/kiosk/printing"
	"motcua/kiosk/voice"
	"time"

	"motcua/kiosk/sdnotify"
	"net/http"

	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"motcua/kiosk/api"
	"motcua/kiosk/web"
	"os"
	"os/signal"
	"reflect"
	"strings"
	"sync/atomic"
	"syscall"

	"motcua/kiosk/clock"
	"motcua/kiosk/config"
	"motcua/kiosk/daemon"
	"motcua/kiosk/uplink"
)

// checkParts checks what the configuration names beyond its own rules:
// an office's voice pack can be read and the ticket layout renders.
func checkParts(cfg *config.Config) error {
	if cfg.Voice.Enabled && cfg.Voice.Pack != "" {
		mode, err := voice.ParseMode(cfg.Voice.Numbers)
		if err == nil {
			_, err = voice.New(voice.Options{Numbers: mode, Pack: cfg.Voice.Pack})
		}
		if err != nil {
			return fmt.Errorf("%s: [voice] pack: %w", cfg.Path, err)
		}
	}
	if cfg.Printer != nil {
		if _, err := printing.Blocks(cfg.Printer.Blocks); err != nil {
			return fmt.Errorf("%s: [printer]: %w", cfg.Path, err)
		}
	}
	return nil
}

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
		err = checkParts(cfg)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return errInvalid
	}
	fmt.Fprintf(stdout, "%s: ok (%d services, %d counters, %d tokens)\n", *path, len(cfg.Services), len(cfg.Counters), len(cfg.Tokens))
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
	var cur atomic.Pointer[rig]
	pages := newPages(&cur, log)
	d, err := daemon.New(ctx, daemon.Options{Config: cfg, Clock: clock.System{}, Logger: log, Pages: pages})
	if err != nil {
		return err
	}
	pages.Attach(d.Room)
	sd, err := systemd()
	if err != nil {
		log.Warn("systemd notification off", "err", err)
	}
	return serve(ctx, d, cfg, log, &cur, sd, func() (*config.Config, error) { return loadConfig(*path) })
}

// serve runs the daemon, the devices and the uplink of cfg until ctx ends.
// On SIGHUP it reads the configuration again with reload: a valid one is
// put in force without losing the queue (the devices are reopened, and the
// uplink client is replaced when [uplink] changed), an invalid one is
// refused with the reason and the old one stays.
func serve(ctx context.Context, d *daemon.Daemon, cfg *config.Config, log *slog.Logger, cur *atomic.Pointer[rig], sd *watchdog, reload func() (*config.Config, error)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	startRig := func(cfg *config.Config) (stop func() error, err error) {
		r, err := openRig(ctx, cfg, d, log)
		if err != nil {
			return nil, err
		}
		cur.Store(r)
		rctx, rcancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- r.run(rctx) }()
		return func() error { rcancel(); return <-done }, nil
	}
	stopRig, err := startRig(cfg)
	if err != nil {
		d.Close()
		return err
	}
	deviceRoutes(d, cur)
	reports, stopReports := reportRoutes(ctx, d, cfg, log)
	upOpts, err := uplinkOptions(cfg)
	if err != nil {
		return errors.Join(err, stopRig(), d.Close())
	}
	up := newUplinkRunner(d, log)
	if up.start(ctx, upOpts) != nil {
		log.Info("uplink started", "url", uplink.Redact(upOpts.URL))
	}
	served := make(chan error, 1)
	go func() { served <- d.Run(ctx) }()
	sd.n.Ready("serving on " + d.Addr())
	dogDone := make(chan error, 1)
	go func() { dogDone <- sd.n.RunWatchdog(ctx, sd.interval/2, d.Log.Err) }()
	stopping := ctx.Done()
	for {
		select {
		case err := <-served:
			sd.n.Stopping()
			cancel()
			err = errors.Join(err, stopRig(), up.stop(), <-dogDone, stopReports())
			if err == nil {
				log.Info("motcua stopped; the day's queue is kept", "data_dir", cfg.Server.DataDir)
			}
			return err
		case <-stopping:
			log.Info("stopping: finishing the requests in progress")
			sd.n.Stopping() // then wait for the daemon to finish
			stopping = nil
		case <-hup:
			sd.n.Reloading()
			next, err := reload()
			var upChanged bool
			var nextUp *uplink.Options
			if err == nil {
				// A new [uplink] is checked before anything is put in
				// force: a bad one refuses the whole reload.
				if upChanged = !reflect.DeepEqual(next.Uplink, cfg.Uplink); upChanged {
					nextUp, err = uplinkOptions(next)
				}
			}
			if err == nil {
				err = d.Reload(next)
			}
			if err != nil {
				log.Error("configuration reload refused; the old configuration stays", "err", err)
				sd.n.Ready("reload refused: " + err.Error())
				continue
			}
			if err := stopRig(); err != nil {
				log.Warn("devices stopped with an error", "err", err)
			}
			cur.Store(nil)
			if stopRig, err = startRig(next); err != nil {
				log.Error("devices of the new configuration failed; running without them", "err", err)
				stopRig = func() error { return nil }
			}
			if upChanged {
				up.restart(ctx, nextUp)
			}
			reports.Reconfigure(next)
			cfg = next
			sd.n.Ready("configuration reloaded")
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
	if cfg.Server.DataDir == "" {
		dir, err := os.MkdirTemp("", "motcua-demo-")
		if err != nil {
			return err
		}
		cfg.Server.DataDir = dir
	}
	tokens := map[config.Role]string{}
	for _, role := range []config.Role{config.RoleAdmin, config.RoleKiosk, config.RoleDisplay, config.RoleCounter} {
		t := config.Token{Role: role, Name: "demo-" + string(role), Secret: randomToken()}
		if role == config.RoleCounter {
			for _, c := range cfg.Counters {
				t.Counters = append(t.Counters, c.ID)
			}
		}
		if err := cfg.AddToken(t); err != nil {
			return err
		}
		tokens[role] = t.Secret
	}
	log := newLogger(stderr, *verbose)
	var cur atomic.Pointer[rig]
	pages := newPages(&cur, log)
	d, err := daemon.New(ctx, daemon.Options{Config: cfg, Clock: clock.Trusted{}, Logger: log, Pages: pages})
	if err != nil {
		return err
	}
	pages.Attach(d.Room)
	if err := demoCatalogue(d.Catalogue); err != nil {
		d.Close()
		return err
	}
	printDemo(stdout, "http://"+d.Addr(), cfg, tokens)
	return serve(ctx, d, cfg, log, &cur, &watchdog{n: &sdnotify.Notifier{}}, func() (*config.Config, error) {
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

// randomToken returns 128 random bits, base32 without padding, lower case.
func randomToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

func devices(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if err := parse(newFlags("devices", "motcua devices", stderr), args); err != nil {
		return err
	}
	return listDevices(ctx, stdout)
}

// newPages returns the web pages; the board's voice comes from the
// devices in force.
func newPages(cur *atomic.Pointer[rig], log *slog.Logger) *web.Handler {
	voiceWAV := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rg := cur.Load(); rg != nil && rg.voice != nil {
			rg.voice.Handler().ServeHTTP(w, r)
			return
		}
		api.WriteError(w, http.StatusNotFound, "no_voice", "voice calls are off; set [voice] enabled = true")
	})
	return web.New(web.Options{Voice: voiceWAV, Logger: log})
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
