package unit

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"motcua/clock"
	"motcua/kiosk"
	"motcua/kiosk/queue"
)

// fixedClock is a trusted clock stopped at one moment.
type fixedClock struct {
	clock.Trusted
	at time.Time
}

func (c fixedClock) Now() time.Time { return c.at }

func newDemo(t *testing.T, dir string, at time.Time) *Demo {
	t.Helper()
	d, err := NewDemo(context.Background(), "127.0.0.1:0", dir, Options{Clock: fixedClock{at: at}})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestDemoBookings books the demo's appointments around now, leaves out
// the slots over or past midnight, and keeps those a data directory has.
func TestDemoBookings(t *testing.T) {
	hcm, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		now  time.Time
		want []string // the booked appointments, "CODE FROM-TO"
	}{
		{"morning", time.Date(2026, 12, 3, 10, 10, 0, 0, hcm),
			[]string{"DEMO-2 10:00-10:30", "DEMO-3 10:30-11:00", "DEMO-4 11:00-11:30", "DEMO-5 11:30-12:00"}},
		{"before midnight", time.Date(2026, 12, 3, 23, 40, 0, 0, hcm),
			[]string{"DEMO-2 23:30-24:00"}},
		{"after midnight", time.Date(2026, 12, 3, 0, 10, 0, 0, hcm),
			[]string{"DEMO-2 00:00-00:30", "DEMO-3 00:30-01:00", "DEMO-4 01:00-01:30", "DEMO-5 01:30-02:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			d := newDemo(t, dir, tt.now)
			as, err := kiosk.View(d.Room(), func(e *queue.Engine) []*queue.Appointment { return e.Appointments(tt.now.Format(time.DateOnly)) })
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range as {
				got = append(got, a.Code+" "+a.From+"-"+a.To)
			}
			if strings.Join(got, ", ") != strings.Join(tt.want, ", ") {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			seq := d.Log().Last()
			procedures := d.Catalogue().Current().Len()
			if procedures == 0 {
				t.Error("the demo has no catalogue")
			}
			if err := d.Close(); err != nil {
				t.Fatal(err)
			}

			// Started again on the same data: nothing changes.
			again := newDemo(t, dir, tt.now)
			defer again.Close()
			if got := again.Log().Last(); got != seq {
				t.Errorf("started again: the log went from seq %d to %d, want no new event", seq, got)
			}
			if n := again.Catalogue().Current().Len(); n != procedures {
				t.Errorf("catalogue again: got %d procedures, want %d", n, procedures)
			}
		})
	}
}

// TestDemoIntro prints every page's URL with the token of its role.
func TestDemoIntro(t *testing.T) {
	d := newDemo(t, t.TempDir(), time.Now())
	defer d.Close()
	var b strings.Builder
	d.WriteIntro(&b)
	base := "http://" + d.Addr()
	for _, want := range []string{
		base + "/kiosk?token=" + d.Tokens["kiosk"],
		base + "/board?token=" + d.Tokens["display"],
		base + "/counter/1?token=" + d.Tokens["counter"],
		base + "/rate/1?token=" + d.Tokens["kiosk"],
		base + "/admin?token=" + d.Tokens["admin"],
		"data: " + d.cfg.Server.DataDir,
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the intro lacks %q:\n%s", want, b.String())
		}
	}
}

func TestDemoPublicURL(t *testing.T) {
	tests := []struct{ listen, want string }{
		{"127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"192.168.1.20:8080", "http://192.168.1.20:8080"},
		{":8080", "http://127.0.0.1:8080"},
		{"0.0.0.0:80", "http://127.0.0.1:80"},
		{"[::]:8080", "http://127.0.0.1:8080"},
		{"[fd00::1]:8080", "http://[fd00::1]:8080"},
		{"no port", ""},
	}
	for _, tt := range tests {
		if got := demoPublicURL(tt.listen); got != tt.want {
			t.Errorf("demoPublicURL(%q): got %q, want %q", tt.listen, got, tt.want)
		}
	}
}
