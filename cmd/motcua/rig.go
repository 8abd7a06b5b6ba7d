package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/conn/v3/i2c"
	"periph.io/x/conn/v3/i2c/i2creg"
	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/spi"
	"periph.io/x/conn/v3/spi/spireg"
	"periph.io/x/host/v3"

	"motcua/devices/button"
	"motcua/devices/escpos"
	"motcua/devices/keypad"
	"motcua/devices/led"
	"motcua/devices/modbus"
	"motcua/devices/printer"
	"motcua/display"
	"motcua/display/ht16k33"
	"motcua/display/max7219"
	"motcua/display/modbus7seg"
	"motcua/display/sim"
	"motcua/kiosk"
	"motcua/kiosk/callout"
	"motcua/kiosk/config"
	"motcua/kiosk/daemon"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/printing"
	"motcua/kiosk/queue"
	"motcua/kiosk/voice"
)

// rig is the room's devices, opened from the configuration and attached to
// a daemon: printer, voice, displays, buttons, keypads and lights. Its loops
// run until the context given to run ends; then every device is halted.
type rig struct {
	cfg  *config.Config
	d    *daemon.Daemon
	room *kiosk.Room
	log  *slog.Logger

	loops []func(ctx context.Context) error
	halts []func() error

	printing   *printing.Service
	voice      *voice.Voice
	simDisplay *sim.Room
	simPrinter string // directory of the simulated printer's PNGs

	ledPrinting, ledOutOfOrder, buzzer *led.Dev
	announce                           callout.Announce
	lastDone                           sync.Map // counter id -> time of its last ticket.done
}

// openRig opens every device the configuration names. A device that is
// absent or fails is reported in the state's devices and retried where its
// driver can; only a configuration that cannot work is an error.
func openRig(ctx context.Context, cfg *config.Config, d *daemon.Daemon, log *slog.Logger) (*rig, error) {
	r := &rig{cfg: cfg, d: d, room: d.Room, log: log}
	if needsHost(cfg) {
		if _, err := host.Init(); err != nil {
			return nil, fmt.Errorf("GPIO/SPI/I2C drivers: %w", err)
		}
	}
	steps := []func(context.Context) error{r.openOutputs, r.openPrinter, r.openVoice, r.openDisplays, r.openButtons}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			r.halt()
			return nil, err
		}
	}
	return r, nil
}

func needsHost(cfg *config.Config) bool {
	if len(cfg.Buttons) > 0 || len(cfg.Outputs) > 0 {
		return true
	}
	for _, k := range cfg.Keypads {
		if k.Slave == 0 {
			return true
		}
	}
	for _, dc := range cfg.Displays {
		if dc.Driver == config.DriverMAX7219 || dc.Driver == config.DriverHT16K33 {
			return true
		}
	}
	return false
}

// run runs every device loop until ctx ends, then halts the devices.
func (r *rig) run(ctx context.Context) error {
	var wg sync.WaitGroup
	errs := make([]error, len(r.loops))
	for i, loop := range r.loops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := loop(ctx); !errors.Is(err, context.Canceled) {
				errs[i] = err
			}
		}()
	}
	wg.Wait()
	r.halt()
	return errors.Join(errs...)
}

// halt makes every device inert, in the reverse order of opening. A device
// that cannot be reached now (unplugged, bus down) is logged, not fatal:
// the daemon is stopping anyway.
func (r *rig) halt() {
	for i := len(r.halts) - 1; i >= 0; i-- {
		if err := r.halts[i](); err != nil {
			r.log.Warn("device halt", "err", err)
		}
	}
	r.halts = nil
}

// device reports a device's status in the state.
func (r *rig) device(name, status, detail string) {
	if err := r.room.SetDevice(queue.Device{Name: name, Status: status, Detail: detail}); err != nil {
		r.log.Error("device status", "device", name, "err", err)
	}
}

func pin(name string) (gpio.PinIO, error) {
	p := gpioreg.ByName(name)
	if p == nil {
		return nil, fmt.Errorf("GPIO pin %q not found on this machine; see 'motcua devices'", name)
	}
	return p, nil
}

