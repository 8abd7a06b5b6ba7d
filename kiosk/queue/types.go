package queue

import (
	"errors"
	"time"
)

// Status is where a ticket is in its life.
type Status string

// The statuses of a [Ticket].
const (
	Waiting Status = "waiting"
	Called  Status = "called"
	Done    Status = "done"
	NoShow  Status = "no_show"
)

// Ticket is one citizen's place in the queue, as the API shows it.
type Ticket struct {
	ID       string     `json:"id"`
	Number   string     `json:"number"`
	Service  string     `json:"service"`
	Priority bool       `json:"priority"`
	Status   Status     `json:"status"`
	Counter  *int       `json:"counter"` // calling or serving counter; while waiting, the counter it was transferred to
	Calls    int        `json:"calls"`
	IssuedAt time.Time  `json:"issued_at"`
	CalledAt *time.Time `json:"called_at"`
	DoneAt   *time.Time `json:"done_at"`
	// Ahead is how many tickets will be called before this one; 0 unless
	// the ticket waits. Computed when read, never stored.
	Ahead int `json:"ahead"`
	// WaitSeconds estimates how long the ticket will still wait; computed
	// when read, never stored.
	WaitSeconds int `json:"estimated_wait_s"`
	// Officer is who called or served the ticket.
	Officer string `json:"officer,omitempty"`
	// Rating is the citizen's score, 1 to 4; 0 when not rated.
	Rating int `json:"rating,omitempty"`
	// Day is the queue day the ticket belongs to, "YYYY-MM-DD".
	Day string `json:"day"`
	// Appointment is the code of the booking checked in with this ticket;
	// "" for a walk-in.
	Appointment string `json:"appointment,omitempty"`
	// Public is the ticket's unguessable id for the citizen's own page,
	// /t/{public}: 128 random bits (see [Engine.ByPublic]). "" for
	// tickets issued before public ids existed.
	Public string `json:"public"`
	// Category is the code of the ticket's priority category; "" for a
	// normal ticket, or a priority one issued without a category.
	Category string `json:"category,omitempty"`
	// Dossiers are the dossier codes (mã hồ sơ) linked to the ticket at
	// the counter, in the order linked; absent when none.
	Dossiers []string `json:"dossiers,omitempty"`
	// Kiosk is the id of the [[kiosk]] that issued the ticket, where it
	// prints; "" (absent) for the unit's own kiosk, an admin or a counter.
	Kiosk string `json:"kiosk,omitempty"`
}

// CounterState is whether a counter calls tickets.
type CounterState string

// The states of a [Counter].
const (
	Closed CounterState = "closed"
	Open   CounterState = "open"
	Paused CounterState = "paused"
)

// Counter is one desk, as the API shows it.
type Counter struct {
	ID       int          `json:"id"`
	Name     string       `json:"name"`
	State    CounterState `json:"state"`
	Officer  string       `json:"officer"`
	Reason   string       `json:"reason,omitempty"` // why it is paused
	Services []string     `json:"services"`
	Serving  *Ticket      `json:"serving"`
	// Served counts the tickets done at this counter today.
	Served int `json:"served_today"`
	// Waiting are the tickets transferred to this counter, in calling
	// order; they are not in their service's waiting list.
	Waiting []*Ticket `json:"waiting,omitempty"`
}

// Service is one service and the tickets waiting for it, in the order
// they will be called.
type Service struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Prefix  string    `json:"prefix"`
	Waiting []*Ticket `json:"waiting"`
}

// Device is the status of one device, as devices report it.
type Device struct {
	Name   string `json:"name"`
	Status string `json:"status"` // ok, warning or error
	Detail string `json:"detail"`
	// Kiosk is the [[kiosk]] the device belongs to (a kiosk's printer or
	// scanner, a satellite's devices); absent for the unit's own.
	Kiosk string `json:"kiosk,omitempty"`
}

// The statuses of a [Device].
const (
	DeviceOK      = "ok"
	DeviceWarning = "warning"
	DeviceError   = "error"
)

// Unit names the office.
type Unit struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// State is the whole queue at one sequence number.
type State struct {
	Seq      int64      `json:"seq"`
	Day      string     `json:"day"`
	Unit     Unit       `json:"unit"`
	Services []*Service `json:"services"`
	Counters []*Counter `json:"counters"`
	Devices  []Device   `json:"devices"`
}

// Event names.
const (
	DayStarted        = "day.started"
	TicketIssued      = "ticket.issued"
	TicketCalled      = "ticket.called"
	TicketRecalled    = "ticket.recalled"
	TicketDone        = "ticket.done"
	TicketNoShow      = "ticket.no_show"
	TicketTransferred = "ticket.transferred"
	TicketRated       = "ticket.rated"
	CounterOpened     = "counter.opened"
	CounterPaused     = "counter.paused"
	CounterResumed    = "counter.resumed"
	CounterClosed     = "counter.closed"
	DeviceStatus      = "device.status"

	AppointmentBooked    = "appointment.booked"
	AppointmentCancelled = "appointment.cancelled"
	AppointmentExpired   = "appointment.expired"
)

