package api_test

import (
	"encoding/json"
	"testing"
	"time"

	"motcua/clock/clocktest"
	"motcua/kiosk/config"
	"motcua/kiosk/queue"
	"motcua/kiosk/scan"
)

// slip is an appointment slip's QR as one province lays it out.
func slip(code, date string) string {
	return `{"MaHoSo":"` + code + `","NgayHenTra":"` + date + `","ChuHoSo":"Nguyễn Văn Mẫu"}`
}

// TestReturnSlipAtTheKiosk scans appointment slips at the kiosk: on or
// after the return date a ticket of the return service is printed with the
// dossier linked; before it, the kiosk is told the date and nothing is
// issued, unless the service takes early returns.
func TestReturnSlipAtTheKiosk(t *testing.T) {
	clk := &setClock{clocktest.New(time.Time{})}
	clk.set("2026-12-10 08:00:00")
	r := newRoomClock(t, func(c *config.Config) {
		c.Services = append(c.Services, config.Service{ID: "tra-ket-qua", Name: "Trả kết quả", Prefix: "R", First: 1, Digits: 3, Kind: config.KindReturn})
		c.Counters[0].Services = append(c.Counters[0].Services, "tra-ket-qua")
	}, nil, clk)
	p := &printed{}
	r.d.API.SetPrinter(p)
	kws := r.wsAs(r.tok["kiosk"])
	type notice struct {
		Scan, Kind string
		Ticket     *queue.Ticket
		Printed    bool
		Return     string
		Error      *struct{ Code string }
	}
	scanSlip := func(text string) notice {
		t.Helper()
		r.d.API.Scan(t.Context(), scan.Kiosk, text)
		var n notice
		if err := json.Unmarshal([]byte(readScan(t, kws)), &n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	// Too early: the date, no ticket.
	n := scanSlip(slip("000.00.12.H56-261203-0005", "11/12/2026"))
	if n.Scan != "return" || n.Kind != "slip" || n.Error == nil || n.Error.Code != "too_early" || n.Return != "2026-12-11" || n.Ticket != nil {
		t.Errorf("early slip: got %+v, want too_early with 2026-12-11", n)
	}
	if p.count() != 0 {
		t.Errorf("early slip printed %d tickets", p.count())
	}
	// On the day: a ticket in the return service with the dossier.
	n = scanSlip(slip("000.00.12.h56-261203-0005", "10/12/2026"))
	if n.Error != nil || n.Ticket == nil || n.Ticket.Service != "tra-ket-qua" || n.Ticket.Number != "R001" || !n.Printed ||
		len(n.Ticket.Dossiers) != 1 || n.Ticket.Dossiers[0] != "000.00.12.H56-261203-0005" || n.Ticket.Status != queue.Waiting {
		t.Fatalf("slip on the day: got %+v (ticket %+v)", n, n.Ticket)
	}
	// The dossier stays with the ticket when it is called and rated.
	r.req("POST", "/api/v1/counters/1/open", r.tok["counter1"], `{"officer":"Võ Thị F"}`)
	if a := r.req("POST", "/api/v1/counters/1/next", r.tok["counter1"], ""); a.status != 200 {
		t.Fatalf("next: %d %s", a.status, a.body)
	}
	var tk queue.Ticket
	json.Unmarshal(r.req("GET", "/api/v1/tickets/"+n.Ticket.ID, r.tok["display"], "").body, &tk)
	if tk.Status != queue.Called || len(tk.Dossiers) != 1 {
		t.Errorf("called: got %+v, want called with its dossier", tk)
	}
	// A late slip is taken too.
	if n := scanSlip(slip("000.00.12.H56-261201-0001", "2026-12-01")); n.Error != nil || n.Ticket == nil || n.Ticket.Number != "R002" {
		t.Errorf("late slip: got %+v", n)
	}

	// The office allows early returns.
	cfg := *r.d.Room.Config()
	cfg.Services = append([]config.Service(nil), cfg.Services...)
	for i := range cfg.Services {
		if cfg.Services[i].Kind == config.KindReturn {
			cfg.Services[i].EarlyReturn = true
		}
	}
	r.d.Room.Reconfigure(&cfg)
	if n := scanSlip(slip("000.00.12.H56-261203-0006", "24/12/2026")); n.Error != nil || n.Ticket == nil || n.Ticket.Number != "R003" {
		t.Errorf("early slip, early returns allowed: got %+v", n)
	}

	// Without a return service the slip is refused.
	cfg2 := cfg
	cfg2.Services = append([]config.Service(nil), cfg.Services[:len(cfg.Services)-1]...)
	r.d.Room.Reconfigure(&cfg2)
	if n := scanSlip(slip("000.00.12.H56-261203-0007", "10/12/2026")); n.Error == nil || n.Error.Code != "no_return_service" || n.Ticket != nil {
		t.Errorf("no return service: got %+v", n)
	}
}
