package api

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"time"

	"motcua/clock"
	"motcua/uplinkproto"
)

// DossierLookup asks the province's one-stop software for a dossier's
// status: the uplink's dossier.status query. It returns when ctx ends.
type DossierLookup interface {
	DossierStatus(ctx context.Context, code string) (*uplinkproto.Dossier, error)
}

// DossierTimeout is the longest a receipt scanned at the kiosk waits for
// its dossier's status; then the kiosk says it could not be looked up.
const DossierTimeout = 2 * time.Second

// NoStatus is what the kiosk shows when a dossier's status cannot be
// looked up (no uplink, the receiver has no adapter, no answer in
// [DossierTimeout]).
const NoStatus = "Chưa tra cứu được, mời quý khách lấy số"

// maxLookups is how many status lookups run at once; a scan past it is
// answered NoStatus at once.
const maxLookups = 2

type dossierDesk struct {
	lookup DossierLookup
	clock  clock.Clock
}

// SetDossierLookup sets where a receipt scanned at the kiosk asks for its
// dossier's status, waiting at most [DossierTimeout] on clk (nil: the
// machine's clock). A nil lookup asks nobody: the kiosk shows [NoStatus].
func (s *Server) SetDossierLookup(l DossierLookup, clk clock.Clock) {
	s.dossiers.Store(&dossierDesk{lookup: l, clock: clock.Or(clk)})
}

// dossierStatus is the status told to the kiosk pages.
type dossierStatus struct {
	Status string `json:"status"`
	Due    string `json:"due,omitempty"`
}

// receiptScan takes a receipt's QR scanned at the kiosk: the kiosk pages
// are told at once that its status is being looked up, then the status,
// or the error status_unavailable after at most DossierTimeout. Ticketing
// goes on meanwhile: the lookup runs in its own goroutine, which ends
// with the answer, the timeout or ctx. Neither the code nor the status is
// logged.
func (s *Server) receiptScan(ctx context.Context, code string, n scanNotice) {
	n.Scan = "dossier"
	n.Lookup = s.lookups.Add(1)
	n.Pending = true
	s.notifyKiosks(n)
	n.Pending = false
	d := s.dossiers.Load()
	if d == nil || d.lookup == nil || s.running.Add(1) > maxLookups {
		if d != nil && d.lookup != nil {
			s.running.Add(-1)
		}
		s.log.Debug("dossier status not looked up", "why", "no lookup or too many at once")
		n.Error = &errorBody{Code: "status_unavailable", Message: NoStatus}
		s.notifyKiosks(n)
		return
	}
	go func() {
		defer s.running.Add(-1)
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		type result struct {
			d   *uplinkproto.Dossier
			err error
		}
		res := make(chan result, 1)
		go func() {
			st, err := d.lookup.DossierStatus(ctx, code)
			res <- result{st, err}
		}()
		var r result
		select {
		case r = <-res:
		case <-d.clock.After(DossierTimeout):
			r.err = context.DeadlineExceeded
		case <-ctx.Done():
			return
		}
		if r.err != nil {
			s.log.Debug("dossier status not looked up", "err", r.err)
			n.Error = &errorBody{Code: "status_unavailable", Message: NoStatus}
		} else {
			n.Dossier = &dossierStatus{Status: r.d.Status, Due: r.d.Due}
		}
		s.notifyKiosks(n)
	}()
}

// notifyKiosks sends a scan notice to the kiosk-role websockets of the
// kiosk where the scan was made.
func (s *Server) notifyKiosks(n scanNotice) {
	data, err := json.Marshal(n)
	if err != nil {
		return
	}
	s.hub.Notify(KioskGroup(n.kiosk), data)
}

// lookupCounters are the Server's counts of status lookups.
type lookupCounters struct {
	lookups atomic.Int64 // numbers each scan's lookup
	running atomic.Int32 // lookups waiting for an answer
}
