package unit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"motcua/clock"
	"motcua/display/sim"
	"motcua/kiosk"
	"motcua/kiosk/api"
	"motcua/kiosk/catalogue"
	"motcua/kiosk/config"
	"motcua/kiosk/daemon"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/printing"
	"motcua/kiosk/queue"
	"motcua/kiosk/report"
	"motcua/kiosk/sdnotify"
	"motcua/kiosk/uplink"
	"motcua/kiosk/voice"
	"motcua/kiosk/web"
)

// Options configure a [Unit].
type Options struct {
	// Clock is the one clock of the unit: the queue's days and the
	// rating window, and every device's and the uplink's waits. Required.
	Clock  clock.Dated
	Logger *slog.Logger // nil: discard
	// Listener, if set, is served instead of listening on the
	// configuration's server.listen.
	Listener net.Listener
	// Scans takes what the barcode scanners read; nil: the API's
	// (check-in and ID cards at the kiosk).
	Scans ScanHandler
	// Notifier tells systemd when the unit serves, reloads and stops,
	// and feeds its watchdog every Watchdog/2 while the event log is
	// well (nil: nothing is sent).
	Notifier *sdnotify.Notifier
	Watchdog time.Duration
	// Version is the software's version, for the receiver's fleet page.
	Version string
	// Remote takes the receiver's config.apply commands (nil: they are
	// refused); its outcome goes into the unit's status messages.
	Remote uplink.Remote
}

// Unit is one running motcua: the daemon (event log, room, hub, API and
// pages), the devices of the configuration in force, the uplink client
// and the report cache. Create it with [New], run it with [Unit.Run],
// put a new configuration in force with [Unit.Reload].
type Unit struct {
	d        *daemon.Daemon
	log      *slog.Logger
	clock    clock.Dated
	sd       *sdnotify.Notifier
	watchdog time.Duration
	ratings  *kiosk.Ratings
	priority kiosk.Priority
	reports  *report.Handler
	up       *uplinkRunner
	warm     chan struct{} // a new day started: fill the report cache
	// builtinVoice is the built-in voice pack for the kiosk's guidance
	// when calls are not spoken, loaded when first needed.
	builtinVoice func() (*voice.Voice, error)
	scans        ScanHandler
	pages        *web.Handler // its Press takes the keypad's GPIO keys
	version      string
	remote       uplink.Remote

	cfg     *config.Config // in force; owned by Run's goroutine after New
	devs    atomic.Pointer[devices]
	upOpts  *uplink.Options // of cfg, checked by New
	reloads chan reload
	done    chan struct{} // closed when Run returns
}

type reload struct {
	cfg *config.Config
	err chan error
}

// ErrStopped is returned by [Unit.Reload] once the unit has stopped.
var ErrStopped = errors.New("unit: stopped")

// New opens the data directory, rebuilds the queue, opens the devices of
// cfg and prepares the server; nothing runs until [Unit.Run]. A device
// that is absent is reported in the state and retried; a configuration
// whose devices cannot work at all is an error.
func New(ctx context.Context, cfg *config.Config, opts Options) (*Unit, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	upOpts, err := uplinkOptions(cfg)
	if err != nil {
		return nil, err
	}
	u := &Unit{log: opts.Logger, clock: opts.Clock, sd: opts.Notifier, watchdog: opts.Watchdog, cfg: cfg, upOpts: upOpts, reloads: make(chan reload), done: make(chan struct{}), warm: make(chan struct{}, 1), scans: opts.Scans, version: opts.Version, remote: opts.Remote}
	u.builtinVoice = sync.OnceValues(func() (*voice.Voice, error) { return voice.New(voice.Options{}) })
	pages := web.New(web.Options{Voice: http.HandlerFunc(u.serveVoice), Guide: http.HandlerFunc(u.serveGuide), Logger: opts.Logger})
	d, err := daemon.New(ctx, daemon.Options{Config: cfg, Clock: opts.Clock, Logger: opts.Logger, Pages: pages, Listener: opts.Listener})
	if err != nil {
		return nil, err
	}
	u.d = d
	if u.scans == nil {
		u.scans = d.API // the kiosk's check-in by scan
	}
	pages.Attach(d.Room)
	u.pages = pages
	u.ratings = kiosk.NewRatings(d.Room, opts.Clock)
	devs, err := openDevices(cfg, u)
	if err != nil {
		return nil, errors.Join(err, d.Close())
	}
	u.use(devs)
	// Every follower of the events subscribes once, here: the devices in
	// force are reached through u.devs, so a reload adds none.
	d.Subscribe(u.observe)
	d.API.HandleDevices(u, u)
	u.handleSimScan()
	u.reports = report.NewHandler(d.Log.DB(), cfg)
	u.reports.Now = opts.Clock.Now // the queue's clock: today is the engine's today
	d.API.Handle("GET /api/v1/reports", u.reports, config.RoleAdmin)
	u.warm <- struct{}{}
	u.up = &uplinkRunner{d: d, log: opts.Logger, clock: opts.Clock, status: u.fleetStatus, remote: opts.Remote}
	d.API.SetDossierLookup(u.up, opts.Clock)
	return u, nil
}

