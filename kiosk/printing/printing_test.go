package printing

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"motcua/clock/clocktest"
	"motcua/kiosk"
	"motcua/kiosk/config"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/queue"
)

// paper records the jobs it prints; it fails while fail is set.
type paper struct {
	mu   sync.Mutex
	jobs map[string][]byte
	fail error
}

func (p *paper) PrintJob(ctx context.Context, id string, data []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail != nil {
		return p.fail
	}
	p.jobs[id] = data
	return nil
}

func setup(t *testing.T, c *clocktest.Clock) (*kiosk.Room, *config.Config, *eventlog.Log) {
	t.Helper()
	cfg := config.Demo()
	cfg.Printer.QRURL = "https://dichvucong.example.gov.vn/q/{unit}/{id}"
	log, err := eventlog.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	room, err := kiosk.OpenRoom(context.Background(), cfg, log, c)
	if err != nil {
		t.Fatal(err)
	}
	return room, cfg, log
}

func issue(t *testing.T, room *kiosk.Room) *queue.Ticket {
	t.Helper()
	evs, err := room.Do(func(e *queue.Engine) ([]queue.Event, error) { return e.Issue("dat-dai", false) })
	if err != nil {
		t.Fatal(err)
	}
	return evs[len(evs)-1].Ticket
}

func TestPrintTicketRecordsOutcome(t *testing.T) {
	c := clocktest.New(time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC))
	room, cfg, log := setup(t, c)
	p := &paper{jobs: map[string][]byte{}}
	s, err := New(room, p, cfg, Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	ok := issue(t, room)
	if err := s.PrintTicket(context.Background(), ok); err != nil {
		t.Fatalf("print: %v", err)
	}
	if job := p.jobs[ok.ID]; !bytes.Contains(job, []byte(ok.Number)) || !bytes.Contains(job, []byte(ok.ID)) {
		t.Errorf("job of %s lacks its number or its QR URL (%d bytes)", ok.ID, len(job))
	}
	p.fail = errors.New("hết giấy")
	bad := issue(t, room)
	if err := s.PrintTicket(context.Background(), bad); err == nil {
		t.Fatal("print on a failing printer: got nil error")
	}
	recs, err := log.Prints(context.Background(), ok.Day)
	if err != nil {
		t.Fatal(err)
	}
	if recs[ok.ID].State != eventlog.PrintPrinted || recs[bad.ID].State != eventlog.PrintUnprinted || recs[bad.ID].Detail != "hết giấy" {
		t.Errorf("records: got %+v", recs)
	}
	// Print records keep their time as the events do: in the unit's zone.
	var printAt, eventAt string
	if err := log.DB().QueryRow(`SELECT at FROM prints WHERE ticket = ?`, ok.ID).Scan(&printAt); err != nil {
		t.Fatal(err)
	}
	if err := log.DB().QueryRow(`SELECT at FROM events WHERE ticket = ? ORDER BY seq LIMIT 1`, ok.ID).Scan(&eventAt); err != nil {
		t.Fatal(err)
	}
	if zone := func(s string) string { return s[len(s)-6:] }; zone(printAt) != zone(eventAt) || zone(printAt) != "+07:00" {
		t.Errorf("print record at %q, event at %q: want both in the unit's zone (+07:00)", printAt, eventAt)
	}
	un, err := Unprinted(context.Background(), s.room)
	if err != nil || len(un) != 1 || un[0].Ticket != bad.ID {
		t.Errorf("unprinted: got %+v %v, want only %s", un, err, bad.ID)
	}
	p.fail = nil
	if err := s.Reprint(context.Background(), bad.ID); err != nil {
		t.Fatalf("reprint: %v", err)
	}
	if recs, _ := log.Prints(context.Background(), ok.Day); recs[bad.ID].State != eventlog.PrintPrinted || recs[bad.ID].Attempts != 2 {
		t.Errorf("after reprint: got %+v, want printed after 2 attempts", recs[bad.ID])
	}
}

// TestRecover issues tickets that a crash kept from printing: the fresh
// one prints after the restart, the old one is marked unprinted.
func TestRecover(t *testing.T) {
	c := clocktest.New(time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC))
	room, cfg, log := setup(t, c)
	old := issue(t, room)
	c.Add(10 * time.Minute)
	fresh := issue(t, room)
	c.Add(30 * time.Second)
	p := &paper{jobs: map[string][]byte{}}
	s, err := New(room, p, cfg, Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	printed, unprinted, err := s.Recover(context.Background())
	if err != nil || printed != 1 || unprinted != 1 {
		t.Fatalf("recover: got %d printed, %d unprinted, %v; want 1, 1", printed, unprinted, err)
	}
	if _, ok := p.jobs[fresh.ID]; !ok || len(p.jobs) != 1 {
		t.Errorf("printed jobs: got %d, want only %s", len(p.jobs), fresh.ID)
	}
	recs, _ := log.Prints(context.Background(), old.Day)
	if recs[old.ID].State != eventlog.PrintUnprinted {
		t.Errorf("old ticket: got %+v, want unprinted", recs[old.ID])
	}
	// A second recovery finds nothing left to do.
	if printed, unprinted, err := s.Recover(context.Background()); printed+unprinted != 0 || err != nil {
		t.Errorf("second recover: got %d, %d, %v", printed, unprinted, err)
	}
}

// TestLayoutFromConfig prints with a layout from [[printer.block]]: only
// the blocks given, in their order.
func TestLayoutFromConfig(t *testing.T) {
	c := clocktest.New(time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC))
	room, cfg, _ := setup(t, c)
	cfg.Printer.Mode = "ascii"
	cfg.Printer.Blocks = []config.PrinterBlock{
		{Field: "text", Text: "PHIEU THU TU"},
		{Field: "number", Scale: 3},
		{Field: "service", Text: "Linh vuc: {value}", Align: "left"},
	}
	p := &paper{jobs: map[string][]byte{}}
	s, err := New(room, p, cfg, Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	tk := issue(t, room)
	if err := s.PrintTicket(context.Background(), tk); err != nil {
		t.Fatal(err)
	}
	job := p.jobs[tk.ID]
	title, number, service := bytes.Index(job, []byte("PHIEU THU TU")), bytes.Index(job, []byte("A001")), bytes.Index(job, []byte("Linh vuc: Dat dai"))
	if title < 0 || number < title || service < number {
		t.Errorf("blocks out of order or missing: title %d, number %d, service %d", title, number, service)
	}
	if bytes.Contains(job, []byte("Xin cam on")) || bytes.Contains(job, []byte{0x1d, '(', 'k'}) {
		t.Error("the job has the footer or a QR code, which the layout left out")
	}
	if _, err := Blocks([]config.PrinterBlock{{Field: "logo"}}); err == nil {
		t.Error("an unknown field: got nil error")
	}
}

// TestPrintTest prints the test ticket and leaves no print record.
func TestPrintTest(t *testing.T) {
	c := clocktest.New(time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC))
	room, cfg, log := setup(t, c)
	p := &paper{jobs: map[string][]byte{}}
	s, err := New(room, p, cfg, Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PrintTest(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(p.jobs["test"], []byte("TEST")) {
		t.Error("the test job lacks its number")
	}
	if recs, _ := log.Prints(context.Background(), ""); len(recs) != 0 {
		t.Errorf("print records: got %v, want none", recs)
	}
}
