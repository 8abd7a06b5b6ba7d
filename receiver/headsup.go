package receiver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"motcua/uplinkproto"
)

// HeadsUp configures the message a citizen may ask for on the ticket's
// page: sent through the province's own sender (a Zalo ZNS or SMS
// gateway) when N people are ahead. motcua holds no credentials of that
// sender: it posts to the Webhook, which does the rest.
type HeadsUp struct {
	// Webhook receives each heads-up as a JSON POST (docs/public.md);
	// "" turns heads-ups off.
	Webhook string
	// Ahead is how many people ahead make the message go (default 3).
	Ahead int
	// Client posts the webhooks (nil: one with a 10 s timeout).
	Client *http.Client
}

// maxSubs bounds the heads-ups waiting to be sent, over all units.
const maxSubs = 100000

// webhookTries is how often a webhook is tried before it is given up.
const webhookTries = 3

// HeadsUpText is the message's text, for an SMS sender; a Zalo ZNS
// sender uses its own approved template with the message's params.
const HeadsUpText = "{unit_name}: số {number} ({service_name}) của quý khách còn {ahead} người nữa là đến lượt. Mời quý khách quay lại phòng chờ."

// HeadsUpMessage is the body of a heads-up webhook.
type HeadsUpMessage struct {
	Type string `json:"type"` // "heads_up"
	// To is the phone number the citizen gave, as 0xxxxxxxxx or
	// +84xxxxxxxxx without separators. It is kept in memory only, until
	// the message is sent or the ticket is called, closed or its day ends.
	To       string `json:"to"`
	Template string `json:"template"` // "motcua.heads_up.v1"
	// Params fill the template: unit_name, number, service_name, ahead.
	Params map[string]string `json:"params"`
	Text   string            `json:"text"` // HeadsUpText filled in
	Unit   string            `json:"unit"`
	At     time.Time         `json:"at"`
}

type subscription struct {
	hash [32]byte // of the ticket's public id
	to   string
}

var phoneRe = regexp.MustCompile(`^(\+84|0)[1-9][0-9]{8,9}$`)

// normalPhone returns a Vietnamese phone number without separators, or ""
// when s is not one.
func normalPhone(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '.' || r == '-' {
			return -1
		}
		return r
	}, s)
	if !phoneRe.MatchString(s) {
		return ""
	}
	return s
}

// subscribe notes a heads-up for a waiting ticket of a unit.
func (p *publicIndex) subscribe(unit, public, to string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.subs == nil {
		p.subs = map[string][]subscription{}
	}
	n := 0
	for _, l := range p.subs {
		n += len(l)
	}
	if n >= maxSubs {
		return false
	}
	h := sha256.Sum256([]byte(public))
	for i, sub := range p.subs[unit] {
		if sub.hash == h {
			p.subs[unit][i].to = to // the last number given wins
			return true
		}
	}
	p.subs[unit] = append(p.subs[unit], subscription{hash: h, to: to})
	return true
}

// due takes the heads-ups of a unit that are due in its live queue st:
// those whose ticket has at most n people ahead. Subscriptions whose
// ticket no longer waits are dropped, unsent.
func (p *publicIndex) due(unit string, st *uplinkproto.State, n int) []HeadsUpMessage {
	p.mu.Lock()
	defer p.mu.Unlock()
	subs := p.subs[unit]
	if len(subs) == 0 || st == nil {
		return nil
	}
	type place struct {
		t     *uplinkproto.Ticket
		ahead int
	}
	waiting := map[[32]byte]place{}
	for _, sv := range st.Services {
		for i, t := range sv.Waiting {
			if t.Public != "" {
				waiting[sha256.Sum256([]byte(t.Public))] = place{t, i}
			}
		}
	}
	var out []HeadsUpMessage
	kept := subs[:0]
	for _, sub := range subs {
		pl, ok := waiting[sub.hash]
		switch {
		case !ok: // called, closed, transferred to a counter or gone
		case pl.ahead <= n:
			out = append(out, headsUpMessage(unit, st, pl.t, pl.ahead, sub.to))
		default:
			kept = append(kept, sub)
		}
	}
	p.subs[unit] = kept
	return out
}

