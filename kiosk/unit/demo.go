package unit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"motcua/kiosk"
	"motcua/kiosk/catalogue"
	"motcua/kiosk/config"
	"motcua/kiosk/queue"
)

// Demo is the unit of `motcua demo`: the embedded demo room on simulated
// hardware, with a token for every role.
type Demo struct {
	*Unit
	Tokens map[config.Role]string // the secret of each role's token
	cfg    *config.Config         // the demo's, never reloaded
}

// NewDemo builds the demo unit serving on listen, its data in dir (a new
// temporary directory when dir is ""). The data directory gets the demo's
// catalogue of commune procedures unless it has one, and bookings DEMO-1
// to DEMO-5 for today around opts.Clock's now (see [Demo.Bookings]).
// Nothing runs until [Unit.Run].
func NewDemo(ctx context.Context, listen, dir string, opts Options) (*Demo, error) {
	cfg := config.Demo()
	cfg.Server.Listen = listen
	cfg.Server.PublicURL = demoPublicURL(listen)
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "motcua-demo-"); err != nil {
			return nil, err
		}
	}
	cfg.Server.DataDir = dir
	tokens, err := cfg.AddDemoTokens()
	if err != nil {
		return nil, err
	}
	u, err := New(ctx, cfg, opts)
	if err != nil {
		return nil, err
	}
	d := &Demo{Unit: u, Tokens: tokens, cfg: cfg}
	if err := demoCatalogue(u.Catalogue()); err != nil {
		return nil, errors.Join(err, u.Close())
	}
	if _, err := d.Bookings(opts.Clock.Now()); err != nil {
		return nil, errors.Join(err, u.Close())
	}
	return d, nil
}

// demoCatalogue gives the demo its catalogue of commune procedures, unless
// its data directory already has one.
func demoCatalogue(s *catalogue.Store) error {
	if s.Current().Len() > 0 {
		return nil
	}
	_, err := s.Import(catalogue.DemoJSON)
	return err
}

// demoPublicURL is the base of the demo tickets' QR codes: the listen
// address, or this machine's loopback when it listens on every interface.
// Run the demo with -listen LAN-ADDRESS:8080 to scan the QR with a phone.
func demoPublicURL(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return ""
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// Bookings books a few appointments for the day of now, half an hour
// each from the half hour before now, so that the demo's kiosk can check
// them in (codes DEMO-1 to DEMO-5) and the counter and admin pages list
// them; DEMO-2's slot holds now. Slots already over or past midnight are
// left out; codes the data directory has already are kept as they are.
// It returns the codes it booked.
func (d *Demo) Bookings(now time.Time) ([]string, error) {
	return demoBookings(d.Room(), now)
}

func demoBookings(room *kiosk.Room, now time.Time) ([]string, error) {
	cfg := room.Config()
	now = now.In(cfg.Location)
	start := now.Truncate(30 * time.Minute).Add(-30 * time.Minute)
	var codes []string
	for i := range 5 {
		from := start.Add(time.Duration(i) * 30 * time.Minute)
		to := from.Add(30 * time.Minute)
		end := to.Format("15:04")
		if to.Day() != now.Day() && end == "00:00" {
			end = "24:00" // the slot ends at midnight
		} else if from.Day() != now.Day() || to.Day() != now.Day() {
			continue
		}
		a := queue.Appointment{
			Code:    fmt.Sprintf("DEMO-%d", i+1),
			Service: cfg.Services[i%len(cfg.Services)].ID,
			Date:    now.Format(time.DateOnly),
			From:    from.Format("15:04"),
			To:      end,
		}
		_, err := room.Do(func(e *queue.Engine) ([]queue.Event, error) {
			evs, _, _, err := e.Book(a)
			return evs, err
		})
		switch queue.Code(err) {
		case "":
			if err != nil {
				return codes, err
			}
			codes = append(codes, a.Code)
		case "duplicate":
		default:
			// not bookable now: left out
		}
	}
	return codes, nil
}

// WriteIntro writes what `motcua demo` prints when it starts: the page
// URLs with their tokens, the API to try and the simulated hardware.
func (d *Demo) WriteIntro(w io.Writer) {
	base, cfg, tokens := "http://"+d.Addr(), d.cfg, d.Tokens
	fmt.Fprintf(w, "motcua demo: %s\n", cfg.Unit.Name)
	fmt.Fprintf(w, "data: %s (kept when the demo stops: remove it when done)\n\n", cfg.Server.DataDir)
	fmt.Fprintf(w, "Kiosk (citizens):   %s/kiosk?token=%s\n", base, tokens[config.RoleKiosk])
	fmt.Fprintf(w, "Board (TV):         %s/board?token=%s\n", base, tokens[config.RoleDisplay])
	for _, c := range cfg.Counters {
		fmt.Fprintf(w, "Counter %d:          %s/counter/%d?token=%s\n", c.ID, base, c.ID, tokens[config.RoleCounter])
	}
	for _, c := range cfg.Counters {
		fmt.Fprintf(w, "Rating %d (tablet):  %s/rate/%d?token=%s\n", c.ID, base, c.ID, tokens[config.RoleKiosk])
	}
	fmt.Fprintf(w, "Admin:              %s/admin?token=%s\n\n", base, tokens[config.RoleAdmin])
	fmt.Fprintln(w, "Try the API:")
	fmt.Fprintf(w, "  curl -H 'Authorization: Bearer %s' -d '{\"service\":\"%s\"}' %s/api/v1/tickets\n",
		tokens[config.RoleKiosk], cfg.Services[0].ID, base)
	fmt.Fprintf(w, "  curl -H 'Authorization: Bearer %s' -d '{\"officer\":\"Nguyễn Văn A\"}' %s/api/v1/counters/1/open\n", tokens[config.RoleCounter], base)
	fmt.Fprintf(w, "  curl -H 'Authorization: Bearer %s' -X POST %s/api/v1/counters/1/next\n", tokens[config.RoleCounter], base)
	fmt.Fprintf(w, "  curl -H 'Authorization: Bearer %s' %s/api/v1/state\n\n", tokens[config.RoleDisplay], base)
	fmt.Fprintln(w, "A browser keeps one token per host: open each role in its own browser profile, or use")
	fmt.Fprintln(w, "the admin URL, whose token opens every page. Simulated hardware: GET /api/v1/sim,")
	fmt.Fprintln(w, `POST /api/v1/sim/press {"service":"dat-dai"} (a ticket button), POST /api/v1/sim/scan`)
	fmt.Fprintln(w, `{"text":"DEMO-2","scanner":"kiosk"} (a booking's QR at the kiosk's scanner; bookings DEMO-1`)
	fmt.Fprintln(w, `to DEMO-5 are made for today around now; "Tôi đã đặt lịch" on the kiosk takes their codes).`)
	fmt.Fprintln(w, "Ctrl-C stops the demo.")
}