func (r *rig) openOutputs(ctx context.Context) error {
	for _, oc := range r.cfg.Outputs {
		p, err := pin(oc.Pin)
		if err != nil {
			return err
		}
		dev, err := led.New(p, led.Opts{Name: oc.Role, ActiveLow: oc.ActiveLow})
		if err != nil {
			return err
		}
		r.halts = append(r.halts, dev.Halt)
		switch oc.Role {
		case config.OutputPrinting:
			r.ledPrinting = dev
		case config.OutputOutOfOrder:
			r.ledOutOfOrder = dev
		case config.OutputBuzzer:
			r.buzzer = dev
		}
	}
	return nil
}

// openPrinter starts the printer's supervisor and the printing service.
func (r *rig) openPrinter(ctx context.Context) error {
	pc := r.cfg.Printer
	if pc == nil {
		return nil
	}
	paper, err := escpos.ParsePaper(strconv.Itoa(pc.Paper))
	if err != nil {
		return err
	}
	addr := pc.Address
	opts := printer.Options{Baud: pc.Baud, Parity: pc.Parity, Flow: pc.Flow, SimPaper: paper}
	if addr == "sim" || strings.HasPrefix(addr, "sim:") {
		opts.SimDir = filepath.Join(r.cfg.Server.DataDir, "printer")
		r.simPrinter = opts.SimDir
	}
	w := newJobWaiter()
	sup, err := printer.New(printer.Config{
		Name:     addr,
		Open:     func(ctx context.Context) (io.ReadWriteCloser, error) { return printer.Open(ctx, addr, opts) },
		OnStatus: r.printerStatus,
		OnResult: w.result,
		FailFast: true,
		Logger:   r.log,
	})
	if err != nil {
		return err
	}
	w.sup = sup
	svc, err := printing.New(r.room, w, r.cfg, printing.Options{})
	if err != nil {
		return err
	}
	r.printing = svc
	r.d.API.SetPrinter(svc)
	r.loops = append(r.loops, sup.Run, func(ctx context.Context) error {
		// Tickets a crash kept from printing: once the printer had a
		// moment to connect.
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(2 * time.Second):
		}
		printed, unprinted, err := svc.Recover(ctx)
		if printed+unprinted > 0 {
			r.log.Warn("print jobs interrupted by a restart", "printed_now", printed, "unprinted", unprinted)
		}
		return err
	})
	r.halts = append(r.halts, sup.Halt)
	return nil
}

func (r *rig) printerStatus(st printer.Status) {
	detail := st.Detail
	if st.DetailEN != "" && detail != "" {
		detail += " (" + st.DetailEN + ")"
	}
	r.device("printer", string(st.Level), detail)
	if r.ledOutOfOrder != nil {
		if st.Level == printer.LevelError {
			r.ledOutOfOrder.On()
		} else {
			r.ledOutOfOrder.Off()
		}
	}
}

// openVoice prepares the voice calls and, with play_local, the announcer
// that plays them on this machine.
func (r *rig) openVoice(ctx context.Context) error {
	vc := r.cfg.Voice
	if !vc.Enabled {
		return nil
	}
	mode, err := voice.ParseMode(vc.Numbers)
	if err != nil {
		return err
	}
	v, err := voice.New(voice.Options{Numbers: mode, Pack: vc.Pack, Logger: r.log})
	if err != nil {
		return err
	}
	r.voice = v
	if !vc.PlayLocal {
		return nil
	}
	a := voice.NewAnnouncer(v, voice.NewAplay(vc.AplayDevice), 16, r.log)
	r.loops = append(r.loops, a.Run)
	r.announce = func(number string, counter int) {
		if err := a.Say(voice.Call{Number: number, Counter: counter}); err != nil {
			r.log.Warn("voice call dropped", "number", number, "counter", counter, "err", err)
		}
	}
	return nil
}

