package printing

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"motcua/clock/clocktest"
	"motcua/devices/escpos"
	"motcua/kiosk/catalogue"
	"motcua/kiosk/eventlog"
)

// TestPrintProcedureTicket prints a ticket for a procedure in ASCII mode
// and reads its text back: the papers come under the ticket, with copies
// and the VNeID note, and the print is recorded like any other.
func TestPrintProcedureTicket(t *testing.T) {
	c := clocktest.New(time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC))
	room, cfg, log := setup(t, c)
	cfg.Printer.Mode = "ascii"
	p := &paper{jobs: map[string][]byte{}}
	s, err := New(room, p, cfg, Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	proc := catalogue.Procedure{Code: "1.000894", Name: "Đăng ký kết hôn", Papers: []catalogue.Paper{
		{Name: "Tờ khai đăng ký kết hôn", Copies: 2},
		{Name: "Căn cước", Copies: 1, VNeID: true},
	}}
	tk := issue(t, room)
	if err := s.PrintProcedureTicket(context.Background(), tk, proc); err != nil {
		t.Fatal(err)
	}
	ops, err := escpos.Parse(p.jobs[tk.ID])
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, op := range ops {
		if op.Cmd == "text" {
			text.Write(op.Data)
			text.WriteByte(' ')
		}
	}
	got := strings.Join(strings.Fields(text.String()), " ")
	for _, want := range []string{
		"Giay to can mang - Dang ky ket hon:",
		"[ ] To khai dang ky ket hon (2 ban)",
		"[ ] Can cuoc - co tren VNeID, khong can mang ban giay",
		tk.Number,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the ticket lacks %q:\n%s", want, got)
		}
	}
	recs, err := log.Prints(context.Background(), tk.Day)
	if err != nil || recs[tk.ID].State != eventlog.PrintPrinted {
		t.Errorf("print record: %+v %v", recs[tk.ID], err)
	}
	// A plain ticket has no checklist.
	plain := issue(t, room)
	s.PrintTicket(context.Background(), plain)
	if bytes.Contains(p.jobs[plain.ID], []byte("Giay to can mang")) {
		t.Error("a plain ticket printed a checklist")
	}
}
