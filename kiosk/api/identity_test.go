package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"motcua/clock/clocktest"
	"motcua/kiosk/config"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/scan"
)

// Synthetic cards (no real person): the chip CCCD card's QR layout.
const (
	cardElderly = "079048999902||Nguyễn Văn Thử|29021948|Nam|Số 1 Đường Mẫu, Phường Giả Định|15062022|" // 78 on 2026-12-03
	cardYoung   = "001090999905|Phạm Văn Sáu|01011990|Nam|Địa chỉ Mẫu|02022022"                         // 36
)

// wsAs opens the websocket with a token of the room and reads the
// snapshot.
func (r *room) wsAs(token string) *websocket.Conn {
	r.t.Helper()
	u := strings.Replace(r.base, "http", "ws", 1) + "/api/v1/ws?token=" + token
	c, resp, err := websocket.DefaultDialer.Dial(u, nil)
	if err != nil {
		r.t.Fatalf("dial: %v (%v)", err, resp)
	}
	r.t.Cleanup(func() { c.Close() })
	readRaw(r.t, c)
	return c
}

// readScan reads c's frames up to the next scan notice, which it returns.
func readScan(t testing.TB, c *websocket.Conn) string {
	t.Helper()
	for {
		if f := readRaw(t, c); strings.HasPrefix(f, `{"type":"scan"`) {
			return f
		}
	}
}

func readRaw(t testing.TB, c *websocket.Conn) string {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	_, msg, err := c.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return string(msg)
}

func TestIDCardAtTheKiosk(t *testing.T) {
	clk := &setClock{clocktest.New(time.Time{})}
	clk.set("2026-12-03 08:00:00")
	r := newRoomClock(t, func(c *config.Config) {
		c.Queue.PerPersonDay = 1
	}, nil, clk)
	prn := &printed{}
	r.d.API.SetPrinter(prn)
	kiosk, display, counter, admin := r.tok["kiosk"], r.tok["display"], r.tok["counter1"], r.tok["admin"]
	kws, dws := r.wsAs(kiosk), r.wsAs(display)
	ctx := context.Background()

	if a := r.req("POST", "/api/v1/tickets", kiosk, `{"service":"dat-dai","scan":"ID"}`); a.status != 409 || a.code() != "no_scan" {
		t.Errorf("before a scan: got %d %s, want 409 no_scan", a.status, a.body)
	}
	if a := r.req("POST", "/api/v1/tickets", kiosk, `{"service":"dat-dai","scan":"passport"}`); a.status != 400 {
		t.Errorf("scan passport: got %d %s, want 400", a.status, a.body)
	}

	r.d.API.Scan(ctx, scan.Kiosk, cardElderly)
	if got, want := readScan(t, kws), `{"type":"scan","scan":"ID","kind":"id_card","priority":"elderly"}`; got != want {
		t.Errorf("kiosk notice: got %s, want %s", got, want)
	}
	a := r.req("POST", "/api/v1/tickets", kiosk, `{"service":"dat-dai","scan":"ID"}`)
	if a.status != 201 || !strings.Contains(string(a.body), `"priority":true`) || !strings.Contains(string(a.body), `"category":"elderly"`) {
		t.Fatalf("issue for the card: got %d %s, want 201 priority elderly", a.status, a.body)
	}
	if a := r.req("POST", "/api/v1/tickets", kiosk, `{"service":"dat-dai","scan":"ID"}`); a.status != 409 || a.code() != "no_scan" {
		t.Errorf("the card is used once: got %d %s, want 409 no_scan", a.status, a.body)
	}

	r.d.API.Scan(ctx, scan.Kiosk, cardYoung)
	if got, want := readScan(t, kws), `{"type":"scan","scan":"ID","kind":"id_card","priority":null}`; got != want {
		t.Errorf("kiosk notice: got %s, want %s", got, want)
	}
	if a := r.req("POST", "/api/v1/tickets", kiosk, `{"service":"xay-dung","scan":"ID"}`); a.status != 201 || !strings.Contains(string(a.body), `"priority":false`) {
		t.Errorf("young card: got %d %s, want 201 not priority", a.status, a.body)
	}
	// The same person again, past per_person_day = 1.
	r.d.API.Scan(ctx, scan.Kiosk, cardElderly)
	readScan(t, kws)
	if a := r.req("POST", "/api/v1/tickets", kiosk, `{"service":"kinh-doanh","scan":"ID"}`); a.status != 409 || a.code() != "limit_reached" {
		t.Errorf("second ticket of one person: got %d %s, want 409 limit_reached", a.status, a.body)
	}
	// A card waits two minutes at most.
	r.d.API.Scan(ctx, scan.Kiosk, cardYoung)
	readScan(t, kws)
	clk.set("2026-12-03 08:02:01")
	if a := r.req("POST", "/api/v1/tickets", kiosk, `{"service":"dat-dai","scan":"ID"}`); a.status != 409 || a.code() != "no_scan" {
		t.Errorf("stale card: got %d %s, want 409 no_scan", a.status, a.body)
	}

	// The name: for the officer who calls the ticket, nowhere else.
	r.req("POST", "/api/v1/counters/1/open", counter, `{"officer":"Cán bộ"}`)
	if a := r.req("GET", "/api/v1/counters/1/citizen", counter, ""); a.status != 204 {
		t.Errorf("nothing called: got %d %s, want 204", a.status, a.body)
	}
	if a := r.req("POST", "/api/v1/counters/1/next", counter, ""); !strings.Contains(string(a.body), `"category":"elderly"`) {
		t.Fatalf("next: got %s, want the elderly citizen's ticket", a.body)
	}
	a = r.req("GET", "/api/v1/counters/1/citizen", counter, "")
	if a.status != 200 || !strings.Contains(string(a.body), `"name":"Nguyễn Văn Thử"`) {
		t.Errorf("counter 1's citizen: got %d %s", a.status, a.body)
	}
	if a := r.req("GET", "/api/v1/counters/1/citizen", display, ""); a.status != 403 {
		t.Errorf("display token: got %d, want 403", a.status)
	}
	if a := r.req("GET", "/api/v1/counters/2/citizen", counter, ""); a.status != 403 {
		t.Errorf("counter 1's token at counter 2: got %d, want 403", a.status)
	}
	r.req("POST", "/api/v1/counters/1/done", counter, "")
	r.req("POST", "/api/v1/counters/1/recall", admin, "")
	if a := r.req("GET", "/api/v1/counters/1/citizen", admin, ""); a.status != 204 {
		t.Errorf("after done: got %d %s, want 204", a.status, a.body)
	}

	// No frame for the display, no name or number in the log, the state
	// or on paper.
	r.req("POST", "/api/v1/tickets", admin, `{"service":"dat-dai"}`)
	for {
		f := readRaw(t, dws)
		if strings.Contains(f, `"type":"scan"`) {
			t.Fatalf("the display got a scan notice: %s", f)
		}
		if strings.Contains(f, `"ticket.issued"`) && strings.Contains(f, `"A002"`) {
			break
		}
	}
	personal := []string{"Nguyễn Văn Thử", "079048999902", "29021948", "Phạm Văn Sáu", "001090999905", "01011990"}
	var logged strings.Builder
	r.d.Log.Since(ctx, 0, 0, func(rec eventlog.Record) error { logged.Write(rec.Data); return nil })
	state := r.req("GET", "/api/v1/state", admin, "")
	for _, p := range personal {
		if strings.Contains(logged.String(), p) || strings.Contains(string(state.body), p) {
			t.Errorf("%q is in the log or the state", p)
		}
	}
	if n := prn.count(); n != 3 {
		t.Errorf("printed %d tickets, want 3", n)
	}
}