// openDisplays opens every counter display, each under a supervisor that
// retries it with backoff, and attaches them and the voice to the calls.
func (r *rig) openDisplays(ctx context.Context) error {
	displays := map[int][]callout.Display{}
	var bus *modbus.Master
	for _, dc := range r.cfg.Displays {
		var dev display.Counter
		var err error
		switch dc.Driver {
		case config.DriverSim:
			if r.simDisplay == nil {
				r.simDisplay = sim.NewRoom(nil)
			}
			dev = r.simDisplay.Add(dc.Counter, dc.Digits)
		case config.DriverMAX7219:
			dev, err = r.openMAX7219(dc)
		case config.DriverHT16K33:
			dev, err = r.openHT16K33(dc)
		case config.DriverModbus7Seg:
			if bus == nil {
				if bus, err = r.openBus(); err != nil {
					return err
				}
			}
			dev, err = modbus7seg.New(bus, modbus7seg.Opts{Slave: byte(dc.Slave), Digits: dc.Digits})
		default:
			err = fmt.Errorf("display driver %q is not known", dc.Driver)
		}
		if err != nil {
			return fmt.Errorf("display of counter %d: %w", dc.Counter, err)
		}
		name := fmt.Sprintf("display %d", dc.Counter)
		sup := display.NewSupervised(dev, display.Options{OnStatus: func(st display.Status) {
			if st.OK {
				r.device(name, queue.DeviceOK, dev.String())
			} else {
				r.device(name, queue.DeviceError, fmt.Sprintf("%s không trả lời (not answering): %v", dev, st.Err))
			}
		}})
		sup.SetBrightness(display.Brightness(dc.Brightness))
		displays[dc.Counter] = append(displays[dc.Counter], sup)
		r.loops = append(r.loops, sup.Run)
		r.halts = append(r.halts, dev.Halt)
	}
	if err := r.openKeypads(bus); err != nil {
		return err
	}
	c := callout.New(displays, r.announce)
	st, err := kiosk.View(r.room, (*queue.Engine).State)
	if err != nil {
		return err
	}
	c.Start(st)
	r.d.Subscribe(c.Observe)
	r.d.Subscribe(r.observe)
	return nil
}

func (r *rig) openMAX7219(dc config.Display) (display.Counter, error) {
	port, err := spireg.Open(dc.Bus)
	if err != nil {
		return nil, fmt.Errorf("SPI %q: %w", dc.Bus, err)
	}
	r.halts = append(r.halts, port.Close)
	conn, err := port.Connect(physic.MegaHertz, spi.Mode0, 8)
	if err != nil {
		return nil, err
	}
	chain, err := max7219.New(conn, &max7219.Opts{Digits: dc.Digits, Brightness: display.Brightness(dc.Brightness)})
	if err != nil {
		return nil, err
	}
	return chain.Display(0)
}

func (r *rig) openHT16K33(dc config.Display) (display.Counter, error) {
	b, err := i2creg.Open(dc.Bus)
	if err != nil {
		return nil, fmt.Errorf("I2C %q: %w", dc.Bus, err)
	}
	r.halts = append(r.halts, b.Close)
	return ht16k33.New(&i2c.Dev{Bus: b, Addr: uint16(dc.Address)}, &ht16k33.Opts{Brightness: display.Brightness(dc.Brightness)})
}

// openBus opens the RS-485 bus shared by displays and keypads.
func (r *rig) openBus() (*modbus.Master, error) {
	rc := r.cfg.RS485
	if rc == nil {
		return nil, errors.New("modbus devices need an [rs485] section")
	}
	path := rc.Endpoint.Path
	if rc.Endpoint.Scheme == "usb" {
		p, err := printer.FindUSB(strings.TrimPrefix(rc.Endpoint.String(), "usb:"))
		if err != nil {
			return nil, fmt.Errorf("RS-485 adapter: %w", err)
		}
		path = p
	}
	parity := map[string]modbus.Parity{"": modbus.ParityNone, "none": modbus.ParityNone, "even": modbus.ParityEven, "odd": modbus.ParityOdd}[rc.Parity]
	port, err := modbus.OpenSerial(path, rc.Baud, parity, 1)
	if err != nil {
		return nil, fmt.Errorf("RS-485 %s: %w", path, err)
	}
	r.halts = append(r.halts, port.Close)
	return modbus.New(port, modbus.Config{Name: path, Baud: rc.Baud, Parity: parity, StopBits: 1,
		Timeout: rc.Timeout.D(), Retries: rc.Retries})
}

