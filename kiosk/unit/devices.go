package unit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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

	"motcua/clock"
	"motcua/devices/button"
	"motcua/devices/keypad"
	"motcua/devices/led"
	"motcua/devices/modbus"
	"motcua/devices/printer"
	"motcua/devices/scanner"
	"motcua/display"
	"motcua/display/ht16k33"
	"motcua/display/max7219"
	"motcua/display/modbus7seg"
	"motcua/display/sim"
	"motcua/kiosk"
	"motcua/kiosk/callout"
	"motcua/kiosk/config"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/queue"
	"motcua/kiosk/scan"
	"motcua/kiosk/voice"
)

// devices are the room's devices of one configuration: printer, voice,
// displays, buttons, keypads, lights and barcode scanners. A reload replaces the whole set.
// Their loops run until the context given to run ends; then every device
// is halted.
type devices struct {
	cfg   *config.Config
	room  *kiosk.Room
	log   *slog.Logger
	clock clock.Clock
	// ratings and priority outlive the set: a reload keeps them.
	ratings  *kiosk.Ratings
	priority *kiosk.Priority

	loops []func(ctx context.Context) error
	halts []func() error
	ctx   context.Context // run's: button presses end with it

	// kiosks are the printers and lights of each kiosk, by [[kiosk]] id
	// ("" the unit's own); a kiosk without any has no entry.
	kiosks     map[string]*kioskDevs
	voice      *voice.Voice
	callout    *callout.Callout
	simDisplay *sim.Room

	beeps    chan struct{} // to the buzzer's loop; nil without a buzzer
	announce callout.Announce

	scans ScanHandler                   // the unit's; nil: scans are only logged
	keys  func(kiosk, key string) error // passes a keypad key to a kiosk's pages
	sims  map[scan.Place]*scanner.Sim   // the simulated scanners, by place
}

