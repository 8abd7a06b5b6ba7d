// Package printing turns issued tickets into paper, durably: it renders a
// ticket with the ESC/POS encoder, hands it to the printer and records,
// beside the event log, whether it came out.
//
// A ticket is issued (and durable) before it is printed, so a power cut
// between the two leaves a ticket.issued event without a print record. At
// start [Service.Recover] prints such tickets again when they are fresh
// (the citizen may still be at the kiosk) and marks older ones unprinted,
// so the admin page lists them for a reprint; none is silently dropped, and
// its number is never reused.
package printing

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"motcua/devices/escpos"
	"motcua/kiosk"
	"motcua/kiosk/config"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/queue"
)

// Printer prints one job and returns nil once it came out, or why not.
// It must give up when ctx ends.
type Printer interface {
	PrintJob(ctx context.Context, id string, data []byte) error
}

// Options configure a [Service].
type Options struct {
	// Timeout is how long a kiosk waits for its ticket before the screen
	// shows the number instead (default 5 s).
	Timeout time.Duration
	// Fresh is how old an interrupted ticket may be to be printed after a
	// restart (default 2 min); older ones are marked unprinted.
	Fresh time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Kiosk is the [[kiosk]] whose printer this is ("" the unit's own,
	// [printer]): its layout is that kiosk's printer's, and Recover takes
	// that kiosk's tickets only.
	Kiosk string
}

// Service prints tickets. It is safe for concurrent use.
type Service struct {
	room   *kiosk.Room
	p      Printer
	r      *escpos.Renderer
	layout escpos.Layout
	cfg    *config.Config
	pc     *config.Printer // the kiosk's printer section
	opts   Options
	// startSeq is the last event before the service started: only tickets
	// up to it can have been interrupted by a restart.
	startSeq int64
}

// ErrNoPrinter is returned when the configuration has no [printer] (or
// the kiosk of [Options.Kiosk] has no [kiosk.printer]).
var ErrNoPrinter = errors.New("printing: no [printer] in the configuration")

// localNow is the time in the unit's zone, as the event log writes its
// events' times: print records read the same.
func (s *Service) localNow() time.Time {
	if s.cfg.Location != nil {
		return s.opts.Now().In(s.cfg.Location)
	}
	return s.opts.Now()
}

// New returns a service printing room's tickets on p, laid out as cfg's
// [printer] section says (or the [kiosk.printer] of opts.Kiosk).
func New(room *kiosk.Room, p Printer, cfg *config.Config, opts Options) (*Service, error) {
	pc := cfg.KioskPrinter(opts.Kiosk)
	if pc == nil {
		return nil, ErrNoPrinter
	}
	layout, err := escpos.ParseLayout(pc.Mode, fmt.Sprint(pc.Paper))
	if err != nil {
		return nil, fmt.Errorf("printing: %w", err)
	}
	r, err := escpos.NewRenderer()
	if err != nil {
		return nil, fmt.Errorf("printing: %w", err)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.Fresh <= 0 {
		opts.Fresh = 2 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	blocks, err := Blocks(pc.Blocks)
	if err != nil {
		return nil, err
	}
	layout.Blocks, layout.QR = blocks, escpos.QROptions{Image: pc.QRMode == "raster"}
	if !pc.Cut {
		layout.Cut = escpos.NoCut
	}
	return &Service{room: room, p: p, r: r, layout: layout, cfg: cfg, pc: pc, opts: opts, startSeq: room.Log().Durable()}, nil
}

// Render returns the ESC/POS bytes of a ticket.
func (s *Service) Render(t *queue.Ticket) ([]byte, error) {
	return s.r.Render(s.ticket(t), s.layout)
}

// ticket is what the paper of t says.
func (s *Service) ticket(t *queue.Ticket) escpos.Ticket {
	pc := s.pc
	service := t.Service
	if sc := s.cfg.Service(t.Service); sc != nil {
		service = sc.Name
	}
	et := escpos.Ticket{
		Unit:     strings.ToUpper(s.cfg.Unit.Name),
		Service:  service,
		Number:   t.Number,
		Priority: t.Priority,
		Issued:   t.IssuedAt,
		Ahead:    t.Ahead,
		Wait:     time.Duration(t.WaitSeconds) * time.Second,
		Footer:   pc.Footer,
		Lines:    pc.Header,

		Appointment: t.Appointment,
	}
	if pc := s.cfg.Priority(t.Category); pc != nil {
		et.Category = pc.Name
	}
	if pc.QRURL != "" {
		et.QR = strings.NewReplacer("{unit}", s.cfg.Unit.ID, "{id}", t.ID, "{number}", t.Number, "{public}", t.Public).Replace(pc.QRURL)
	} else {
		et.QR = s.cfg.PublicPage(t.Public)
	}
	return et
}

// PrintTest prints a test ticket (number TEST) and records nothing: the
// service button of a kiosk box.
func (s *Service) PrintTest(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	data, err := s.Render(&queue.Ticket{ID: "test", Number: "TEST", IssuedAt: s.opts.Now()})
	if err != nil {
		return err
	}
	return s.p.PrintJob(ctx, "test", data)
}

// PrintTicket prints a ticket just issued and records the outcome. It
// returns nil when the ticket came out.
func (s *Service) PrintTicket(ctx context.Context, t *queue.Ticket) error {
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	data, err := s.Render(t)
	return s.print(ctx, t, data, err)
}

// print sends a rendered ticket (unless rendering failed with err) and
// records the outcome.
func (s *Service) print(ctx context.Context, t *queue.Ticket, data []byte, err error) error {
	if err == nil {
		err = s.p.PrintJob(ctx, t.ID, data)
	}
	state, detail := eventlog.PrintPrinted, ""
	if err != nil {
		state, detail = eventlog.PrintUnprinted, err.Error()
	}
	// The record is written even when the kiosk has gone away.
	if rerr := s.room.Log().SetPrint(context.WithoutCancel(ctx), t.ID, t.Day, state, detail, s.localNow()); rerr != nil {
		return errors.Join(err, rerr)
	}
	return err
}

// Reprint prints a ticket again, for the admin.
func (s *Service) Reprint(ctx context.Context, id string) error {
	t, err := s.room.Ticket(ctx, id)
	if err != nil {
		return err
	}
	return s.PrintTicket(ctx, t)
}

// Unprinted returns today's tickets of room whose paper did not come out,
// at any kiosk: the print records are the log's, one list for every
// printer (and satellite).
func Unprinted(ctx context.Context, room *kiosk.Room) ([]eventlog.PrintRecord, error) {
	day, err := kiosk.View(room, (*queue.Engine).Day)
	if err != nil || day == "" {
		return nil, err
	}
	recs, err := room.Log().Prints(ctx, day)
	if err != nil {
		return nil, err
	}
	var out []eventlog.PrintRecord
	for _, r := range recs {
		if r.State == eventlog.PrintUnprinted {
			out = append(out, r)
		}
	}
	return out, nil
}

// Recover deals with today's tickets of its kiosk that were issued before
// the service started but have no print record: a crash came between the
// two. Fresh ones are printed now, older ones marked unprinted. It
// returns how many of each.
func (s *Service) Recover(ctx context.Context) (printed, unprinted int, err error) {
	day, err := kiosk.View(s.room, (*queue.Engine).Day)
	if err != nil || day == "" {
		return 0, 0, err
	}
	ids, err := s.room.Log().Issued(ctx, day, s.startSeq)
	if err != nil {
		return 0, 0, err
	}
	recs, err := s.room.Log().Prints(ctx, day)
	if err != nil {
		return 0, 0, err
	}
	for _, id := range ids {
		if _, ok := recs[id]; ok {
			continue
		}
		t, err := s.room.Ticket(ctx, id)
		if err != nil {
			return printed, unprinted, err
		}
		if t.Kiosk != s.opts.Kiosk {
			continue // another kiosk's printer deals with it
		}
		if s.opts.Now().Sub(t.IssuedAt) <= s.opts.Fresh && t.Status == queue.Waiting {
			if s.PrintTicket(ctx, t) == nil {
				printed++
				continue
			}
			unprinted++
			continue
		}
		err = s.room.Log().SetPrint(ctx, id, day, eventlog.PrintUnprinted, "interrupted by a restart", s.localNow())
		if err != nil {
			return printed, unprinted, err
		}
		unprinted++
	}
	return printed, unprinted, nil
}

// Blocks turns the configuration's [[printer.block]] entries into the
// encoder's layout; none gives nil, the encoder's usual layout.
func Blocks(cbs []config.PrinterBlock) ([]escpos.Block, error) {
	var out []escpos.Block
	for i, cb := range cbs {
		field, err := escpos.ParseField(cb.Field)
		if err != nil {
			return nil, fmt.Errorf("printing: printer block %d: %w", i+1, err)
		}
		align := escpos.Center
		if cb.Align != "" {
			if align, err = escpos.ParseAlign(cb.Align); err != nil {
				return nil, fmt.Errorf("printing: printer block %d: %w", i+1, err)
			}
		}
		size, err := escpos.ParseSize(cb.Size)
		if err != nil {
			return nil, fmt.Errorf("printing: printer block %d: %w", i+1, err)
		}
		out = append(out, escpos.Block{Field: field, Text: cb.Text, Alt: cb.Alt, Align: align, Size: size, Bold: cb.Bold, Scale: cb.Scale})
	}
	return out, nil
}