// Addr is the address the unit serves on.
func (u *Unit) Addr() string { return u.d.Addr() }

// Room is the unit's queue.
func (u *Unit) Room() *kiosk.Room { return u.d.Room }

// Catalogue is the unit's procedure catalogue.
func (u *Unit) Catalogue() *catalogue.Store { return u.d.Catalogue }

// Log is the unit's event log.
func (u *Unit) Log() *eventlog.Log { return u.d.Log }

// Err reports a failure of the event log: the unit cannot go on.
func (u *Unit) Err() error { return u.d.Log.Err() }

// Close releases what New opened, for a unit that will not Run.
func (u *Unit) Close() error {
	if d := u.devs.Swap(nil); d != nil {
		d.halt()
	}
	return errors.Join(u.reports.Close(), u.d.Close())
}

// use puts a device set in force: the device endpoints, the board's voice
// and the API's printer reach it through u.devs from now on.
func (u *Unit) use(d *devices) {
	u.devs.Store(d)
	if d != nil {
		u.d.API.SetPrinter(d.printers())
	} else {
		u.d.API.SetPrinter(nil)
	}
}

// observe follows committed events for the devices in force, the rating
// window and the report cache.
func (u *Unit) observe(recs []eventlog.Record) {
	if d := u.devs.Load(); d != nil {
		d.observe(recs)
	}
	u.ratings.Observe(recs)
	for _, r := range recs {
		if r.Event != nil && r.Event.Name == queue.DayStarted {
			select {
			case u.warm <- struct{}{}:
			default:
			}
		}
	}
}

// Run serves until ctx ends or the event log fails, with the devices, the
// uplink client and the report cache, then stops them all: the devices
// are halted, the uplink stores what the receiver acknowledged, the log is
// closed. Call it once.
func (u *Unit) Run(ctx context.Context) error {
	defer close(u.done)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stopDevs := u.start(ctx, u.devs.Load())
	if u.up.start(ctx, u.upOpts) {
		u.log.Info("uplink started", "url", uplink.Redact(u.upOpts.URL))
	}
	warmed := make(chan struct{})
	go func() {
		defer close(warmed)
		u.warmReports(ctx)
	}()
	served := make(chan error, 1)
	go func() { served <- u.d.Run(ctx) }()
	u.sd.Ready("serving on " + u.Addr())
	dog := make(chan error, 1)
	go func() { dog <- u.sd.RunWatchdog(ctx, u.watchdog/2, u.Err) }()
	stopping := ctx.Done()
	for {
		select {
		case err := <-served:
			u.sd.Stopping()
			cancel()
			<-warmed
			err = errors.Join(err, stopDevs(), u.up.stop(), u.reports.Close(), <-dog)
			if err == nil {
				u.log.Info("motcua stopped; the day's queue is kept", "data_dir", u.cfg.Server.DataDir)
			}
			return err
		case <-stopping:
			u.log.Info("stopping: finishing the requests in progress")
			u.sd.Stopping() // then wait for the server to finish
			stopping = nil
		case r := <-u.reloads:
			u.sd.Reloading()
			var err error
			stopDevs, err = u.reload(ctx, r.cfg, stopDevs)
			switch {
			case errors.Is(err, ErrDevices):
				u.sd.Ready("configuration reloaded without its devices")
			case err != nil:
				u.sd.Ready("reload refused: " + err.Error())
			default:
				u.sd.Ready("configuration reloaded")
			}
			r.err <- err
		}
	}
}

// start runs a device set until ctx ends or the returned stop.
func (u *Unit) start(ctx context.Context, d *devices) (stop func() error) {
	if d == nil {
		return func() error { return nil }
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- d.run(ctx) }()
	return func() error { cancel(); return <-done }
}

// Reload puts cfg in force without losing the queue: services, counters,
// tokens and limits at once; the devices are reopened, and the uplink
// client is replaced when [uplink] changed. A configuration the running
// unit cannot take (another data_dir, listen address or unit id, a bad
// uplink CA) is refused with the reason and the old one stays. Devices of
// the new configuration that fail to open leave the unit running without
// devices; the error says so.
func (u *Unit) Reload(cfg *config.Config) error {
	r := reload{cfg: cfg, err: make(chan error, 1)}
	select {
	case u.reloads <- r:
		return <-r.err
	case <-u.done:
		return ErrStopped
	}
}