// openDevices opens every device cfg names. A device that is absent or
// fails is reported in the state's devices and retried where its driver
// can; only a configuration that cannot work is an error.
func openDevices(cfg *config.Config, u *Unit) (*devices, error) {
	r := &devices{cfg: cfg, room: u.d.Room, log: u.log, clock: u.clock, ratings: u.ratings, priority: &u.priority, ctx: context.Background(),
		scans: u.scans, keys: u.pages.PressAt, sims: map[scan.Place]*scanner.Sim{}, kiosks: map[string]*kioskDevs{}}
	if needsHost(cfg) {
		if _, err := host.Init(); err != nil {
			return nil, fmt.Errorf("unit: GPIO/SPI/I2C drivers: %w", err)
		}
	}
	for _, step := range []func() error{r.openOutputs, r.openPrinters, r.openVoice, r.openDisplays, r.openButtons, r.openScanners} {
		if err := step(); err != nil {
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
func (r *devices) run(ctx context.Context) error {
	r.ctx = ctx
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
// it is being let go anyway.
func (r *devices) halt() {
	for i := len(r.halts) - 1; i >= 0; i-- {
		if err := r.halts[i](); err != nil {
			r.log.Warn("device halt", "err", err)
		}
	}
	r.halts = nil
}

// observe follows committed events: the calls for the displays and voice.
func (r *devices) observe(recs []eventlog.Record) {
	if r.callout != nil {
		r.callout.Observe(recs)
	}
}

// device reports a device's status in the state.
func (r *devices) device(name, status, detail string) { r.deviceOf("", name, status, detail) }

// deviceOf reports the status of a device of a kiosk ("" the unit's own).
func (r *devices) deviceOf(kiosk, name, status, detail string) {
	if err := r.room.SetDevice(queue.Device{Name: name, Status: status, Detail: detail, Kiosk: kiosk}); err != nil {
		r.log.Error("device status", "device", name, "err", err)
	}
}

func pin(name string) (gpio.PinIO, error) {
	p := gpioreg.ByName(name)
	if p == nil {
		return nil, fmt.Errorf("unit: GPIO pin %q not found on this machine; see 'motcua devices'", name)
	}
	return p, nil
}

func (r *devices) openOutputs() error {
	for _, oc := range r.cfg.Outputs {
		p, err := pin(oc.Pin)
		if err != nil {
			return err
		}
		dev, err := led.New(p, led.Opts{Name: oc.Role, ActiveLow: oc.ActiveLow, Clock: r.clock})
		if err != nil {
			return err
		}
		r.halts = append(r.halts, dev.Halt)
		switch oc.Role {
		case config.OutputPrinting:
			r.kiosk(oc.Kiosk).ledPrinting = dev
		case config.OutputOutOfOrder:
			r.kiosk(oc.Kiosk).ledOutOfOrder = dev
		case config.OutputBuzzer:
			r.beeps = make(chan struct{}, 1)
			r.loops = append(r.loops, func(ctx context.Context) error {
				// The buzzer's one owner: beeps asked while one plays
				// make one more, and all end with the devices.
				for {
					select {
					case <-ctx.Done():
						return nil
					case <-r.beeps:
						if err := dev.Play(ctx, led.Beep()); err != nil {
							return err
						}
					}
				}
			})
		}
	}
	return nil
}

// jobPrinter is the printing service's printer: a blocking print on the
// supervisor.
type jobPrinter struct{ sup *printer.Supervisor }

func (p jobPrinter) PrintJob(ctx context.Context, id string, data []byte) error {
	return p.sup.Print(ctx, printer.Job{ID: id, Data: data})
}

// openVoice prepares the voice calls and, with play_local, the announcer
// that plays them on this machine.
func (r *devices) openVoice() error {
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
func (r *devices) openDisplays() error {
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
			return fmt.Errorf("unit: display of counter %d: %w", dc.Counter, err)
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
	r.callout = c
	return nil
}

func (r *devices) openMAX7219(dc config.Display) (display.Counter, error) {
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

func (r *devices) openHT16K33(dc config.Display) (display.Counter, error) {
	b, err := i2creg.Open(dc.Bus)
	if err != nil {
		return nil, fmt.Errorf("I2C %q: %w", dc.Bus, err)
	}
	r.halts = append(r.halts, b.Close)
	return ht16k33.New(&i2c.Dev{Bus: b, Addr: uint16(dc.Address)}, &ht16k33.Opts{Brightness: display.Brightness(dc.Brightness)})
}

// openBus opens the RS-485 bus shared by displays and keypads.
func (r *devices) openBus() (*modbus.Master, error) {
	rc := r.cfg.RS485
	if rc == nil {
		return nil, errors.New("unit: modbus devices need an [rs485] section")
	}
	path := rc.Endpoint.Path
	if rc.Endpoint.Scheme == "usb" {
		p, err := printer.FindUSB(rc.Endpoint.VID, rc.Endpoint.PID, rc.Endpoint.Serial)
		if err != nil {
			return nil, fmt.Errorf("unit: RS-485 adapter: %w", err)
		}
		path = p
	}
	parity := map[string]modbus.Parity{"": modbus.ParityNone, "none": modbus.ParityNone, "even": modbus.ParityEven, "odd": modbus.ParityOdd}[rc.Parity]
	port, err := modbus.OpenSerial(path, rc.Baud, parity, 1)
	if err != nil {
		return nil, fmt.Errorf("unit: RS-485 %s: %w", path, err)
	}
	r.halts = append(r.halts, port.Close)
	return modbus.New(port, modbus.Config{Name: path, Baud: rc.Baud, Parity: parity, StopBits: 1,
		Timeout: rc.Timeout.D(), Retries: rc.Retries})
}

// openKeypads polls the Modbus call and rating keypads and reads GPIO
// rating keypads.
func (r *devices) openKeypads(bus *modbus.Master) error {
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

func (r *devices) openRatingPin(kc config.Keypad, score int) error {
	p, err := pin(kc.Pins.Pin(score))
	if err != nil {
		return err
	}
	counter := kc.Counter
	b, err := button.New(p, button.Opts{
		Clock:       r.clock,
		Name:        fmt.Sprintf("rating-%d-%d", counter, score),
		MinInterval: time.Second,
		OnEvent:     func(button.Event) { r.rate(counter, score) },
		OnStatus:    r.buttonStatus(p.Name()),
	})
	if err != nil {
		return err
	}
	r.loops = append(r.loops, b.Run)
	r.halts = append(r.halts, b.Halt)
	return nil
}

// keypadPress acts on a keypad key: a counter action, or a rating.
func (r *devices) keypadPress(p keypad.Press) {
	if score := p.Key.Score(); score > 0 {
		r.rate(p.Counter, score)
		return
	}
	if _, err := r.room.Act(kiosk.Action{Name: p.Key.Action(), Counter: p.Counter}); err != nil {
		// Transfer needs a destination: the counter page asks for it.
		r.log.Info("keypad action refused", "counter", p.Counter, "key", p.Key, "err", err)
	}
}

// rate rates the ticket last done at a counter with a rating keypad's
// key (4 very satisfied .. 1 dissatisfied), within the window of the
// counter's rating keypad (2 minutes when it sets none). The key is
// mapped onto the configured scale (config.Rating.KeyScore).
func (r *devices) rate(counter, key int) {
	score := r.room.Config().Rating.KeyScore(key)
	if score == 0 {
		r.log.Info("rating refused: the key has no level on the configured scale", "counter", counter, "key", key)
		return
	}
	window := 2 * time.Minute
	for _, kc := range r.cfg.Keypads {
		if kc.Counter == counter && kc.RatingWindow > 0 {
			window = kc.RatingWindow.D()
		}
	}
	if err := r.ratings.Rate(counter, score, window); err != nil {
		r.log.Info("rating refused", "counter", counter, "score", score, "err", err)
	}
}

// openButtons reads the buttons: a press of a ticket button issues a
// ticket of the button's service and prints it; after the priority button,
// the next ticket is a priority one; a keypad button's key goes to the
// open kiosk pages.
func (r *devices) openButtons() error {
	for _, bc := range r.cfg.Buttons {
		p, err := pin(bc.Pin)
		if err != nil {
			return err
		}
		opts := button.Opts{
			Clock: r.clock,
			Name:  bc.Pin,
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
				r.priority.Arm(bc.Kiosk)
				r.beep()
			}
		case config.ButtonDiagnostic:
			opts.OnEvent = func(button.Event) { r.diagnostic(bc.Kiosk) }
		case "":
			opts.OnEvent = func(button.Event) { r.issue(bc.Kiosk, bc.Service, r.priority.Take(bc.Kiosk)) }
		default: // a key of the kiosk's keypad (config.ButtonKeys)
			// A citizen moves through a list with several presses in a
			// row: not the ticket buttons' rate, only a bounce guard.
			opts.MinInterval = 150 * time.Millisecond
			opts.OnEvent = func(button.Event) {
				if err := r.keys(bc.Kiosk, bc.Role); err != nil {
					r.log.Error("keypad button", "pin", bc.Pin, "err", err)
				}
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

func (r *devices) buttonStatus(name string) func(button.Status) {
	return func(st button.Status) {
		r.device("button "+name, string(st.Level), st.DetailVI)
	}
}

// issue issues a ticket from a button of a kiosk and prints it there.
func (r *devices) issue(kiosk, service string, priority bool) {
	t, _, perr, err := r.press(r.ctx, kiosk, service, priority)
	if err != nil {
		r.log.Error("button ticket", "kiosk", kiosk, "service", service, "err", err)
		return
	}
	if perr != nil {
		r.log.Warn("button ticket not printed", "kiosk", kiosk, "ticket", t.Number, "err", perr)
		r.beep()
	}
}

// press is a ticket button's work at a kiosk: issue a ticket, then print
// it on the kiosk's printer. err is set when no ticket was issued, perr
// when it did not print.
func (r *devices) press(ctx context.Context, kiosk, service string, priority bool) (t *queue.Ticket, printed bool, perr, err error) {
	evs, err := r.room.Do(func(e *queue.Engine) ([]queue.Event, error) {
		return e.At(kiosk, func() ([]queue.Event, error) { return e.Issue(service, priority) })
	})
	if err != nil {
		return nil, false, nil, err
	}
	t = evs[len(evs)-1].Ticket
	k := r.kiosks[kiosk]
	if k == nil || k.printing == nil {
		return t, false, nil, nil
	}
	perr = k.print(ctx, t)
	return t, perr == nil, perr, nil
}

func (r *devices) beep() {
	select {
	case r.beeps <- struct{}{}:
	default: // a beep is due already, or there is no buzzer (nil channel)
	}
}

// diagnostic prints a test ticket at a kiosk: the service button of the
// kiosk box.
func (r *devices) diagnostic(kiosk string) {
	k := r.kiosks[kiosk]
	if k == nil || k.printing == nil {
		return
	}
	if err := k.printing.PrintTest(r.ctx); err != nil {
		r.log.Warn("diagnostic ticket not printed", "kiosk", kiosk, "err", err)
	}
}
