package api

import (
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