// ErrDevices wraps the error of devices that failed to open on a reload;
// the configuration is in force all the same.
var ErrDevices = errors.New("unit: the new configuration is in force, but its devices failed; running without them")

// reload is Reload in Run's goroutine.
func (u *Unit) reload(ctx context.Context, cfg *config.Config, stopDevs func() error) (func() error, error) {
	upChanged := !reflect.DeepEqual(cfg.Uplink, u.cfg.Uplink)
	var upOpts *uplink.Options
	if upChanged {
		// A new [uplink] is checked before anything is put in force: a
		// bad one refuses the whole reload.
		var err error
		if upOpts, err = uplinkOptions(cfg); err != nil {
			return stopDevs, err
		}
	}
	if err := u.d.Reload(cfg); err != nil {
		return stopDevs, err
	}
	u.use(nil)
	if err := stopDevs(); err != nil {
		u.log.Warn("devices stopped with an error", "err", err)
	}
	var devErr error
	devs, err := openDevices(cfg, u)
	if err != nil {
		devErr = fmt.Errorf("%w: %w", ErrDevices, err)
	}
	u.use(devs)
	stopDevs = u.start(ctx, devs)
	if upChanged {
		u.up.restart(ctx, upOpts)
	}
	u.reports.Reconfigure(cfg)
	u.cfg = cfg
	return stopDevs, devErr
}

// warmReports keeps the cache of finished days warm: at start and
// whenever a new day starts.
func (u *Unit) warmReports(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-u.warm:
			if n, err := u.reports.Warm(ctx); err != nil && ctx.Err() == nil {
				u.log.Warn("report cache", "err", err)
			} else if n > 0 {
				u.log.Info("report cache filled", "days", n)
			}
		}
	}
}

// serveGuide serves the kiosk's spoken guidance with the voice in force,
// or the built-in voice when calls are not spoken: a kiosk speaks to a
// citizen who asked for it whatever the board does.
func (u *Unit) serveGuide(w http.ResponseWriter, r *http.Request) {
	if d := u.devs.Load(); d != nil && d.voice != nil {
		d.voice.GuideHandler().ServeHTTP(w, r)
		return
	}
	v, err := u.builtinVoice()
	if err != nil {
		api.WriteError(w, http.StatusInternalServerError, "no_voice", err.Error())
		return
	}
	v.GuideHandler().ServeHTTP(w, r)
}

// serveVoice serves the board's spoken calls with the voice in force.
func (u *Unit) serveVoice(w http.ResponseWriter, r *http.Request) {
	if d := u.devs.Load(); d != nil && d.voice != nil {
		d.voice.Handler().ServeHTTP(w, r)
		return
	}
	api.WriteError(w, http.StatusNotFound, "no_voice", "voice calls are off; set [voice] enabled = true")
}

// Reprint implements [api.Reprinter] with the printers in force: at the
// kiosk that issued the ticket.
func (u *Unit) Reprint(ctx context.Context, id string) error {
	d := u.devs.Load()
	if d == nil || d.printers() == nil {
		return api.ErrNoPrinter
	}
	t, err := u.d.Room.Ticket(ctx, id)
	if err != nil {
		return err
	}
	k := d.kiosks[t.Kiosk]
	if k == nil || k.printing == nil {
		return api.ErrNoPrinter
	}
	return k.printing.Reprint(ctx, id)
}

// Unprinted implements [api.Reprinter]: today's tickets whose paper did
// not come out, at this daemon's printers or a satellite's (the print
// records are the log's, one list for every kiosk).
func (u *Unit) Unprinted(ctx context.Context) ([]eventlog.PrintRecord, error) {
	return printing.Unprinted(ctx, u.d.Room)
}

// Simulated implements [api.Simulator] with the devices in force.
func (u *Unit) Simulated() (displays []sim.State, printerDir string, ok bool) {
	d := u.devs.Load()
	var simPrinter string
	if d != nil && d.kiosks[""] != nil {
		simPrinter = d.kiosks[""].simDir
	}
	if d == nil || (d.simDisplay == nil && simPrinter == "") {
		return nil, "", false
	}
	if d.simDisplay != nil {
		displays = d.simDisplay.Snapshot()
	}
	return displays, simPrinter, true
}

// Press implements [api.Simulator]: a ticket button of a kiosk of the
// devices in force.
func (u *Unit) Press(ctx context.Context, kiosk, service string, priority bool) (*queue.Ticket, bool, error, error) {
	d := u.devs.Load()
	if d == nil {
		return nil, false, nil, errors.New("unit: the devices are restarting; try again")
	}
	return d.press(ctx, kiosk, service, priority)
}

var (
	_ api.Reprinter = (*Unit)(nil)
	_ api.Simulator = (*Unit)(nil)
)
