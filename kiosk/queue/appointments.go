package queue

import (
	"cmp"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"motcua/kiosk/config"
)

// AppointmentStatus is where a booking is in its life.
type AppointmentStatus string

// The statuses of an [Appointment].
const (
	Booked    AppointmentStatus = "booked"
	CheckedIn AppointmentStatus = "checked_in"
	Cancelled AppointmentStatus = "cancelled"
	Expired   AppointmentStatus = "expired"
)

// Appointment is a booked visit: a service on a date, from one time to
// another ("HH:MM", in the unit's time zone). Once checked in, it has a
// ticket that waits as if it had been issued at From.
type Appointment struct {
	Code    string `json:"code"`
	Service string `json:"service"`
	Date    string `json:"date"`
	From    string `json:"from"`
	To      string `json:"to"`
	// Citizen is an opaque key of the person (never an ID number), for
	// the per-person limits; "" when the booking system gave none.
	Citizen string `json:"citizen,omitempty"`
	// Dossier is the one-stop dossier the visit is about, if any.
	Dossier string            `json:"dossier,omitempty"`
	Status  AppointmentStatus `json:"status"`
	// Ticket is the id of the ticket of the check-in, nil before.
	Ticket *string `json:"ticket"`
	// Number is that ticket's number.
	Number string `json:"number,omitempty"`
}

// sameBooking reports whether a and b book the same thing.
func sameBooking(a, b *Appointment) bool {
	return a.Code == b.Code && a.Service == b.Service && a.Date == b.Date && a.From == b.From &&
		a.To == b.To && a.Citizen == b.Citizen && a.Dossier == b.Dossier
}

