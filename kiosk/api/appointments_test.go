package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"motcua/clock/clocktest"
	"motcua/kiosk/config"
	"motcua/kiosk/queue"
)

// setClock is a trusted clock that the test sets.
type setClock struct{ *clocktest.Clock }

func (c setClock) set(s string) {
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	t, err := time.ParseInLocation(time.DateTime, s, loc)
	if err != nil {
		panic(err)
	}
	c.Set(t)
}

// printed records the tickets it is asked to print.
type printed struct {
	mu  sync.Mutex
	ids []string
}

func (p *printed) PrintTicket(_ context.Context, t *queue.Ticket) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ids = append(p.ids, t.ID)
	return nil
}

func (p *printed) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.ids)
}

const bookingToken = "booking-secret-01"

func newBookingRoom(t *testing.T) (*room, *setClock, *printed) {
	clk := &setClock{clocktest.New(time.Time{})}
	clk.set("2026-12-03 07:00:00") // a Thursday
	r := newRoomClock(t, func(c *config.Config) {
		if err := c.AddToken(config.Token{Role: config.RoleBooking, Secret: bookingToken}); err != nil {
			t.Fatal(err)
		}
		c.Appointments.PerPersonDay = 2
		c.Appointments.PerPersonService = 1
		c.Appointments.Hours = []config.Hours{{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Open: []string{"07:30-11:30", "13:30-17:00"}}}
	}, nil, clk)
	p := &printed{}
	r.d.API.SetPrinter(p)
	return r, clk, p
}

func book(code, service, date, from, to, citizen string) string {
	b, _ := json.Marshal(map[string]string{"code": code, "service": service, "date": date, "from": from, "to": to, "citizen": citizen})
	return string(b)
}

