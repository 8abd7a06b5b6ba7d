package queue

import (
	"fmt"
	"slices"
	"strings"

	"motcua/kiosk/scan"
)

// TicketDossierLinked is the event of a dossier (mã hồ sơ) linked to the
// ticket a counter serves; its Dossier is the code linked, its Ticket
// carries all the ticket's dossiers.
const TicketDossierLinked = "ticket.dossier_linked"

// MaxDossiers is how many dossiers one ticket may have linked.
const MaxDossiers = 16

// LinkDossier links the dossier code to the ticket counter id serves. The
// code must be a dossier code (see [scan.ValidDossier]); it is kept in
// upper case. Linking a code the ticket has already changes nothing and
// returns no event.
func (e *Engine) LinkDossier(id int, code string) ([]Event, error) {
	code = strings.TrimSpace(code)
	if !scan.ValidDossier(code) {
		return nil, fmt.Errorf("%w %q", ErrBadDossier, clip(code))
	}
	code = strings.ToUpper(code)
	b, c, err := e.serving(id)
	if err != nil {
		return b.evs, err
	}
	t := *c.serving
	if slices.Contains(t.Dossiers, code) {
		return b.evs, nil
	}
	if len(t.Dossiers) >= MaxDossiers {
		return b.evs, fmt.Errorf("%w: %d dossiers on ticket %s", ErrLimitReached, MaxDossiers, t.Number)
	}
	t.Dossiers = append(slices.Clip(t.Dossiers), code)
	b.emit(&Event{Name: TicketDossierLinked, Ticket: &t, Dossier: code})
	b.evs[len(b.evs)-1].Counter = e.counterView(c)
	return b.evs, nil
}

// IssueForDossier draws the next number of a service for the citizen who
// brings dossier code (an appointment slip scanned at the kiosk, in the
// service where results are handed back): a ticket.issued event, then a
// ticket.dossier_linked event that links the code to the waiting ticket.
// It returns the events and the ticket as the last event shows it.
func (e *Engine) IssueForDossier(serviceID, code string) ([]Event, *Ticket, error) {
	code = strings.TrimSpace(code)
	if !scan.ValidDossier(code) {
		return nil, nil, fmt.Errorf("%w %q", ErrBadDossier, clip(code))
	}
	s := e.services[serviceID]
	if s == nil {
		return nil, nil, fmt.Errorf("%w %q", ErrUnknownService, serviceID)
	}
	b := e.begin()
	t := *b.issue(s, false, "", "")
	t.Dossiers = []string{strings.ToUpper(code)}
	b.emit(&Event{Name: TicketDossierLinked, Ticket: &t, Dossier: t.Dossiers[0]})
	view := e.ticketView(e.tickets[t.ID])
	b.evs[len(b.evs)-1].Ticket = view
	return b.evs, view, nil
}