// codeRe is what an appointment code may be: what fits in a QR code and
// on a keypad, without spaces.
var codeRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$`)

// NormalizeCode returns an appointment code as the engine keeps it: white
// space trimmed and upper case, so that "hn-0042" typed on a keypad finds
// "HN-0042".
func NormalizeCode(code string) string {
	return strings.ToUpper(strings.TrimSpace(code))
}

// ValidCode reports whether code (normalized) can be an appointment code.
func ValidCode(code string) bool { return codeRe.MatchString(code) }

// bookingKeys are the limit counters an appointment counts in.
func bookingKeys(a *Appointment) []string {
	keys := []string{"s\x00" + a.Date + "\x00" + a.Service}
	if a.Citizen != "" {
		keys = append(keys, "p\x00"+a.Date+"\x00"+a.Citizen, "ps\x00"+a.Date+"\x00"+a.Citizen+"\x00"+a.Service)
	}
	return keys
}

// holds reports whether an appointment in status st counts against the
// limits: booked and checked in do, cancelled and expired do not.
func holds(st AppointmentStatus) bool { return st == Booked || st == CheckedIn }

// MaxCarry bounds the bookings the engine holds (today's and later
// days'), as the size of their JSON in a day.started event: 3 MiB, under
// the uplink's 4 MiB message limit, so that the event that carries them
// always reaches the receiver: about 15,000 bookings with 32-character
// citizen keys.
const MaxCarry = 3 << 20

// carrySize is the JSON size of a in a day.started event once checked in
// (a ticket id and number of up to 32 bytes each), with its comma.
func carrySize(a *Appointment) int {
	cp := *a
	id := strings.Repeat("0", 32)
	cp.Status, cp.Ticket, cp.Number = CheckedIn, &id, id
	b, err := json.Marshal(&cp)
	if err != nil {
		return MaxCarry // not reached: an Appointment always encodes
	}
	return len(b) + 1
}

// setAppointment stores a copy of a and keeps the limit counters right.
func (e *Engine) setAppointment(a *Appointment) *Appointment {
	cp := *a
	old := e.appts[cp.Code]
	if old == nil {
		e.carry += carrySize(&cp)
	}
	if old != nil && holds(old.Status) {
		for _, k := range bookingKeys(old) {
			e.held[k]--
		}
	}
	if holds(cp.Status) {
		for _, k := range bookingKeys(&cp) {
			e.held[k]++
		}
	}
	if old != nil {
		*old = cp
		return old
	}
	e.appts[cp.Code] = &cp
	return &cp
}

// slotTime is the moment clock time hhmm ("HH:MM") of date begins in the
// unit's time zone.
func (e *Engine) slotTime(date, hhmm string) time.Time {
	loc := e.cfg.Location
	if loc == nil {
		loc = time.UTC
	}
	d, err := time.ParseInLocation(time.DateOnly, date, loc)
	off, ok := config.ClockTime(hhmm)
	if err != nil || !ok {
		return time.Time{}
	}
	// Add the clock time to midnight in wall-clock terms, so that a day
	// with a time-zone change still puts 08:00 at 08:00.
	return time.Date(d.Year(), d.Month(), d.Day(), int(off/time.Hour), int(off%time.Hour/time.Minute), 0, 0, loc)
}

// deadline is when a booking expires: its end plus the grace.
func (e *Engine) deadline(a *Appointment) time.Time {
	return e.slotTime(a.Date, a.To).Add(e.cfg.Appointments.Grace.D())
}

// checkBooking checks the fields of a booking request.
func (e *Engine) checkBooking(a *Appointment) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrBadAppointment, fmt.Sprintf(format, args...))
	}
	switch {
	case !ValidCode(a.Code):
		return bad("code %q must be 1 to 64 letters, digits and . _ / -, starting with a letter or digit", clip(a.Code))
	case a.Service == "":
		return bad("service is required")
	case e.services[a.Service] == nil:
		return fmt.Errorf("%w %q", ErrUnknownService, clip(a.Service))
	}
	if _, err := time.Parse(time.DateOnly, a.Date); err != nil {
		return bad("date %q must be YYYY-MM-DD", clip(a.Date))
	}
	from, ok1 := config.ClockTime(a.From)
	to, ok2 := config.ClockTime(a.To)
	switch {
	case !ok1 || !ok2:
		return bad("from and to must be times HH:MM, such as \"08:00\" and \"08:30\"")
	case from >= to:
		return bad("from %s must be before to %s", a.From, a.To)
	case utf8.RuneCountInString(a.Citizen) > 128 || !utf8.ValidString(a.Citizen):
		return bad("citizen must be an opaque key of at most 128 characters")
	case utf8.RuneCountInString(a.Dossier) > 64 || !utf8.ValidString(a.Dossier):
		return bad("dossier must be at most 64 characters")
	}
	return nil
}

// clip shortens what a request sent for an error message.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= 40 {
		return s
	}
	return string([]rune(s)[:40]) + "…"
}

// Book books an appointment; its status and ticket are ignored. The same
// code booked again with the same content changes nothing: the result
// then holds no appointment.booked event and created is false. The
// booking is refused when the code is booked with other content
// ([ErrDuplicate]), the date is not today or within the bookable days
// ([ErrNotBookable]), the office is closed then ([ErrOutsideHours]) or a
// limit is reached ([ErrLimitReached]).
func (e *Engine) Book(req Appointment) (evs []Event, a *Appointment, created bool, err error) {
	req.Code = NormalizeCode(req.Code)
	req.Citizen = strings.TrimSpace(req.Citizen)
	req.Dossier = strings.TrimSpace(req.Dossier)
	req.Status, req.Ticket, req.Number = Booked, nil, ""
	if err := e.checkBooking(&req); err != nil {
		return nil, nil, false, err
	}
	b := e.begin()
	if old := e.appts[req.Code]; old != nil {
		if !sameBooking(old, &req) {
			return b.evs, nil, false, fmt.Errorf("%w (%s)", ErrDuplicate, req.Code)
		}
		cp := *old
		return b.evs, &cp, false, nil
	}
	rules := e.cfg.Appointments
	today, _ := time.Parse(time.DateOnly, e.day)
	date, _ := time.Parse(time.DateOnly, req.Date)
	last := today.AddDate(0, 0, rules.DaysAhead)
	switch {
	case date.Before(today):
		return b.evs, nil, false, fmt.Errorf("%w: %s is in the past", ErrNotBookable, req.Date)
	case date.After(last):
		return b.evs, nil, false, fmt.Errorf("%w: %s is after %s; bookings are taken for today and the next %d days", ErrNotBookable, req.Date, last.Format(time.DateOnly), rules.DaysAhead)
	case !b.now.Before(e.slotTime(req.Date, req.To)):
		return b.evs, nil, false, fmt.Errorf("%w: %s %s is already over", ErrNotBookable, req.Date, req.To)
	}
	from, _ := config.ClockTime(req.From)
	to, _ := config.ClockTime(req.To)
	if !rules.IsOpen(date.Weekday(), from, to) {
		return b.evs, nil, false, fmt.Errorf("%w (%s %s–%s)", ErrOutsideHours, req.Date, req.From, req.To)
	}
	if e.carry+carrySize(&req) > MaxCarry {
		return b.evs, nil, false, fmt.Errorf("%w: the unit holds as many bookings as it can carry (%d KiB for today and later days); book fewer days ahead or keep codes, keys and dossiers short", ErrLimitReached, MaxCarry>>10)
	}
	limits := []int{rules.PerServiceDay, rules.PerPersonDay, rules.PerPersonService}
	what := []string{"bookings of this service for the day", "bookings of this person for the day", "bookings of this person for this service and day"}
	for i, k := range bookingKeys(&req) {
		if limits[i] > 0 && e.held[k] >= limits[i] {
			return b.evs, nil, false, fmt.Errorf("%w: at most %d %s", ErrLimitReached, limits[i], what[i])
		}
	}
	ev := &Event{Name: AppointmentBooked, Appointment: &req}
	b.emit(ev)
	cp := *e.appts[req.Code]
	return b.evs, &cp, true, nil
}

// Cancel cancels a booking. Cancelling a cancelled booking changes
// nothing (no event); a checked-in or expired one cannot be cancelled.
func (e *Engine) Cancel(code string) ([]Event, *Appointment, error) {
	code = NormalizeCode(code)
	b := e.begin()
	a := e.appts[code]
	if a == nil {
		return b.evs, nil, fmt.Errorf("%w (%s)", ErrUnknownAppointment, clip(code))
	}
	switch a.Status {
	case Cancelled:
		cp := *a
		return b.evs, &cp, nil
	case CheckedIn:
		return b.evs, nil, fmt.Errorf("%w (%s, ticket %s)", ErrCheckedIn, code, a.Number)
	case Expired:
		return b.evs, nil, fmt.Errorf("%w (%s)", ErrExpired, code)
	}
	next := *a
	next.Status = Cancelled
	b.emit(&Event{Name: AppointmentCancelled, Appointment: &next})
	cp := *e.appts[code]
	return b.evs, &cp, nil
}

// CheckIn issues the ticket of a booking for today. A booking already
// checked in returns its ticket again (created false, no event). The
// ticket waits as if it had been issued at the booking's From time.
// A booking past its To plus the grace expires now (the result holds the
// appointment.expired event) and gives [ErrExpired].
func (e *Engine) CheckIn(code string) (evs []Event, t *Ticket, created bool, err error) {
	code = NormalizeCode(code)
	b := e.begin()
	a := e.appts[code]
	if a == nil {
		return b.evs, nil, false, fmt.Errorf("%w (%s)", ErrUnknownAppointment, clip(code))
	}
	switch a.Status {
	case CheckedIn:
		if t, ok := e.tickets[*a.Ticket]; ok {
			return b.evs, e.ticketView(t), false, nil
		}
		return b.evs, nil, false, fmt.Errorf("%w (%s)", ErrNotToday, code)
	case Cancelled:
		return b.evs, nil, false, fmt.Errorf("%w (%s)", ErrCancelled, code)
	case Expired:
		return b.evs, nil, false, fmt.Errorf("%w (%s, %s %s)", ErrExpired, code, a.Date, a.To)
	}
	if a.Date != e.day {
		return b.evs, nil, false, fmt.Errorf("%w (%s is for %s)", ErrNotToday, code, a.Date)
	}
	if b.now.After(e.deadline(a)) {
		b.expire(a)
		return b.evs, nil, false, fmt.Errorf("%w (%s, %s %s)", ErrExpired, code, a.Date, a.To)
	}
	s := e.services[a.Service]
	if s == nil {
		return b.evs, nil, false, fmt.Errorf("%w %q (the booking's service is no longer configured)", ErrUnknownService, a.Service)
	}
	return b.evs, b.issue(s, false, "", a.Code), true, nil
}

func (b *batch) expire(a *Appointment) {
	next := *a
	next.Status = Expired
	b.emit(&Event{Name: AppointmentExpired, Appointment: &next})
}

// expireDue expires today's bookings past their deadline, in the order of
// their deadlines. Only a synced clock expires bookings by itself.
func (b *batch) expireDue() {
	if !b.synced {
		return
	}
	var due []*Appointment
	for _, a := range b.e.appts {
		if a.Status == Booked && a.Date == b.e.day && b.now.After(b.e.deadline(a)) {
			due = append(due, a)
		}
	}
	slices.SortFunc(due, func(x, y *Appointment) int {
		return cmp.Or(b.e.deadline(x).Compare(b.e.deadline(y)), strings.Compare(x.Code, y.Code))
	})
	for _, a := range due {
		b.expire(a)
	}
}

// startDay emits the day.started event of day. The bookings of earlier
// days still booked expire first (they belong to the old day); those of
// day and later days are carried over in the event.
func (b *batch) startDay(day string) {
	var old, carry []*Appointment
	for _, a := range b.e.appts {
		switch {
		case a.Date < day && a.Status == Booked:
			old = append(old, a)
		case a.Date >= day:
			cp := *a
			carry = append(carry, &cp)
		}
	}
	slices.SortFunc(old, compareAppointments)
	for _, a := range old {
		b.expire(a)
	}
	slices.SortFunc(carry, compareAppointments)
	b.emit(&Event{Name: DayStarted, Day: day, Appointments: carry})
}

func compareAppointments(x, y *Appointment) int {
	return cmp.Or(strings.Compare(x.Date, y.Date), strings.Compare(x.From, y.From), strings.Compare(x.Code, y.Code))
}

// applyAppointment applies an appointment.* event.
func (e *Engine) applyAppointment(ev *Event) {
	if ev.Appointment != nil {
		e.setAppointment(ev.Appointment)
	}
}

// checkedIn marks the booking of a ticket being issued as checked in, and
// places the ticket in line at the booking's From.
func (e *Engine) checkedIn(t *Ticket) {
	a := e.appts[t.Appointment]
	if a == nil {
		return
	}
	next := *a
	id := t.ID
	next.Status, next.Ticket, next.Number = CheckedIn, &id, t.Number
	e.setAppointment(&next)
	if at := e.slotTime(a.Date, a.From); !at.IsZero() {
		e.slot[t.ID] = at
	}
}

// Appointments returns the bookings of date ("YYYY-MM-DD"), by From time
// and code. Only today's and later days' bookings are kept.
func (e *Engine) Appointments(date string) []*Appointment {
	out := []*Appointment{}
	for _, a := range e.appts {
		if a.Date == date {
			cp := *a
			out = append(out, &cp)
		}
	}
	slices.SortFunc(out, compareAppointments)
	return out
}

// Appointment returns the booking with code.
func (e *Engine) Appointment(code string) (*Appointment, bool) {
	a, ok := e.appts[NormalizeCode(code)]
	if !ok {
		return nil, false
	}
	cp := *a
	return &cp, true
}
