package report

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"motcua/kiosk/queue"
)

// FuzzEventFields checks the scans of ticket.issued and ticket.rated
// against encoding/json, on events as the engine marshals them.
func FuzzEventFields(f *testing.F) {
	f.Add("dat-dai", "Nguyễn Văn \"A\"", "họp", 4)
	f.Add(`a\"b`, `"service":"x"`, `"score":1`, 1)
	f.Fuzz(func(t *testing.T, service, officer, reason string, score int) {
		score = 1 + (score%4+4)%4
		c := 3
		ticket := &queue.Ticket{ID: "20261126-A001", Number: "A001", Service: service, Status: queue.Done, Counter: &c,
			Officer: officer, Rating: score, IssuedAt: time.Unix(0, 0)}
		counter := &queue.Counter{ID: 3, Name: service, Officer: officer, Reason: reason, Services: []string{service}}
		issued, err := json.Marshal(queue.Event{Type: "event", Name: queue.TicketIssued, Ticket: ticket})
		if err != nil {
			t.Fatal(err)
		}
		var back queue.Event // what encoding/json reads (invalid UTF-8 becomes U+FFFD)
		if err := json.Unmarshal(issued, &back); err != nil {
			t.Fatal(err)
		}
		got, err := issuedService(issued)
		if err != nil || got != back.Ticket.Service {
			t.Errorf("issuedService: got %q, %v, want %q", got, err, back.Ticket.Service)
		}
		rated, err := json.Marshal(queue.Event{Type: "event", Name: queue.TicketRated, Ticket: ticket, Counter: counter, Reason: reason, Score: score})
		if err != nil {
			t.Fatal(err)
		}
		s, err := ratedScore(rated)
		if err != nil || s != strconv.Itoa(score) {
			t.Errorf("ratedScore: got %q, %v, want %d", s, err, score)
		}
	})
}
