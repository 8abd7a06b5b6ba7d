package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"motcua/kiosk"
	"motcua/kiosk/config"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/queue"
	"motcua/kiosk/scan"
)

// cardTTL is how long an ID card scanned at the kiosk waits for the
// citizen to choose a service; then it is forgotten.
const cardTTL = 2 * time.Minute

// ScanID is the value of "scan" in POST /api/v1/tickets that issues for
// the ID card last scanned at the kiosk.
const ScanID = "ID"

// idDesk is what the daemon keeps of citizens' ID cards, in memory only:
// the card last scanned at the kiosk until a ticket is issued for it (at
// most cardTTL), the day's citizen keys (an HMAC of the ID number with a
// secret drawn when the daemon starts) with their ticket counts, and the
// name of each ticket issued for a card until that ticket is done. The ID
// number, birth date and the rest of the card are never kept.
type idDesk struct {
	keyer *scan.Keyer

	mu      sync.Mutex
	counts  map[string]int          // citizen key -> tickets today
	pending map[string]*pendingCard // by kiosk ("" the unit's own)
	names   map[string]string       // ticket id -> name, until done
}

type pendingCard struct {
	key, name, category string
	until               time.Time
}

func newIDDesk() *idDesk {
	secret := make([]byte, 32)
	rand.Read(secret)
	k, err := scan.NewKeyer(secret)
	if err != nil {
		panic(err) // 32 bytes is long enough
	}
	return &idDesk{keyer: k, counts: map[string]int{}, pending: map[string]*pendingCard{}, names: map[string]string{}}
}

// scanNotice is what kiosk-role websockets get for a scan at the kiosk.
// For an ID card it says only whether the card gives priority.
type scanNotice struct {
	Type string `json:"type"` // "scan"
	// kiosk is the [[kiosk]] of the scanner ("" the unit's own): the
	// notice goes to its pages only.
	kiosk    string
	Scan     string  `json:"scan,omitempty"`
	Kind     string  `json:"kind"`
	Priority *string `json:"priority"`
	// An appointment's check-in: the ticket, whether it printed, or why
	// it was refused.
	Ticket     *queue.Ticket `json:"ticket,omitempty"`
	Printed    bool          `json:"printed,omitempty"`
	PrintError string        `json:"print_error,omitempty"`
	Satellite  bool          `json:"satellite,omitempty"` // the kiosk's satellite prints it
	Error      *errorBody    `json:"error,omitempty"`
	// Return is the date an appointment slip says to come back, when the
	// slip was refused as too early ("YYYY-MM-DD").
	Return string `json:"return,omitempty"`
	// A receipt's status lookup (dossierstatus.go): its number, whether
	// it is still asked, and the status found.
	Lookup  int64          `json:"lookup,omitempty"`
	Pending bool           `json:"pending,omitempty"`
	Dossier *dossierStatus `json:"dossier,omitempty"`
}

type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Scan takes a scan of the unit's barcode scanners. At the kiosk, a
// booking's code checks it in and prints its ticket, and an ID card waits
// for the citizen to choose a service (POST /api/v1/tickets with "scan":
// "ID"), and a receipt's dossier status is looked up (see
// [Server.SetDossierLookup]); every kiosk page is told. At a counter, a receipt's dossier code
// is linked to the ticket it serves (see [Server.counterScan]). The text
// is never logged.
func (s *Server) Scan(ctx context.Context, place scan.Place, text string) {
	if !place.IsKiosk() {
		s.counterScan(place.Counter, text)
		return
	}
	if s.hub == nil {
		return
	}
	sc := scan.Classify(text)
	if code := strings.TrimSpace(text); sc.Kind == scan.KindOther && sc.Err == nil && s.booked(code) {
		// A booking system may give codes the classifier cannot tell
		// from other barcodes (no digit, one or two characters): the
		// bookings can.
		sc = scan.Scan{Kind: scan.KindAppointment, Code: code}
	}
	n := scanNotice{Type: "scan", Kind: string(sc.Kind), kiosk: place.Kiosk}
	switch sc.Kind {
	case scan.KindAppointment:
		n.Scan = "appointment"
		t, created, err := CheckIn(s.room, place.Kiosk, sc.Code)
		switch {
		case err != nil:
			code := queue.Code(err)
			if code == "" {
				code = "store_unavailable"
			}
			n.Error = &errorBody{Code: code, Message: err.Error()}
		case created:
			out := s.print(ctx, t)
			n.Ticket, n.Printed, n.PrintError, n.Satellite = out.Ticket, out.Printed, out.PrintError, out.Satellite
		default:
			n.Ticket = t
		}
	case scan.KindSlip:
		n.Scan = "return"
		s.returnSlip(ctx, place.Kiosk, sc, &n)
	case scan.KindReceipt:
		s.receiptScan(ctx, sc.Dossier, n)
		return
	case scan.KindIDCard:
		n.Scan = ScanID
		cfg := s.room.Config()
		now := s.now().In(cfg.Location)
		var category string
		if age := cfg.Queue.PriorityAge; age > 0 && sc.Card.Age(scan.DateOf(now)) >= age {
			category = config.AgeCategory
			n.Priority = &category
		}
		card := &pendingCard{key: s.ids.keyer.Citizen(sc.Card.Number), name: sc.Card.Name, category: category, until: now.Add(cardTTL)}
		s.ids.mu.Lock()
		s.ids.pending[place.Kiosk] = card
		s.ids.mu.Unlock()
		// The name goes from memory when the card lapses, also if nobody
		// touches the kiosk again.
		time.AfterFunc(cardTTL, func() {
			s.ids.mu.Lock()
			if s.ids.pending[place.Kiosk] == card {
				delete(s.ids.pending, place.Kiosk)
			}
			s.ids.mu.Unlock()
		})
	}
	s.notifyKiosks(n)
}