func TestAppointmentsAPI(t *testing.T) {
	r, clk, prn := newBookingRoom(t)
	bk, kiosk, admin, counter := bookingToken, r.tok["kiosk"], r.tok["admin"], r.tok["counter1"]
	hn1 := book("HN-0042", "dat-dai", "2026-12-03", "08:00", "08:30", "key-1")
	tests := []struct {
		name, method, path, token, body string
		status                          int
		code                            string
		has                             string // the body contains this
	}{
		{"kiosk may not book", "POST", "/api/v1/appointments", kiosk, hn1, 403, "forbidden", ""},
		{"counter may not book", "POST", "/api/v1/appointments", counter, hn1, 403, "forbidden", ""},
		{"book", "POST", "/api/v1/appointments", bk, hn1, 201, "", `"status":"booked","ticket":null`},
		{"same again", "POST", "/api/v1/appointments", bk, hn1, 200, "", `"code":"HN-0042"`},
		{"same code other content", "POST", "/api/v1/appointments", bk, book("HN-0042", "dat-dai", "2026-12-03", "09:00", "09:30", "key-1"), 409, "duplicate", ""},
		{"person's limit per service", "POST", "/api/v1/appointments", bk, book("HN-0043", "dat-dai", "2026-12-03", "09:00", "09:30", "key-1"), 409, "limit_reached", ""},
		{"admin books", "POST", "/api/v1/appointments", admin, book("HN-0044", "xay-dung", "2026-12-03", "09:00", "09:30", "key-1"), 201, "", ""},
		{"person's limit per day", "POST", "/api/v1/appointments", bk, book("HN-0045", "kinh-doanh", "2026-12-03", "09:00", "09:30", "key-1"), 409, "limit_reached", ""},
		{"tomorrow", "POST", "/api/v1/appointments", bk, book("HN-0046", "dat-dai", "2026-12-04", "08:00", "08:30", ""), 201, "", ""},
		{"to cancel", "POST", "/api/v1/appointments", bk, book("HN-0047", "dat-dai", "2026-12-03", "10:00", "10:30", ""), 201, "", ""},
		{"to expire", "POST", "/api/v1/appointments", bk, book("HN-0048", "kinh-doanh", "2026-12-03", "07:30", "08:00", ""), 201, "", ""},
		{"too far ahead", "POST", "/api/v1/appointments", bk, book("HN-0049", "dat-dai", "2026-12-10", "08:00", "08:30", ""), 409, "not_bookable", ""},
		{"outside hours", "POST", "/api/v1/appointments", bk, book("HN-0050", "dat-dai", "2026-12-04", "12:00", "12:30", ""), 409, "outside_hours", ""},
		{"unknown service", "POST", "/api/v1/appointments", bk, book("HN-0051", "nope", "2026-12-04", "08:00", "08:30", ""), 400, "unknown_service", ""},
		{"bad time", "POST", "/api/v1/appointments", bk, book("HN-0052", "dat-dai", "2026-12-04", "8h", "08:30", ""), 400, "bad_appointment", ""},
		{"unknown field", "POST", "/api/v1/appointments", bk, `{"code":"X","name":"Nguyễn Văn A"}`, 400, "bad_request", ""},
		{"list today", "GET", "/api/v1/appointments", counter, "", 200, "", `"date":"2026-12-03"`},
		{"list by date", "GET", "/api/v1/appointments?date=2026-12-04", bk, "", 200, "", `"HN-0046"`},
		{"list bad date", "GET", "/api/v1/appointments?date=3/12", bk, "", 400, "bad_request", ""},
		{"kiosk may not list", "GET", "/api/v1/appointments", kiosk, "", 403, "forbidden", ""},
		{"one", "GET", "/api/v1/appointments/hn-0042", counter, "", 200, "", `"from":"08:00"`},
		{"one unknown", "GET", "/api/v1/appointments/NOPE", counter, "", 404, "unknown_appointment", ""},
		{"cancel unknown", "DELETE", "/api/v1/appointments/NOPE", bk, "", 404, "unknown_appointment", ""},
		{"counter may not cancel", "DELETE", "/api/v1/appointments/HN-0047", counter, "", 403, "forbidden", ""},
		{"cancel", "DELETE", "/api/v1/appointments/HN-0047", bk, "", 200, "", `"status":"cancelled"`},
		{"cancel again", "DELETE", "/api/v1/appointments/HN-0047", bk, "", 200, "", `"status":"cancelled"`},
		{"booking may not check in", "POST", "/api/v1/checkin", bk, `{"code":"HN-0042"}`, 403, "forbidden", ""},
		{"check in without code", "POST", "/api/v1/checkin", kiosk, `{}`, 400, "bad_request", ""},
		{"check in", "POST", "/api/v1/checkin", kiosk, `{"code":"HN-0042"}`, 201, "", `"appointment":"HN-0042"`},
		{"check in again", "POST", "/api/v1/checkin", kiosk, `{"code":"hn-0042"}`, 200, "", `"number":"A001"`},
		{"cancel checked in", "DELETE", "/api/v1/appointments/HN-0042", bk, "", 409, "checked_in", ""},
		{"check in unknown", "POST", "/api/v1/checkin", kiosk, `{"code":"HN-9999"}`, 404, "unknown_appointment", ""},
		{"check in tomorrow's", "POST", "/api/v1/checkin", kiosk, `{"code":"HN-0046"}`, 409, "not_today", ""},
		{"check in cancelled", "POST", "/api/v1/checkin", admin, `{"code":"HN-0047"}`, 409, "cancelled", ""},
		{"state shows it", "GET", "/api/v1/state", r.tok["display"], "", 200, "", `"appointment":"HN-0042"`},
		{"booked list shows the ticket", "GET", "/api/v1/appointments", counter, "", 200, "", `"status":"checked_in","ticket":"20261203-A001","number":"A001"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := r.req(tt.method, tt.path, tt.token, tt.body)
			if a.status != tt.status || a.code() != tt.code {
				t.Fatalf("got %d %q, want %d %q: %s", a.status, a.code(), tt.status, tt.code, a.body)
			}
			if tt.has != "" && !strings.Contains(string(a.body), tt.has) {
				t.Errorf("body %s does not have %s", a.body, tt.has)
			}
			if strings.Contains(string(a.body), "key-1") {
				t.Errorf("the citizen key is shown: %s", a.body)
			}
		})
	}
	if got := prn.count(); got != 1 {
		t.Errorf("printed %d tickets, want 1 (a second check-in prints nothing)", got)
	}
	// Past to + grace (15 minutes by default): expired, also afterwards.
	clk.set("2026-12-03 08:15:01")
	for range 2 {
		if a := r.req("POST", "/api/v1/checkin", kiosk, `{"code":"HN-0048"}`); a.status != 409 || a.code() != "expired" {
			t.Errorf("late check-in: got %d %s, want 409 expired", a.status, a.body)
		}
	}
	if a := r.req("GET", "/api/v1/appointments/HN-0048", counter, ""); !strings.Contains(string(a.body), `"status":"expired"`) {
		t.Errorf("expired booking: %s", a.body)
	}
	if got := prn.count(); got != 1 {
		t.Errorf("printed %d tickets, want 1", got)
	}
}
