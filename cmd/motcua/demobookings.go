package main

import (
	"fmt"
	"time"

	"motcua/kiosk"
	"motcua/kiosk/queue"
)

// demoBookings books a few appointments for today around now, half an
// hour each, so that the demo's kiosk can check them in (codes DEMO-1 to
// DEMO-5) and the counter and admin pages list them. DEMO-2's slot holds
// now; slots already over or past midnight are left out; a data directory
// that has them already keeps them.
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