func (s *Server) now() time.Time { return s.clock.Now() }

// issueForCard issues a ticket of service for the ID card last scanned at
// the kiosk: priority (its age category) when the card is old enough,
// refused past the per-person limit. It answers the request itself and
// reports whether it did.
func (s *Server) issueForCard(w http.ResponseWriter, r *http.Request, kiosk, service, category string) {
	cfg := s.room.Config()
	d := s.ids
	d.mu.Lock()
	card := d.pending[kiosk]
	delete(d.pending, kiosk)
	if card != nil && s.now().After(card.until) {
		card = nil
	}
	if card == nil {
		d.mu.Unlock()
		writeError(w, http.StatusConflict, "no_scan", "no ID card was scanned at the kiosk in the last 2 minutes; scan it again")
		return
	}
	if limit := cfg.Queue.PerPersonDay; limit > 0 && d.counts[card.key] >= limit {
		d.mu.Unlock()
		writeError(w, http.StatusConflict, "limit_reached", "this person already has "+strconv.Itoa(limit)+" tickets today; ask the officer at the counter")
		return
	}
	// Count the ticket before issuing it, so that two requests for one
	// citizen cannot both pass the limit; the lock is not held while the
	// event is written, as Observe takes it from the log's writer.
	d.counts[card.key]++
	d.mu.Unlock()
	if category == "" {
		category = card.category
	}
	evs, err := s.room.Do(func(e *queue.Engine) ([]queue.Event, error) {
		return e.At(kiosk, func() ([]queue.Event, error) { return e.IssueCategory(service, false, category) })
	})
	if err != nil {
		d.mu.Lock()
		d.counts[card.key]--
		d.mu.Unlock()
		s.engineError(w, err)
		return
	}
	t := lastTicket(evs, queue.TicketIssued)
	d.mu.Lock()
	if evs[0].Name == queue.DayStarted {
		// Observe cleared the counts with the new day, this ticket's too.
		d.counts[card.key]++
	}
	d.names[t.ID] = card.name
	d.mu.Unlock()
	writeJSON(w, http.StatusCreated, s.print(r.Context(), t))
}

// citizen answers GET /api/v1/counters/{id}/citizen: the name on the ID
// card of the ticket the counter has called, for its officer only; 204
// when that ticket was not issued for a card (or none is called).
func (s *Server) citizen(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil || id <= 0 {
		writeError(w, http.StatusNotFound, "unknown_counter", "counter ids are positive whole numbers")
		return
	}
	if !p.mayOperate(id) {
		writeError(w, http.StatusForbidden, "forbidden", "this token may not operate quầy "+strconv.Itoa(id))
		return
	}
	c, err := kiosk.View(s.room, func(e *queue.Engine) *queue.Counter { c, _ := e.Counter(id); return c })
	if err != nil {
		s.storeError(w, err)
		return
	}
	if c == nil {
		writeError(w, http.StatusNotFound, "unknown_counter", "no such counter")
		return
	}
	if c.Serving == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	s.ids.mu.Lock()
	name, ok := s.ids.names[c.Serving.ID]
	s.ids.mu.Unlock()
	if !ok {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"ticket": c.Serving.ID, "number": c.Serving.Number, "name": name})
}

// Observe follows the committed events: a name is forgotten when its
// ticket is done or a no-show, and every name and count when a new day
// starts. The daemon subscribes it.
func (s *Server) Observe(recs []eventlog.Record) {
	d := s.ids
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, r := range recs {
		switch {
		case bytes.Contains(r.Data, []byte(`"event":"day.started"`)):
			clear(d.names)
			clear(d.counts)
			clear(d.pending)
		case len(d.names) > 0 && (bytes.Contains(r.Data, []byte(`"event":"ticket.done"`)) || bytes.Contains(r.Data, []byte(`"event":"ticket.no_show"`))):
			var ev struct {
				Ticket struct {
					ID string `json:"id"`
				} `json:"ticket"`
			}
			if json.Unmarshal(r.Data, &ev) == nil {
				delete(d.names, ev.Ticket.ID)
			}
		}
	}
}

// booked tells whether code is a booking's code.
func (s *Server) booked(code string) bool {
	if !queue.ValidCode(code) {
		return false
	}
	ok, _ := kiosk.View(s.room, func(e *queue.Engine) bool {
		_, ok := e.Appointment(code)
		return ok
	})
	return ok
}
