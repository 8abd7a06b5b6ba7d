package printing

import (
	"context"
	"fmt"

	"motcua/kiosk/catalogue"
	"motcua/kiosk/queue"
)

// PrintProcedureTicket prints a ticket taken for a procedure with the
// procedure's papers under it, boxes to tick (the layout's checklist
// block), and records the outcome as [Service.PrintTicket] does. A reprint
// prints the ticket alone.
func (s *Service) PrintProcedureTicket(ctx context.Context, t *queue.Ticket, p catalogue.Procedure) error {
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	et := s.ticket(t)
	et.Procedure, et.Checklist = p.Name, Checklist(p)
	data, err := s.r.Render(et, s.layout)
	return s.print(ctx, t, data, err)
}

// Checklist is the lines of a procedure's papers on the ticket: the
// number of copies when more than one, and papers the office reads on
// VNeID said not to be needed on paper.
func Checklist(p catalogue.Procedure) []string {
	out := make([]string, 0, len(p.Papers))
	for _, pp := range p.Papers {
		line := pp.Name
		if pp.Copies > 1 {
			line += fmt.Sprintf(" (%d bản)", pp.Copies)
		}
		if pp.VNeID {
			line += " – có trên VNeID, không cần mang bản giấy"
		}
		out = append(out, line)
	}
	return out
}
