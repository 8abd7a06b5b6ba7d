package unit

import (
	"context"
	"io"
	"path/filepath"
	"strconv"
	"time"

	"motcua/devices/escpos"
	"motcua/devices/led"
	"motcua/devices/printer"
	"motcua/kiosk/api"
	"motcua/kiosk/catalogue"
	"motcua/kiosk/config"
	"motcua/kiosk/printing"
	"motcua/kiosk/queue"
)

// kioskDevs are one kiosk's printer and lights: the unit's own kiosk
// ([printer], lights without a kiosk key) or a [[kiosk]].
type kioskDevs struct {
	id       string // "" for the unit's own kiosk
	printer  *printer.Supervisor
	printing *printing.Service
	simDir   string // directory of a simulated printer's PNGs; "" none

	ledPrinting, ledOutOfOrder *led.Dev
}

// printerName is the kiosk's printer in the state's devices and the
// metrics: "printer" for the unit's own kiosk, as with one kiosk, and
// "printer ID" for a [[kiosk]].
func printerName(kiosk string) string {
	if kiosk == "" {
		return "printer"
	}
	return "printer " + kiosk
}

// kiosk returns the devices of kiosk id, adding an empty entry.
func (r *devices) kiosk(id string) *kioskDevs {
	k := r.kiosks[id]
	if k == nil {
		k = &kioskDevs{id: id}
		r.kiosks[id] = k
	}
	return k
}

// print prints t on the kiosk's printer, its printing light on meanwhile.
func (k *kioskDevs) print(ctx context.Context, t *queue.Ticket) error {
	if k.ledPrinting != nil {
		k.ledPrinting.On()
		defer k.ledPrinting.Off()
	}
	return k.printing.PrintTicket(ctx, t)
}

// openPrinters opens the printer of the unit's own kiosk and of every
// [[kiosk]] that has one.
func (r *devices) openPrinters() error {
	if err := r.openPrinter("", r.cfg.Printer); err != nil {
		return err
	}
	for _, kc := range r.cfg.Kiosks {
		if err := r.openPrinter(kc.ID, kc.Printer); err != nil {
			return err
		}
	}
	return nil
}

// openPrinter starts a kiosk's printer supervisor and printing service
// (nothing when pc is nil).
func (r *devices) openPrinter(kiosk string, pc *config.Printer) error {
	if pc == nil {
		return nil
	}
	paper, err := escpos.ParsePaper(strconv.Itoa(pc.Paper))
	if err != nil {
		return err
	}
	k := r.kiosk(kiosk)
	e := pc.Endpoint
	if e.Scheme == "sim" {
		dir := "printer"
		if kiosk != "" {
			dir += "-" + kiosk
		}
		k.simDir = filepath.Join(r.cfg.Server.DataDir, dir)
	}
	opts := printer.Options{Baud: pc.Baud, Parity: pc.Parity, Flow: pc.Flow}
	sup, err := printer.New(printer.Config{
		Clock: r.clock,
		Name:  e.String(),
		Open: func(ctx context.Context) (io.ReadWriteCloser, error) {
			return OpenPrinter(ctx, e, opts, k.simDir, paper)
		},
		OnStatus: func(st printer.Status) { r.printerStatus(k, st) },
		FailFast: true,
		Logger:   r.log.With("kiosk", kiosk),
	})
	if err != nil {
		return err
	}
	svc, err := printing.New(r.room, jobPrinter{sup}, r.cfg, printing.Options{Kiosk: kiosk, Now: r.clock.Now})
	if err != nil {
		return err
	}
	k.printer, k.printing = sup, svc
	r.loops = append(r.loops, sup.Run, func(ctx context.Context) error {
		// Tickets a crash kept from printing: once the printer had a
		// moment to connect.
		select {
		case <-ctx.Done():
			return nil
		case <-r.clock.After(2 * time.Second):
		}
		printed, unprinted, err := svc.Recover(ctx)
		if printed+unprinted > 0 {
			r.log.Warn("print jobs interrupted by a restart", "kiosk", kiosk, "printed_now", printed, "unprinted", unprinted)
		}
		return err
	})
	r.halts = append(r.halts, sup.Halt)
	return nil
}

// printerStatus reports a kiosk's printer in the state and on the
// kiosk's out-of-order light.
func (r *devices) printerStatus(k *kioskDevs, st printer.Status) {
	detail := st.Detail
	if st.DetailEN != "" && detail != "" {
		detail += " (" + st.DetailEN + ")"
	}
	r.deviceOf(k.id, printerName(k.id), string(st.Level), detail)
	if k.ledOutOfOrder != nil {
		if st.Level == printer.LevelError {
			k.ledOutOfOrder.On()
		} else {
			k.ledOutOfOrder.Off()
		}
	}
}

// printers are the API's printer: each ticket prints at the kiosk that
// issued it ([queue.Ticket.Kiosk]). A kiosk without a printer (a
// satellite's, or one that shows numbers on screen) prints nothing and
// reports no error.
type printers map[string]*kioskDevs

// printers returns the API's printer of the set, or nil when no kiosk has
// a printer.
func (r *devices) printers() api.Printer {
	p := printers{}
	for id, k := range r.kiosks {
		if k.printing != nil {
			p[id] = k
		}
	}
	if len(p) == 0 {
		return nil
	}
	return p
}

// PrintTicket implements [api.Printer].
func (p printers) PrintTicket(ctx context.Context, t *queue.Ticket) error {
	k := p[t.Kiosk]
	if k == nil {
		return api.ErrNotPrinted
	}
	return k.print(ctx, t)
}

// PrintProcedureTicket implements [api.ProcedurePrinter].
func (p printers) PrintProcedureTicket(ctx context.Context, t *queue.Ticket, proc catalogue.Procedure) error {
	k := p[t.Kiosk]
	if k == nil {
		return api.ErrNotPrinted
	}
	if k.ledPrinting != nil {
		k.ledPrinting.On()
		defer k.ledPrinting.Off()
	}
	return k.printing.PrintProcedureTicket(ctx, t, proc)
}

var (
	_ api.Printer          = printers(nil)
	_ api.ProcedurePrinter = printers(nil)
)