// Event is one change of state. It carries the objects it changed as they
// are after the change, so that a reader needs no other state to follow.
type Event struct {
	Type    string    `json:"type"` // always "event"
	Seq     int64     `json:"seq"`
	At      time.Time `json:"at"`
	Name    string    `json:"event"`
	Day     string    `json:"day"` // the queue day the event belongs to
	Ticket  *Ticket   `json:"ticket,omitempty"`
	Counter *Counter  `json:"counter,omitempty"`
	Device  *Device   `json:"device,omitempty"`
	// N is the number drawn for a ticket.issued event.
	N int `json:"n,omitempty"`
	// From is where a transferred ticket was: its service and counter.
	From *Place `json:"from,omitempty"`
	// Reason is why a counter paused, or why a citizen rated low.
	Reason string `json:"reason,omitempty"`
	// Dossier is the code a ticket.dossier_linked event linked.
	Dossier string `json:"dossier,omitempty"`
	// Score is a rating, 1 to 4 (or the levels of the configured scale);
	// for a question set, its lowest answer.
	Score int `json:"score,omitempty"`
	// Answers are a question set's answers (ticket.rated), in the order
	// asked; unanswered questions are left out.
	Answers []Answer `json:"answers,omitempty"`
	// FollowUp marks a rating that is not satisfied (ticket.rated): the
	// office follows it up (phản ánh, kiến nghị).
	FollowUp bool `json:"follow_up,omitempty"`
	// Unsynced is set when the clock was not known to be right when the
	// event happened: its time may be wrong.
	Unsynced bool `json:"unsynced,omitempty"`
	// WaitMS (ticket.called) and ServiceMS (ticket.done) are the wait since
	// issue and the service since the call, measured on the monotonic clock
	// when the daemon ran throughout: unlike the difference of two event
	// times, they do not move when the wall clock is set.
	WaitMS    int64 `json:"wait_ms,omitempty"`
	ServiceMS int64 `json:"service_ms,omitempty"`
	// Appointment is the booking an appointment.* event is about.
	Appointment *Appointment `json:"appointment,omitempty"`
	// Appointments (day.started) are the bookings of the new day and
	// later days, carried over so that the day's log alone rebuilds them.
	Appointments []*Appointment `json:"appointments,omitempty"`
}

// Place is a service and, optionally, a counter.
type Place struct {
	Service string `json:"service"`
	Counter *int   `json:"counter,omitempty"`
}

// Errors returned by the engine's commands. Each has a stable code for the
// API (see [Code]).
var (
	ErrUnknownService = errors.New("queue: unknown service")
	ErrUnknownCounter = errors.New("queue: unknown counter")
	ErrCounterClosed  = errors.New("queue: counter is closed; open it first")
	ErrCounterPaused  = errors.New("queue: counter is paused; resume it first")
	ErrNotServing     = errors.New("queue: counter serves no ticket")
	ErrNoneWaiting    = errors.New("queue: no ticket waits for this counter")
	ErrInvalidState   = errors.New("queue: not possible in the counter's state")
	ErrBadTransfer    = errors.New("queue: transfer needs another service or another counter")
	ErrNothingToRate  = errors.New("queue: the counter has served no ticket to rate")
	ErrAlreadyRated   = errors.New("queue: the ticket was already rated")
	ErrBadScore       = errors.New("queue: score must be 1 (the worst level) to the number of levels (the best)")
	ErrBadSeq         = errors.New("queue: event out of sequence")
	// ErrDayBegun: a new day by hand on a synchronised clock whose date is
	// the current queue day; the day turns by itself at midnight.
	ErrDayBegun = errors.New("queue: the clock is synchronised and today's queue day has already begun; the next day starts by itself at midnight")

	ErrBadAppointment     = errors.New("queue: invalid appointment")
	ErrDuplicate          = errors.New("queue: this appointment code is already booked with other content; use a new code or cancel the old booking first")
	ErrLimitReached       = errors.New("queue: limit reached")
	ErrNotBookable        = errors.New("queue: this date cannot be booked")
	ErrOutsideHours       = errors.New("queue: the office is not open for the whole booked time; choose a time within the opening hours")
	ErrUnknownAppointment = errors.New("queue: no appointment with this code; check the code on the booking")
	ErrNotToday           = errors.New("queue: the appointment is not for today; come on the booked day")
	ErrExpired            = errors.New("queue: the appointment has expired; take a normal ticket")
	ErrCancelled          = errors.New("queue: the appointment was cancelled; take a normal ticket")
	ErrCheckedIn          = errors.New("queue: the appointment is already checked in")
	ErrBadDossier         = errors.New("queue: not a dossier code (mã hồ sơ), such as 000.00.12.H56-261203-0001; check the code on the receipt")
	ErrUnknownCategory    = errors.New("queue: unknown priority category; use a code of the configured [[priority]] categories")
)

// Code is the API error code of an engine error, "" for others.
func Code(err error) string {
	for _, c := range codes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return ""
}

var codes = []struct {
	err  error
	code string
}{
	{ErrUnknownService, "unknown_service"},
	{ErrUnknownCounter, "unknown_counter"},
	{ErrCounterClosed, "counter_closed"},
	{ErrCounterPaused, "counter_paused"},
	{ErrNotServing, "not_serving"},
	{ErrNoneWaiting, "none_waiting"},
	{ErrInvalidState, "invalid_state"},
	{ErrBadTransfer, "bad_transfer"},
	{ErrNothingToRate, "nothing_to_rate"},
	{ErrAlreadyRated, "already_rated"},
	{ErrBadScore, "bad_score"},
	{ErrDayBegun, "day_already_begun"},
	{ErrBadAppointment, "bad_appointment"},
	{ErrDuplicate, "duplicate"},
	{ErrLimitReached, "limit_reached"},
	{ErrNotBookable, "not_bookable"},
	{ErrOutsideHours, "outside_hours"},
	{ErrUnknownAppointment, "unknown_appointment"},
	{ErrNotToday, "not_today"},
	{ErrExpired, "expired"},
	{ErrCancelled, "cancelled"},
	{ErrCheckedIn, "checked_in"},
	{ErrUnknownCategory, "unknown_category"},
	{ErrBadDossier, "bad_dossier"},
}