// openKeypads polls the Modbus call and rating keypads and reads GPIO
// rating keypads.
func (r *rig) openKeypads(bus *modbus.Master) error {
	var pads []keypad.Pad
	for _, kc := range r.cfg.Keypads {
		kind := keypad.KindCall
		if kc.Kind == config.KeypadRating {
			kind = keypad.KindRating
		}
		if kc.Slave != 0 {
			pads = append(pads, keypad.Pad{Counter: kc.Counter, Slave: byte(kc.Slave), Kind: kind})
			continue
		}
		for score := 4; score >= 1; score-- {
			if err := r.openRatingPin(kc, score); err != nil {
				return err
			}
		}
	}
	if len(pads) == 0 {
		return nil
	}
	if bus == nil {
		var err error
		if bus, err = r.openBus(); err != nil {
			return err
		}
	}
	p, err := keypad.NewPoller(bus, pads, keypad.Options{
		OnPress: r.keypadPress,
		OnStatus: func(st keypad.Status) {
			name := fmt.Sprintf("keypad %d", st.Pad.Slave)
			if st.OK {
				r.device(name, queue.DeviceOK, st.Pad.String())
			} else {
				r.device(name, queue.DeviceError, fmt.Sprintf("%s không trả lời (not answering): %v", st.Pad, st.Err))
			}
		},
	})
	if err != nil {
		return err
	}
	r.loops = append(r.loops, p.Run)
	return nil
}

func (r *rig) openRatingPin(kc config.Keypad, score int) error {
	p, err := pin(kc.Pins.Pin(score))
	if err != nil {
		return err
	}
	counter := kc.Counter
	b, err := button.New(p, button.Opts{
		Name:        fmt.Sprintf("rating-%d-%d", counter, score),
		MinInterval: time.Second,
		OnEvent: func(button.Event) {
			r.rate(counter, score, kc.RatingWindow.D())
		},
		OnStatus: r.buttonStatus(p.Name()),
	})
	if err != nil {
		return err
	}
	r.loops = append(r.loops, b.Run)
	r.halts = append(r.halts, b.Halt)
	return nil
}

// keypadPress acts on a keypad key: a counter action, or a rating.
func (r *rig) keypadPress(p keypad.Press) {
	if score := p.Key.Score(); score > 0 {
		window := 2 * time.Minute
		for _, kc := range r.cfg.Keypads {
			if kc.Counter == p.Counter && kc.RatingWindow > 0 {
				window = kc.RatingWindow.D()
			}
		}
		r.rate(p.Counter, score, window)
		return
	}
	id := p.Counter
	var cmd func(e *queue.Engine) ([]queue.Event, error)
	switch p.Key.Action() {
	case "next":
		cmd = func(e *queue.Engine) ([]queue.Event, error) { return e.Next(id) }
	case "recall":
		cmd = func(e *queue.Engine) ([]queue.Event, error) { return e.Recall(id) }
	case "skip":
		cmd = func(e *queue.Engine) ([]queue.Event, error) { return e.Skip(id) }
	case "done":
		cmd = func(e *queue.Engine) ([]queue.Event, error) { return e.Done(id) }
	default:
		// Transfer needs a destination: the counter page asks for it.
		r.log.Info("keypad key needs the counter page", "counter", id, "key", p.Key)
		return
	}
	if _, err := r.room.Do(cmd); err != nil {
		r.log.Info("keypad action refused", "counter", id, "key", p.Key, "err", err)
	}
}

// rate rates the ticket last served at a counter, if it was done within
// the window.
func (r *rig) rate(counter, score int, window time.Duration) {
	v, ok := r.lastDone.Load(counter)
	if !ok || time.Since(v.(time.Time)) > window {
		r.log.Info("rating outside the window ignored", "counter", counter, "score", score)
		return
	}
	if _, err := r.room.Do(func(e *queue.Engine) ([]queue.Event, error) { return e.Rate(counter, score, "") }); err != nil {
		r.log.Info("rating refused", "counter", counter, "err", err)
	}
}

// observe follows committed events for the rating window.
func (r *rig) observe(recs []eventlog.Record) {
	for _, rec := range recs {
		if ev := rec.Event; ev != nil && ev.Name == queue.TicketDone && ev.Ticket.Counter != nil {
			r.lastDone.Store(*ev.Ticket.Counter, time.Now())
		}
	}
}

