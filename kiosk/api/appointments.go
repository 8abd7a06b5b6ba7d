package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"motcua/kiosk"
	"motcua/kiosk/config"
	"motcua/kiosk/queue"
)

// appointmentRoutes adds the bookings and the check-in.
func (s *Server) appointmentRoutes() {
	m := s.mux
	m.HandleFunc("POST /api/v1/appointments", s.auth(s.book, config.RoleBooking, config.RoleAdmin))
	m.HandleFunc("GET /api/v1/appointments", s.auth(s.appointments, config.RoleBooking, config.RoleCounter, config.RoleAdmin))
	m.HandleFunc("GET /api/v1/appointments/{code}", s.auth(s.appointment, config.RoleBooking, config.RoleCounter, config.RoleAdmin))
	m.HandleFunc("DELETE /api/v1/appointments/{code}", s.auth(s.cancel, config.RoleBooking, config.RoleAdmin))
	m.HandleFunc("POST /api/v1/checkin", s.auth(s.checkIn, config.RoleKiosk, config.RoleAdmin))
	m.HandleFunc("GET /api/v1/counters/{id}/citizen", s.auth(s.citizen, config.RoleCounter, config.RoleAdmin))
	m.HandleFunc("GET /api/v1/priorities", s.auth(s.priorities))
}

// AppointmentView is a booking as the API shows it: without the citizen
// key, which the booking system sends but nobody reads back.
func AppointmentView(a *queue.Appointment) *queue.Appointment {
	cp := *a
	cp.Citizen = ""
	return &cp
}

func (s *Server) book(w http.ResponseWriter, r *http.Request, _ *principal) {
	var req struct {
		Code    string `json:"code"`
		Service string `json:"service"`
		Date    string `json:"date"`
		From    string `json:"from"`
		To      string `json:"to"`
		Citizen string `json:"citizen"`
		Dossier string `json:"dossier"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	var a *queue.Appointment
	var created bool
	_, err := s.room.Do(func(e *queue.Engine) (evs []queue.Event, err error) {
		evs, a, created, err = e.Book(queue.Appointment{Code: req.Code, Service: req.Service, Date: req.Date,
			From: req.From, To: req.To, Citizen: req.Citizen, Dossier: req.Dossier})
		return evs, err
	})
	if err != nil {
		s.engineError(w, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, AppointmentView(a))
}

func (s *Server) appointments(w http.ResponseWriter, r *http.Request, _ *principal) {
	date := r.URL.Query().Get("date")
	if date != "" {
		if _, err := time.Parse(time.DateOnly, date); err != nil {
			writeError(w, http.StatusBadRequest, "bad_request", "date must be YYYY-MM-DD, such as 2026-12-03; leave it out for today")
			return
		}
	}
	type list struct {
		Date         string               `json:"date"`
		Appointments []*queue.Appointment `json:"appointments"`
	}
	out, err := kiosk.View(s.room, func(e *queue.Engine) list {
		d := date
		if d == "" {
			d = e.Day()
		}
		return list{Date: d, Appointments: e.Appointments(d)}
	})
	if err != nil {
		s.storeError(w, err)
		return
	}
	for i, a := range out.Appointments {
		out.Appointments[i] = AppointmentView(a)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) appointment(w http.ResponseWriter, r *http.Request, _ *principal) {
	type found struct {
		a  *queue.Appointment
		ok bool
	}
	f, err := kiosk.View(s.room, func(e *queue.Engine) found {
		a, ok := e.Appointment(r.PathValue("code"))
		return found{a, ok}
	})
	if err != nil {
		s.storeError(w, err)
		return
	}
	if !f.ok {
		writeError(w, http.StatusNotFound, "unknown_appointment", "no appointment with this code for today or a later day")
		return
	}
	writeJSON(w, http.StatusOK, AppointmentView(f.a))
}

func (s *Server) cancel(w http.ResponseWriter, r *http.Request, _ *principal) {
	var a *queue.Appointment
	_, err := s.room.Do(func(e *queue.Engine) (evs []queue.Event, err error) {
		evs, a, err = e.Cancel(r.PathValue("code"))
		return evs, err
	})
	if err != nil {
		s.engineError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, AppointmentView(a))
}

// checkIn issues the ticket of a booking and prints it; a second check-in
// answers 200 with the same ticket and prints nothing.
func (s *Server) checkIn(w http.ResponseWriter, r *http.Request, p *principal) {
	var req struct {
		Code string `json:"code"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	if req.Code == "" {
		writeError(w, http.StatusBadRequest, "bad_request", `"code" is required, e.g. {"code":"HN-0042"}`)
		return
	}
	if s.rateLimited(w, r, p) {
		return
	}
	t, created, err := CheckIn(s.room, p.kiosk, req.Code)
	if err != nil {
		s.engineError(w, err)
		return
	}
	if !created {
		writeJSON(w, http.StatusOK, issuedTicket{Ticket: t})
		return
	}
	writeJSON(w, http.StatusCreated, s.print(r.Context(), t))
}

// CheckIn checks a booking in through room at a kiosk (its [[kiosk]] id,
// "" the unit's own): the ticket, and whether it is new (false: the
// booking was checked in before, this is its ticket).
func CheckIn(room *kiosk.Room, kiosk, code string) (*queue.Ticket, bool, error) {
	var t *queue.Ticket
	var created bool
	_, err := room.Do(func(e *queue.Engine) ([]queue.Event, error) {
		return e.At(kiosk, func() (evs []queue.Event, err error) {
			evs, t, created, err = e.CheckIn(code)
			return evs, err
		})
	})
	return t, created, err
}

// print prints a new ticket, if there is a printer, and says how it went.
func (s *Server) print(ctx context.Context, t *queue.Ticket) issuedTicket {
	out := issuedTicket{Ticket: t}
	if p := s.printer.Load(); p != nil {
		out = printed(t, (*p).PrintTicket(ctx, t))
	}
	out.Satellite = s.atSatellite(t)
	return out
}

// atSatellite reports whether t is printed by its kiosk's satellite.
func (s *Server) atSatellite(t *queue.Ticket) bool {
	k := s.room.Config().Kiosk(t.Kiosk)
	return k != nil && k.Satellite
}

// printed is the answer for t printed with the outcome err. A kiosk that
// has no printer here (ErrNotPrinted) shows its number on screen, as a
// room without a printer does.
func printed(t *queue.Ticket, err error) issuedTicket {
	out := issuedTicket{Ticket: t}
	switch {
	case errors.Is(err, ErrNotPrinted):
	case err != nil:
		out.PrintError = err.Error()
	default:
		out.Printed = true
	}
	return out
}

// priorities answers GET /api/v1/priorities: the priority categories the
// kiosk offers, and the age from which an ID card gives priority.
func (s *Server) priorities(w http.ResponseWriter, r *http.Request, _ *principal) {
	cfg := s.room.Config()
	out := struct {
		Priorities []config.Priority `json:"priorities"`
		Age        int               `json:"priority_age"`
	}{Priorities: cfg.Priorities, Age: cfg.Queue.PriorityAge}
	if out.Priorities == nil {
		out.Priorities = []config.Priority{}
	}
	writeJSON(w, http.StatusOK, out)
}
