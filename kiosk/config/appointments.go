package config

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Appointments are the rules of booked visits ([appointments]). Without
// hours every hour of every day is open; a limit of 0 is no limit.
type Appointments struct {
	// DaysAhead is how many days after today may be booked (default 6:
	// today and the next 6 days).
	DaysAhead int `toml:"days_ahead"`
	// Grace is how long after its "to" time a booking may still check in;
	// after that it expires (default 15m).
	Grace Duration `toml:"grace"`
	// PerPersonDay is how many bookings one citizen key may hold for one
	// day; PerPersonService how many of them for one service.
	PerPersonDay     int `toml:"per_person_day"`
	PerPersonService int `toml:"per_person_service"`
	// PerServiceDay is how many bookings a service takes for one day.
	PerServiceDay int `toml:"per_service_day"`
	// Hours are the office's opening hours ([[appointments.hours]]); a
	// booking must lie within one open period of its weekday.
	Hours []Hours `toml:"hours"`
}

// Hours are the open periods of some weekdays.
type Hours struct {
	// Days are weekdays: "mon", "tue", "wed", "thu", "fri", "sat", "sun".
	Days []string `toml:"days"`
	// Open are periods "HH:MM-HH:MM", such as "07:30-11:30".
	Open []string `toml:"open"`
}

func (a *Appointments) setDefaults() {
	a.DaysAhead, a.Grace = 6, Duration(15*time.Minute)
}

var weekdays = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// ClockTime parses "HH:MM" (00:00 to 23:59, or 24:00 for the end of the
// day) into the time since midnight.
func ClockTime(s string) (time.Duration, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	if m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, true
}

// period parses "HH:MM-HH:MM".
func period(s string) (from, to time.Duration, ok bool) {
	a, b, found := strings.Cut(strings.TrimSpace(s), "-")
	if !found {
		return 0, 0, false
	}
	from, ok1 := ClockTime(strings.TrimSpace(a))
	to, ok2 := ClockTime(strings.TrimSpace(b))
	return from, to, ok1 && ok2 && from < to
}

// IsOpen reports whether the office is open from from to to (times since
// midnight) on weekday wd: always without hours, else when one open
// period of that weekday holds the whole span.
func (a *Appointments) IsOpen(wd time.Weekday, from, to time.Duration) bool {
	if len(a.Hours) == 0 {
		return true
	}
	day := weekdays[wd]
	for _, h := range a.Hours {
		if !slices.Contains(h.Days, day) {
			continue
		}
		for _, p := range h.Open {
			if f, t, ok := period(p); ok && f <= from && to <= t {
				return true
			}
		}
	}
	return false
}

func (c *Config) validateAppointments(d *decoder) {
	a := &c.Appointments
	if a.DaysAhead < 0 || a.DaysAhead > 366 {
		d.addf("appointments.days_ahead", "appointments.days_ahead must be 0 (today only) to 366; default 6")
	}
	if a.Grace < 0 {
		d.addf("appointments.grace", "appointments.grace must not be negative, such as \"15m\"")
	}
	for _, k := range []struct {
		key string
		n   int
	}{{"per_person_day", a.PerPersonDay}, {"per_person_service", a.PerPersonService}, {"per_service_day", a.PerServiceDay}} {
		if k.n < 0 {
			d.addf("appointments."+k.key, "appointments.%s must be 0 (no limit) or more", k.key)
		}
	}
	for i, h := range a.Hours {
		p := fmt.Sprintf("appointments.hours[%d]", i)
		if len(h.Days) == 0 {
			d.addf(p+".days", "opening hours need days, such as days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]")
		}
		for _, day := range h.Days {
			if !slices.Contains(weekdays, day) {
				d.addf(p+".days", "unknown weekday %q; use mon, tue, wed, thu, fri, sat or sun", day)
			}
		}
		if len(h.Open) == 0 {
			d.addf(p+".open", "opening hours need open periods, such as open = [\"07:30-11:30\", \"13:30-17:00\"]")
		}
		for _, o := range h.Open {
			if _, _, ok := period(o); !ok {
				d.addf(p+".open", "open period %q must be \"HH:MM-HH:MM\" with the start before the end, such as \"07:30-11:30\"", o)
			}
		}
	}
}
