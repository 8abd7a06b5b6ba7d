package receiver

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"net"
	"net/http"
	"sync"
	"time"

	"motcua/citizenpage"
	"motcua/uplinkproto"
)

// publicPerMinute is how many citizen-page requests one address may make
// per minute: a page polling every 4 s makes 15; a guesser soon meets 429.
const publicPerMinute = 120

// maxAddrs bounds the rate limiter's table; past it every address is
// refused until the minute turns, rather than memory growing.
const maxAddrs = 100000

// publicTicket is what the citizen's page shows of a ticket, as the daemon
// answers it at /api/v1/public/{public}: nothing personal.
type publicTicket struct {
	Unit        string     `json:"unit"`
	Number      string     `json:"number"`
	Service     string     `json:"service"`
	ServiceName string     `json:"service_name"`
	Status      string     `json:"status"`
	Ahead       int        `json:"ahead"`
	WaitSeconds int        `json:"estimated_wait_s"`
	Counter     *int       `json:"counter"`
	CounterName string     `json:"counter_name,omitempty"`
	Calls       int        `json:"calls"`
	IssuedAt    time.Time  `json:"issued_at"`
	CalledAt    *time.Time `json:"called_at"`
	DoneAt      *time.Time `json:"done_at"`
	Day         string     `json:"day"`
	// HeadsUp is how many people ahead trigger the heads-up a citizen may
	// ask for (0: this receiver sends none).
	HeadsUp int `json:"heads_up,omitempty"`
}

// publicIndex keeps what the live queues forget: today's tickets that
// are done or no-shows, by unit and by the hash of their public id, so
// that their page shows the end state until the unit's day ends. It also
// limits the requests of each address.
type publicIndex struct {
	mu     sync.Mutex
	closed map[string]map[[32]byte]uplinkproto.Ticket
	window time.Time
	counts map[string]int
	// subs are the heads-ups asked for, by unit (headsup.go).
	subs map[string][]subscription
	// sending counts the webhooks in flight; stop ends them.
	sending  sync.WaitGroup
	stop     chan struct{}
	stopOnce sync.Once
}

// close ends the webhooks in flight and waits for them.
func (p *publicIndex) close() {
	p.stopOnce.Do(func() { close(p.stop) })
	p.sending.Wait()
}

// follow notes the closed tickets of a unit's new events, and forgets the
// unit's closed tickets when its day starts.
func (p *publicIndex) follow(unit string, evs []*uplinkproto.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed == nil {
		p.closed = map[string]map[[32]byte]uplinkproto.Ticket{}
	}
	for _, ev := range evs {
		if ev.Name == uplinkproto.EventDayStarted {
			delete(p.closed, unit)
		}
		t := ev.Ticket
		if t == nil || t.Public == "" || (t.Status != "done" && t.Status != "no_show") {
			continue
		}
		m := p.closed[unit]
		if m == nil {
			m = map[[32]byte]uplinkproto.Ticket{}
			p.closed[unit] = m
		}
		if len(m) < maxLive {
			m[sha256.Sum256([]byte(t.Public))] = *t
		}
	}
}

// allow counts a request of addr; false past the minute's allowance.
func (p *publicIndex) allow(now time.Time, addr string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if now.Sub(p.window) >= time.Minute || p.counts == nil {
		p.window, p.counts = now, map[string]int{}
	}
	if _, ok := p.counts[addr]; !ok && len(p.counts) >= maxAddrs {
		return false
	}
	p.counts[addr]++
	return p.counts[addr] <= publicPerMinute
}