// TestAppointmentScanAtTheKiosk checks that a booking's QR scanned at the
// kiosk checks it in, prints, and tells the kiosk pages; a second scan
// gives the same ticket and prints nothing.
func TestAppointmentScanAtTheKiosk(t *testing.T) {
	r, _, prn := newBookingRoom(t)
	if a := r.req("POST", "/api/v1/appointments", bookingToken, book("HN-0042", "dat-dai", "2026-12-03", "08:00", "08:30", "")); a.status != 201 {
		t.Fatalf("book: %d %s", a.status, a.body)
	}
	kws := r.wsAs(r.tok["kiosk"])
	ctx := context.Background()
	var first string
	for i := range 2 {
		r.d.API.Scan(ctx, scan.Kiosk, "HN-0042\r\n")
		var n struct {
			Scan, Kind string
			Ticket     struct{ ID, Number, Appointment string }
			Printed    bool
		}
		if err := json.Unmarshal([]byte(readScan(t, kws)), &n); err != nil {
			t.Fatal(err)
		}
		if n.Kind != "appointment" || n.Ticket.Appointment != "HN-0042" || n.Printed != (i == 0) {
			t.Errorf("scan %d: got %+v", i, n)
		}
		if i == 0 {
			first = n.Ticket.ID
		} else if n.Ticket.ID != first {
			t.Errorf("second scan: ticket %s, want %s", n.Ticket.ID, first)
		}
	}
	r.d.API.Scan(ctx, scan.Kiosk, "HN-9999")
	if f := readScan(t, kws); !strings.Contains(f, `"code":"unknown_appointment"`) {
		t.Errorf("unknown code: got %s", f)
	}
	if n := prn.count(); n != 1 {
		t.Errorf("printed %d, want 1", n)
	}

	// A code without a digit looks like any barcode to the classifier:
	// booked, it checks in; not booked, it stays an unknown barcode.
	if a := r.req("POST", "/api/v1/appointments", bookingToken, book("DKTT", "dat-dai", "2026-12-03", "08:00", "08:30", "")); a.status != 201 {
		t.Fatalf("book: %d %s", a.status, a.body)
	}
	r.d.API.Scan(ctx, scan.Kiosk, "DKTT\r\n")
	if f := readScan(t, kws); !strings.Contains(f, `"kind":"appointment"`) || !strings.Contains(f, `"appointment":"DKTT"`) {
		t.Errorf("booked code without a digit: got %s", f)
	}
	r.d.API.Scan(ctx, scan.Kiosk, "ABCD")
	if f := readScan(t, kws); !strings.Contains(f, `"kind":"other"`) {
		t.Errorf("a barcode that is no booking: got %s", f)
	}
	if n := prn.count(); n != 2 {
		t.Errorf("printed %d, want 2", n)
	}
}