func headsUpMessage(unit string, st *uplinkproto.State, t *uplinkproto.Ticket, ahead int, to string) HeadsUpMessage {
	service := t.Service
	for _, sv := range st.Services {
		if sv.ID == t.Service {
			service = sv.Name
		}
	}
	params := map[string]string{"unit_name": st.Unit.Name, "number": t.Number, "service_name": service, "ahead": strconv.Itoa(ahead)}
	text := HeadsUpText
	for k, v := range params {
		text = strings.ReplaceAll(text, "{"+k+"}", v)
	}
	return HeadsUpMessage{Type: "heads_up", To: to, Template: "motcua.heads_up.v1", Params: params, Text: text, Unit: unit}
}

// sendHeadsUps posts the messages, each in its own goroutine, tried up to
// webhookTries times; Close waits for them.
func (s *Server) sendHeadsUps(msgs []HeadsUpMessage) {
	for _, m := range msgs {
		m.At = s.clk.Now()
		s.pub.sending.Add(1)
		go func() {
			defer s.pub.sending.Done()
			var err error
			for try := range webhookTries {
				if try > 0 {
					select {
					case <-s.clk.After(time.Duration(try) * 2 * time.Second):
					case <-s.pub.stop:
						return
					}
				}
				if err = s.postHeadsUp(m); err == nil {
					s.lg.Info("receiver: heads-up sent", "unit", m.Unit, "number", m.Params["number"])
					return
				}
			}
			// Never the phone number in the log.
			s.lg.Warn("receiver: heads-up not sent", "unit", m.Unit, "number", m.Params["number"], "err", err)
		}()
	}
}

func (s *Server) postHeadsUp(m HeadsUpMessage) error {
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go func() {
		select {
		case <-s.pub.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.o.HeadsUp.Webhook, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	client := s.o.HeadsUp.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("receiver: heads-up webhook: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("receiver: heads-up webhook answered %s", resp.Status)
	}
	return nil
}

// notify takes a citizen's request for a heads-up:
// POST /api/v1/public/{unit}/{public}/notify {"to":"0912345678"}.
func (s *Server) notify(w http.ResponseWriter, r *http.Request) {
	if !s.publicAllowed(w, r) {
		return
	}
	if s.o.HeadsUp.Webhook == "" {
		apiError(w, http.StatusNotFound, "no_heads_up", "this receiver sends no heads-ups")
		return
	}
	var body struct {
		To string `json:"to"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1024))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		apiError(w, http.StatusBadRequest, "bad_request", `send {"to":"0912345678"}`)
		return
	}
	to := normalPhone(body.To)
	if to == "" {
		apiError(w, http.StatusBadRequest, "bad_phone", "a Vietnamese phone number, such as 0912345678 or +84912345678")
		return
	}
	unit, public := r.PathValue("unit"), r.PathValue("public")
	t, ok := s.publicTicket(unit, public)
	switch {
	case !ok:
		apiError(w, http.StatusNotFound, "unknown_ticket", "no ticket of the unit's day has this id")
		return
	case t.Status != "waiting" || t.Ahead <= s.headsUpAhead():
		apiError(w, http.StatusConflict, "too_late", "the ticket is called soon already: please come back to the waiting room")
		return
	}
	if !s.pub.subscribe(unit, public, to) {
		apiError(w, http.StatusServiceUnavailable, "busy", "too many heads-ups wait to be sent; try again later")
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(map[string]int{"heads_up": s.headsUpAhead()})
}

func (s *Server) headsUpAhead() int {
	if s.o.HeadsUp.Ahead > 0 {
		return s.o.HeadsUp.Ahead
	}
	return 3
}
