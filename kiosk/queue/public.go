package queue

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"io"
	"strings"
	"time"
)

// PublicLen is the length of a public id: 128 random bits in base32.
const PublicLen = 26

var publicEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newPublic returns a fresh public id: 128 random bits, base32 lower case,
// so that the citizen's page of one ticket cannot be found from another.
func (e *Engine) newPublic() string {
	var b [16]byte
	src := io.Reader(rand.Reader) // never fails (crypto/rand since Go 1.24)
	if e.random != nil {
		src = e.random
	}
	if _, err := io.ReadFull(src, b[:]); err != nil {
		rand.Read(b[:])
	}
	return strings.ToLower(publicEncoding.EncodeToString(b[:]))
}

// SetRandom makes the engine draw public ids from r instead of
// crypto/rand: for simulations that must repeat with a seed. Never in a
// daemon, where the ids must be unguessable.
func (e *Engine) SetRandom(r io.Reader) { e.random = r }

// ValidPublic reports whether s has the form of a public id. It looks at
// the form only, never at which ids exist.
func ValidPublic(s string) bool {
	if len(s) != PublicLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'a' || c > 'z') && (c < '2' || c > '7') {
			return false
		}
	}
	return true
}

// ByPublic returns today's ticket with the given public id. It compares
// the id with every ticket of the day in constant time and never stops
// early, so that how long it takes says nothing about which ids exist or
// how close a guess came. A ticket of an earlier day is not found.
func (e *Engine) ByPublic(public string) (*Ticket, bool) {
	var found *Ticket
	for _, t := range e.tickets {
		if t.Public != "" && equalConst(t.Public, public) == 1 {
			found = t
		}
	}
	if found == nil || public == "" {
		return nil, false
	}
	return e.ticketView(found), true
}

// PublicTicket is what the citizen's own page shows of a ticket: nothing
// personal (no officer, no dossier, no citizen key, no rating).
type PublicTicket struct {
	Unit        string     `json:"unit"` // the office's name
	Number      string     `json:"number"`
	Service     string     `json:"service"`
	ServiceName string     `json:"service_name"`
	Status      Status     `json:"status"`
	Ahead       int        `json:"ahead"`
	WaitSeconds int        `json:"estimated_wait_s"`
	Counter     *int       `json:"counter"` // once called
	CounterName string     `json:"counter_name,omitempty"`
	Calls       int        `json:"calls"`
	IssuedAt    time.Time  `json:"issued_at"`
	CalledAt    *time.Time `json:"called_at"`
	DoneAt      *time.Time `json:"done_at"`
	Day         string     `json:"day"`
}

// PublicView returns what the citizen's page shows of t, with the names of
// its unit, service and counter.
func (t *Ticket) PublicView(unit, service, counter string) PublicTicket {
	p := PublicTicket{
		Unit: unit, Number: t.Number, Service: t.Service, ServiceName: service, Status: t.Status,
		Ahead: t.Ahead, WaitSeconds: t.WaitSeconds, Calls: t.Calls,
		IssuedAt: t.IssuedAt, CalledAt: t.CalledAt, DoneAt: t.DoneAt, Day: t.Day,
	}
	if t.Status != Waiting && t.Counter != nil {
		c := *t.Counter
		p.Counter, p.CounterName = &c, counter
	}
	return p
}

// equalConst is 1 when a and b are equal, else 0, in a time that depends
// on their lengths only (public ids all have the same length).
func equalConst(a, b string) int {
	if len(a) != len(b) {
		return 0
	}
	var v byte
	for i := 0; i < len(a); i++ {
		v |= a[i] ^ b[i]
	}
	return subtle.ConstantTimeByteEq(v, 0)
}
