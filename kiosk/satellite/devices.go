package satellite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/host/v3"

	"motcua/clock"
	"motcua/devices/button"
	"motcua/devices/escpos"
	"motcua/devices/led"
	"motcua/devices/printer"
	"motcua/devices/scanner"
	"motcua/kiosk/config"
	"motcua/kiosk/unit"
)

// DeviceConfig are a satellite's own devices, as "motcua satellite"'s
// flags give them.
type DeviceConfig struct {
	// Printer is the printer's address as in [printer] address ("" none);
	// Mode, Paper and Baud as there (defaults raster, 80, 19200).
	Printer string
	Mode    string
	Paper   int
	Baud    int
	// Buttons are ticket buttons: a GPIO pin and the service it issues
	// for, or Priority (the next ticket is a priority one).
	Buttons []Button
	// OutOfOrder and Buzzer are GPIO pins ("" none): the light is on
	// while the main daemon is unreachable or the printer fails; the
	// buzzer beeps when a button is refused.
	OutOfOrder, Buzzer string
	// Scanner is the kiosk scanner's address as in [[scanner]] address
	// ("" none).
	Scanner string
	// DataDir holds a simulated printer's tickets (DataDir/printer).
	DataDir string
}

// Button is a satellite's ticket button.
type Button struct {
	Pin      string
	Service  string
	Priority bool
}

// Devices are a satellite's opened devices. Attach a [Satellite], then
// Run them.
type Devices struct {
	cfg     DeviceConfig
	log     *slog.Logger
	clock   clock.Clock
	printer *printer.Supervisor
	layout  escpos.Layout
	light   *led.Dev
	beeps   chan struct{}
	sat     *Satellite
	loops   []func(context.Context) error
	halts   []func() error

	printerFailed, offline bool // for the light; owned by the light's loop
	lightCh                chan func()
	priority               chan struct{}
}