// publicRoutes adds the citizen's page of the units' tickets, from the
// state the units send: a citizen outside the office's Wi-Fi follows the
// ticket when the province publishes the receiver.
func (s *Server) publicRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /t/{unit}/{public}", func(w http.ResponseWriter, r *http.Request) {
		if !s.publicAllowed(w, r) {
			return
		}
		if _, ok := s.publicTicket(r.PathValue("unit"), r.PathValue("public")); !ok {
			citizenpage.NotFound(w)
			return
		}
		citizenpage.Page().ServeHTTP(w, r)
	})
	mux.HandleFunc("GET /api/v1/public/{unit}/{public}", func(w http.ResponseWriter, r *http.Request) {
		if !s.publicAllowed(w, r) {
			return
		}
		p, ok := s.publicTicket(r.PathValue("unit"), r.PathValue("public"))
		if !ok {
			apiError(w, http.StatusNotFound, "unknown_ticket", "no ticket of the unit's day has this id")
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		json.NewEncoder(w).Encode(p)
	})
	mux.HandleFunc("POST /api/v1/public/{unit}/{public}/notify", s.notify)
	mux.Handle("GET /static/public.js", citizenpage.Assets())
	mux.Handle("GET /static/public.css", citizenpage.Assets())
}

func (s *Server) publicAllowed(w http.ResponseWriter, r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if !s.pub.allow(s.clk.Now(), host) {
		w.Header().Set("Retry-After", "60")
		apiError(w, http.StatusTooManyRequests, "rate_limited", "too many requests from this address; wait a minute")
		return false
	}
	return true
}

// publicTicket finds a ticket of a unit's day by its public id: among the
// waiting and called tickets of the live queue, compared with each in
// constant time, then among the closed ones by the id's hash. The people
// ahead are the ticket's place in the live queue; the wait is the unit's
// last estimate scaled to that.
func (s *Server) publicTicket(unitID, public string) (publicTicket, bool) {
	s.mu.Lock()
	u := s.units[unitID]
	s.mu.Unlock()
	if u == nil || public == "" || len(public) > uplinkproto.MaxID {
		return publicTicket{}, false
	}
	want := []byte(public)
	var found *uplinkproto.Ticket
	ahead := 0
	var out publicTicket
	u.mu.Lock()
	st := u.state
	if st == nil {
		u.mu.Unlock()
		return publicTicket{}, false
	}
	match := func(list []*uplinkproto.Ticket) {
		for i, t := range list {
			if t != nil && subtle.ConstantTimeCompare([]byte(t.Public), want) == 1 {
				found, ahead = t, i
			}
		}
	}
	for _, sv := range st.Services {
		match(sv.Waiting)
	}
	for _, c := range st.Counters {
		match(c.Waiting)
		if c.Serving != nil {
			match([]*uplinkproto.Ticket{c.Serving})
		}
	}
	var t uplinkproto.Ticket
	if found != nil {
		t = *found
	}
	out.Unit = st.Unit.Name
	day := st.Day
	names := func() {
		for _, sv := range st.Services {
			if sv.ID == t.Service {
				out.ServiceName = sv.Name
			}
		}
		if t.Counter != nil && t.Status != "waiting" {
			for _, c := range st.Counters {
				if c.ID == *t.Counter {
					out.CounterName = c.Name
				}
			}
		}
	}
	if found != nil {
		names()
	}
	u.mu.Unlock()
	if found == nil {
		s.pub.mu.Lock()
		ct, ok := s.pub.closed[unitID][sha256.Sum256(want)]
		s.pub.mu.Unlock()
		if !ok || ct.Day != day {
			return publicTicket{}, false
		}
		t, ahead = ct, 0
		u.mu.Lock()
		names()
		u.mu.Unlock()
	}
	out.Number, out.Service, out.Status, out.Calls, out.Day = t.Number, t.Service, t.Status, t.Calls, t.Day
	out.IssuedAt, out.CalledAt, out.DoneAt = t.IssuedAt, t.CalledAt, t.DoneAt
	if s.o.HeadsUp.Webhook != "" {
		out.HeadsUp = s.headsUpAhead()
	}
	if t.Status == "waiting" {
		out.Ahead = ahead
		out.WaitSeconds = t.WaitSeconds
		if t.Ahead > 0 {
			out.WaitSeconds = t.WaitSeconds * ahead / t.Ahead
		}
	} else if t.Counter != nil {
		c := *t.Counter
		out.Counter = &c
	}
	return out, true
}
