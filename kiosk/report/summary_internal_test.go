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

func TestCodecRoundTrip(t *testing.T) {
	in := &daySummary{Day: "2026-11-23", FirstSeq: 10, LastSeq: 99,
		Tickets: []ticketSum{
			{Issued: 1_790_000_000_000, FirstCall: 1_790_000_240_000, End: 1_790_000_480_000, Outcome: endDone, Transfers: 1, Rating: 2,
				Visits: []visit{
					{Service: "b", NewService: true, Arrived: 1_790_000_000_000, Called: 1_790_000_240_000, End: 1_790_000_300_000, EndKind: endTransferred, Counter: 2, Officer: "Bình", Recalls: 1},
					{Service: "a", NewService: true, Arrived: 1_790_000_300_000, Called: 1_790_000_400_000, End: 1_790_000_480_000, EndKind: endDone, Counter: 1, Officer: "An", Rating: 2},
				}},
			{Issued: 1_790_000_100_000, Visits: []visit{{Service: "a", NewService: true, Arrived: 1_790_000_100_000}}},
			// A clock set back: a time before the issue still comes back.
			{Issued: 1_790_000_100_000, FirstCall: 1_790_000_099_000, Visits: []visit{{Service: "a", Arrived: 1_790_000_100_000, Called: 1_790_000_099_000, Counter: 1, Officer: "An"}}},
		},
		Counters: []counterTime{{Counter: 1, Officer: "An", Idle: 5, Busy: 7, Paused: []reasonTime{{"họp", 600}, {"", 3}}}, {Counter: 2, Officer: ""}},
	}
	out, err := decodeDay(in.Day, encodeDay(in))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(in)
	b, _ := json.Marshal(out)
	if string(a) != string(b) {
		t.Errorf("got  %s\nwant %s", b, a)
	}
	data := encodeDay(in)
	for n := range len(data) {
		if _, err := decodeDay(in.Day, data[:n]); err == nil {
			t.Errorf("%d of %d bytes decoded without an error", n, len(data))
		}
	}
}