// OpenDevices checks dc and opens the devices it names; a device that is
// absent is reported and retried by its driver.
func OpenDevices(dc DeviceConfig, log *slog.Logger, clk clock.Clock) (*Devices, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := &Devices{cfg: dc, log: log, clock: clock.Or(clk), lightCh: make(chan func(), 8), priority: make(chan struct{}, 1), offline: true}
	mode, err := escpos.ParseTextMode(orDefault(dc.Mode, config.ModeRaster))
	if err != nil {
		return nil, fmt.Errorf("satellite: -mode: %w", err)
	}
	paper, err := escpos.ParsePaper(strconv.Itoa(orDefaultInt(dc.Paper, 80)))
	if err != nil {
		return nil, fmt.Errorf("satellite: -paper: %w", err)
	}
	d.layout = escpos.Layout{Paper: paper, Mode: mode}
	if len(dc.Buttons) > 0 || dc.OutOfOrder != "" || dc.Buzzer != "" {
		if _, err := host.Init(); err != nil {
			return nil, fmt.Errorf("satellite: GPIO drivers: %w", err)
		}
	}
	for _, step := range []func() error{func() error { return d.openPrinter(paper) }, d.openOutputs} {
		if err := step(); err != nil {
			d.Halt()
			return nil, err
		}
	}
	return d, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func orDefaultInt(n, def int) int {
	if n == 0 {
		return def
	}
	return n
}

// Layout is the paper's layout for [Options.Layout].
func (d *Devices) Layout() escpos.Layout { return d.layout }

// Printer is the printer for [Options.Printer]; nil without one.
func (d *Devices) Printer() Printer {
	if d.printer == nil {
		return nil
	}
	return jobPrinter{d.printer}
}

type jobPrinter struct{ sup *printer.Supervisor }

func (p jobPrinter) PrintJob(ctx context.Context, id string, data []byte) error {
	return p.sup.Print(ctx, printer.Job{ID: id, Data: data})
}

func (d *Devices) openPrinter(paper escpos.Paper) error {
	if d.cfg.Printer == "" {
		return nil
	}
	e, err := config.ParseEndpoint(d.cfg.Printer)
	if err != nil {
		return fmt.Errorf("satellite: -printer: %w", err)
	}
	simDir := ""
	if e.Scheme == "sim" {
		simDir = filepath.Join(d.cfg.DataDir, "printer")
	}
	opts := printer.Options{Baud: orDefaultInt(d.cfg.Baud, 19200)}
	sup, err := printer.New(printer.Config{
		Clock: d.clock, Name: e.String(), FailFast: true, Logger: d.log,
		Open: func(ctx context.Context) (io.ReadWriteCloser, error) {
			return unit.OpenPrinter(ctx, e, opts, simDir, paper)
		},
		OnStatus: d.printerStatus,
	})
	if err != nil {
		return err
	}
	d.printer = sup
	d.loops = append(d.loops, sup.Run)
	d.halts = append(d.halts, sup.Halt)
	return nil
}

func (d *Devices) printerStatus(st printer.Status) {
	detail := st.Detail
	if st.DetailEN != "" && detail != "" {
		detail += " (" + st.DetailEN + ")"
	}
	if d.sat != nil {
		d.sat.ReportDevice("printer", string(st.Level), detail)
	}
	d.setLight(func() { d.printerFailed = st.Level == printer.LevelError })
}

func pin(name string) (gpio.PinIO, error) {
	p := gpioreg.ByName(name)
	if p == nil {
		return nil, fmt.Errorf("satellite: GPIO pin %q not found on this machine; see 'motcua devices'", name)
	}
	return p, nil
}

func (d *Devices) openOutputs() error {
	for _, o := range []struct {
		pin, name string
		set       func(*led.Dev)
	}{
		{d.cfg.OutOfOrder, "out_of_order", func(l *led.Dev) { d.light = l }},
		{d.cfg.Buzzer, "buzzer", func(l *led.Dev) {
			d.beeps = make(chan struct{}, 1)
			d.loops = append(d.loops, func(ctx context.Context) error {
				for {
					select {
					case <-ctx.Done():
						return nil
					case <-d.beeps:
						if err := l.Play(ctx, led.Beep()); err != nil {
							return err
						}
					}
				}
			})
		}},
	} {
		if o.pin == "" {
			continue
		}
		p, err := pin(o.pin)
		if err != nil {
			return err
		}
		l, err := led.New(p, led.Opts{Name: o.name, Clock: d.clock})
		if err != nil {
			return err
		}
		o.set(l)
		d.halts = append(d.halts, l.Halt)
	}
	return nil
}

// Attach ties the devices to s: buttons and the scanner issue through
// it, the printer's status goes upstream. Call it before Run.
func (d *Devices) Attach(s *Satellite) { d.sat = s }

// OnOnline is the [Options.OnOnline] of the devices: the out-of-order
// light is on while the main daemon is unreachable.
func (d *Devices) OnOnline(online bool) { d.setLight(func() { d.offline = !online }) }

// setLight changes what the light shows, in its loop.
func (d *Devices) setLight(f func()) {
	select {
	case d.lightCh <- f:
	default:
		d.log.Warn("out-of-order light: too many changes at once; one was dropped")
	}
}

// Run runs the devices until ctx ends, then halts them.
func (d *Devices) Run(ctx context.Context) error {
	if d.sat == nil {
		return errors.New("satellite: devices not attached to a satellite")
	}
	loops := append([]func(context.Context) error{d.runLight}, d.loops...)
	if err := d.openButtons(ctx, &loops); err != nil {
		return err
	}
	if err := d.openScanner(ctx, &loops); err != nil {
		return err
	}
	errs := make(chan error, len(loops))
	for _, l := range loops {
		go func() { errs <- l(ctx) }()
	}
	var err error
	for range loops {
		if e := <-errs; !errors.Is(e, context.Canceled) {
			err = errors.Join(err, e)
		}
	}
	d.Halt()
	return err
}

// runLight owns the out-of-order light.
func (d *Devices) runLight(ctx context.Context) error {
	for {
		if d.light != nil {
			var err error
			if d.offline || d.printerFailed {
				err = d.light.On()
			} else {
				err = d.light.Off()
			}
			if err != nil {
				d.log.Warn("out-of-order light", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case f := <-d.lightCh:
			f()
		}
	}
}

func (d *Devices) beep() {
	select {
	case d.beeps <- struct{}{}:
	default:
	}
}

func (d *Devices) openButtons(ctx context.Context, loops *[]func(context.Context) error) error {
	for _, bc := range d.cfg.Buttons {
		p, err := pin(bc.Pin)
		if err != nil {
			return err
		}
		opts := button.Opts{Clock: d.clock, Name: bc.Pin, Debounce: 5 * time.Millisecond, MinInterval: 2 * time.Second,
			OnStatus: func(st button.Status) { d.sat.ReportDevice("button "+bc.Pin, string(st.Level), st.DetailVI) }}
		if bc.Priority {
			opts.OnEvent = func(button.Event) {
				select {
				case d.priority <- struct{}{}:
				default:
				}
				d.beep()
			}
		} else {
			opts.OnEvent = func(button.Event) { d.press(ctx, bc.Service) }
		}
		b, err := button.New(p, opts)
		if err != nil {
			return err
		}
		*loops = append(*loops, b.Run)
		d.halts = append(d.halts, b.Halt)
	}
	return nil
}

// press asks the main daemon for a ticket; refused (main daemon
// unreachable, service closed), it beeps.
func (d *Devices) press(ctx context.Context, service string) {
	priority := false
	select {
	case <-d.priority:
		priority = true
	default:
	}
	if err := d.sat.Issue(ctx, service, priority); err != nil {
		d.log.Warn("button refused", "service", service, "err", err)
		d.beep()
	}
}

func (d *Devices) openScanner(ctx context.Context, loops *[]func(context.Context) error) error {
	if d.cfg.Scanner == "" {
		return nil
	}
	e, err := config.ParseScannerAddress(d.cfg.Scanner)
	if err != nil {
		return fmt.Errorf("satellite: -scanner: %w", err)
	}
	if e.Scheme == "sim" {
		return errors.New("satellite: -scanner sim is not supported; a satellite's scanner is a device (serial:, hidraw: or evdev:)")
	}
	kind := scanner.Kind(e.Scheme)
	dev, err := scanner.New(scanner.Config{
		Name: d.cfg.Scanner, Kind: kind, Ends: "\r\n", Timeout: 100 * time.Millisecond, Logger: d.log,
		Open: func(context.Context) (io.ReadCloser, error) { return scanner.Open(kind, e.Path, scanner.Options{}) },
		OnScan: func(sc scanner.Scan) {
			if err := d.sat.Scan(ctx, sc.Text); err != nil {
				d.log.Warn("scan refused", "err", err)
				d.beep()
			}
		},
		OnStatus: func(st scanner.Status) {
			d.sat.ReportDevice("scanner", string(st.Level), st.Detail)
		},
	})
	if err != nil {
		return err
	}
	*loops = append(*loops, dev.Run)
	d.halts = append(d.halts, dev.Halt)
	return nil
}

// Halt makes the devices inert, in the reverse order of opening.
func (d *Devices) Halt() {
	for i := len(d.halts) - 1; i >= 0; i-- {
		if err := d.halts[i](); err != nil {
			d.log.Warn("device halt", "err", err)
		}
	}
	d.halts = nil
}

// ParseButton reads a button as "motcua satellite -button" gives it:
// "GPIO17=dat-dai" (a ticket button of that service) or
// "GPIO27=priority".
func ParseButton(s string) (Button, error) {
	p, what, ok := strings.Cut(s, "=")
	if !ok || p == "" || what == "" {
		return Button{}, fmt.Errorf("satellite: button %q must be PIN=SERVICE or PIN=priority, such as GPIO17=dat-dai", s)
	}
	if what == config.ButtonPriority {
		return Button{Pin: p, Priority: true}, nil
	}
	return Button{Pin: p, Service: what}, nil
}
