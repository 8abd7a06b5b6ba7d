package api

import (
	"context"

	"motcua/kiosk"
	"motcua/kiosk/queue"
	"motcua/kiosk/scan"
)

// counterScan takes a scan at counter id's scanner: the dossier code of a
// receipt or an appointment slip, found by its pattern wherever the
// province's system put it, is linked to the ticket the counter serves,
// as POST /api/v1/counters/{id}/dossier does; the event tells the
// counter's page. Other scans are ignored. Neither the text nor the code
// is logged, only why a link failed.
func (s *Server) counterScan(id int, text string) {
	sc := scan.Classify(text)
	if sc.Kind != scan.KindReceipt && sc.Kind != scan.KindSlip {
		return
	}
	_, err := s.room.Act(kiosk.Action{Name: "dossier", Counter: id, Dossier: sc.Dossier})
	if err != nil {
		code := queue.Code(err)
		if code == "" {
			code = "store_unavailable"
		}
		s.log.Info("dossier scan not linked", "counter", id, "code", code)
	}
}

// returnSlip takes an appointment slip (phiếu hẹn trả kết quả) scanned at
// the kiosk: a ticket in the service of kind "return", with the slip's
// dossier linked, printed. Before the slip's return date it is refused
// with the date (too_early), unless the service takes early returns.
func (s *Server) returnSlip(ctx context.Context, kiosk string, sc scan.Scan, n *scanNotice) {
	cfg := s.room.Config()
	svc := cfg.ReturnService()
	if svc == nil {
		n.Error = &errorBody{Code: "no_return_service", Message: "api: no service has kind = \"return\"; mời quý khách lấy số thường"}
		return
	}
	if today := scan.DateOf(s.now().In(cfg.Location)); today.Before(sc.Return) && !svc.EarlyReturn {
		n.Return = sc.Return.String()
		n.Error = &errorBody{Code: "too_early", Message: "api: the slip's return date is " + sc.Return.String() + "; come back on that day"}
		return
	}
	var t *queue.Ticket
	_, err := s.room.Do(func(e *queue.Engine) ([]queue.Event, error) {
		return e.At(kiosk, func() (evs []queue.Event, err error) {
			evs, t, err = e.IssueForDossier(svc.ID, sc.Dossier)
			return evs, err
		})
	})
	if err != nil {
		code := queue.Code(err)
		if code == "" {
			code = "store_unavailable"
		}
		n.Error = &errorBody{Code: code, Message: err.Error()}
		return
	}
	out := s.print(ctx, t)
	n.Ticket, n.Printed, n.PrintError, n.Satellite = out.Ticket, out.Printed, out.PrintError, out.Satellite
}