// openButtons reads the ticket buttons: a press issues a ticket of the
// button's service and prints it; after the priority button, the next
// ticket is a priority one.
func (r *rig) openButtons(ctx context.Context) error {
	var priority sync.Mutex
	var nextIsPriority bool
	for _, bc := range r.cfg.Buttons {
		p, err := pin(bc.Pin)
		if err != nil {
			return err
		}
		bc := bc
		opts := button.Opts{
			Name: bc.Pin,
			// Contacts of kiosk buttons settle within a few ms; a short
			// debounce keeps the press-to-ticket time low.
			Debounce:    5 * time.Millisecond,
			LongPress:   bc.LongPress.D(),
			MinInterval: bc.Rate.D(),
			OnStatus:    r.buttonStatus(bc.Pin),
		}
		switch bc.Role {
		case config.ButtonPriority:
			opts.OnEvent = func(button.Event) {
				priority.Lock()
				nextIsPriority = true
				priority.Unlock()
				r.beep()
			}
		case config.ButtonDiagnostic:
			opts.OnEvent = func(button.Event) { r.diagnostic() }
		default:
			opts.OnEvent = func(button.Event) {
				priority.Lock()
				prio := nextIsPriority
				nextIsPriority = false
				priority.Unlock()
				r.issue(bc.Service, prio)
			}
		}
		b, err := button.New(p, opts)
		if err != nil {
			return err
		}
		r.loops = append(r.loops, b.Run)
		r.halts = append(r.halts, b.Halt)
	}
	return nil
}

func (r *rig) buttonStatus(name string) func(button.Status) {
	return func(st button.Status) {
		r.device("button "+name, string(st.Level), st.DetailVI)
	}
}

// issue issues a ticket from a button and prints it.
func (r *rig) issue(service string, priority bool) {
	t, perr, err := r.press(context.Background(), service, priority)
	if err != nil {
		r.log.Error("button ticket", "service", service, "err", err)
		return
	}
	if perr != nil {
		r.log.Warn("button ticket not printed", "ticket", t.Number, "err", perr)
		r.beep()
	}
}

// press is a ticket button's work: issue a ticket, then print it. err is
// set when no ticket was issued, perr when it did not print.
func (r *rig) press(ctx context.Context, service string, priority bool) (t *queue.Ticket, perr, err error) {
	evs, err := r.room.Do(func(e *queue.Engine) ([]queue.Event, error) { return e.Issue(service, priority) })
	if err != nil {
		return nil, nil, err
	}
	t = evs[len(evs)-1].Ticket
	if r.printing == nil {
		return t, nil, nil
	}
	if r.ledPrinting != nil {
		r.ledPrinting.On()
		defer r.ledPrinting.Off()
	}
	return t, r.printing.PrintTicket(ctx, t), nil
}

func (r *rig) beep() {
	if r.buzzer != nil {
		go r.buzzer.Play(context.Background(), led.Beep())
	}
}

// diagnostic prints a test ticket: the service button of the kiosk box.
func (r *rig) diagnostic() {
	if r.printing == nil {
		return
	}
	if err := r.printing.PrintTest(context.Background()); err != nil {
		r.log.Warn("diagnostic ticket not printed", "err", err)
	}
}

// jobWaiter lets a caller wait for its print job's result: the printing
// service's Printer on top of a printer supervisor.
type jobWaiter struct {
	sup *printer.Supervisor

	mu      sync.Mutex
	waiting map[string]chan printer.Result
}

func newJobWaiter() *jobWaiter {
	return &jobWaiter{waiting: map[string]chan printer.Result{}}
}

// PrintJob queues a job and waits until it printed, failed or ctx ended.
func (w *jobWaiter) PrintJob(ctx context.Context, id string, data []byte) error {
	ch := make(chan printer.Result, 1)
	w.mu.Lock()
	w.waiting[id] = ch
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		delete(w.waiting, id)
		w.mu.Unlock()
	}()
	job := printer.Job{ID: id, Data: data}
	if dl, ok := ctx.Deadline(); ok {
		job.Expires = dl
	}
	if err := w.sup.Submit(job); err != nil {
		return err
	}
	select {
	case res := <-ch:
		if res.Printed {
			return nil
		}
		if res.Err != nil {
			return fmt.Errorf("%w (%s)", res.Err, w.sup.Status().Detail)
		}
		return fmt.Errorf("printer: not printed (%s)", w.sup.Status().Detail)
	case <-ctx.Done():
		return fmt.Errorf("printer: no answer in time (%s): %w", w.sup.Status().Detail, ctx.Err())
	}
}

func (w *jobWaiter) result(res printer.Result) {
	w.mu.Lock()
	ch := w.waiting[res.ID]
	w.mu.Unlock()
	if ch != nil {
		select {
		case ch <- res:
		default:
		}
	}
}
