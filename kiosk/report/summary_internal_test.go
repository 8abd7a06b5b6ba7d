package report

import (
	"encoding/hex"
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
			{Issued: 1_790_000_000_000, Outcome: endDone, Transfers: 1, Rating: 2,
				Visits: []visit{
					{Service: "b", NewService: true, Called: true, WaitMS: 240_000, ServiceMS: 60_000, EndKind: endTransferred, Counter: 2, Officer: "Bình", Recalls: 1},
					{Service: "a", NewService: true, Called: true, WaitMS: 100_000, ServiceMS: 80_000, EndKind: endDone, Counter: 1, Officer: "An", Rating: 2},
				}},
			{Issued: 1_790_000_100_000, Visits: []visit{{Service: "a", NewService: true}}},
			{Issued: 1_790_000_100_000, Outcome: endNoShow, Visits: []visit{{Service: "a", Called: true, EndKind: endNoShow, Counter: 1, Officer: "An"}}},
		},
		Counters: []counterTime{{Counter: 1, Officer: "An", Idle: 5, Busy: 7, Paused: []reasonTime{{"họp", 600}, {"", 3}}}, {Counter: 2, Officer: ""}},
	}
	data := encodeDay(in)
	out, err := decodeDay(in.Day, cacheVersion, data)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(in)
	b, _ := json.Marshal(out)
	if string(a) != string(b) {
		t.Errorf("got  %s\nwant %s", b, a)
	}
	for n := range len(data) {
		if _, err := decodeDay(in.Day, cacheVersion, data[:n]); err == nil {
			t.Errorf("%d of %d bytes decoded without an error", n, len(data))
		}
	}
}

// v2Day is a summary as cache version 2 stored it (event times), written
// by that version's encodeDay: ticket 1 issued at 0 s, called at 240 s,
// transferred at 300 s, called again at 400 s, done at 480 s; ticket 2
// never called; ticket 3 issued at 100 s, "called" at 99 s (a clock set
// back), done at 160 s.
const v2Day = "0601620542c3ac6e68016102416e000568e1bb8d7014c6010380b083c5986881a61d81cc3a0101020200010181a61dc1cf2403040101000201c1cf2481ea3081cc3a0102030002c0ca8fc5986800000000000102010100000000040000c0ca8fc59868d00fc1a90701000001020001d00fc1a90701020300000202030a0e0205b00904060404000000"

// TestDecodeVersion2 reads a summary of the previous cache version (kept
// for days the log no longer holds) as durations of its times, never
// negative.
func TestDecodeVersion2(t *testing.T) {
	data, err := hex.DecodeString(v2Day)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeDay("2026-11-23", 2, data)
	if err != nil {
		t.Fatal(err)
	}
	want := &daySummary{Day: "2026-11-23", FirstSeq: 10, LastSeq: 99,
		Tickets: []ticketSum{
			{Issued: 1_790_000_000_000, Outcome: endDone, Transfers: 1, Rating: 2,
				Visits: []visit{
					{Service: "b", NewService: true, Called: true, WaitMS: 240_000, ServiceMS: 60_000, EndKind: endTransferred, Counter: 2, Officer: "Bình", Recalls: 1},
					{Service: "a", NewService: true, Called: true, WaitMS: 100_000, ServiceMS: 80_000, EndKind: endDone, Counter: 1, Officer: "An", Rating: 2},
				}},
			{Issued: 1_790_000_100_000, Visits: []visit{{Service: "a", NewService: true}}},
			{Issued: 1_790_000_100_000, Outcome: endDone, Visits: []visit{{Service: "a", Called: true, WaitMS: 0, ServiceMS: 61_000, EndKind: endDone, Counter: 1, Officer: "An"}}},
		},
		Counters: []counterTime{{Counter: 1, Officer: "An", Idle: 5, Busy: 7, Paused: []reasonTime{{"họp", 600}, {"", 3}}}, {Counter: 2, Officer: ""}},
	}
	a, _ := json.Marshal(want)
	b, _ := json.Marshal(got)
	if string(a) != string(b) {
		t.Errorf("got  %s\nwant %s", b, a)
	}
	if _, err := decodeDay("2026-11-23", cacheVersion, data); err == nil {
		t.Error("a version 2 summary decoded as the current version without an error")
	}
}

// FuzzDurationFields checks the scan of wait_ms and service_ms against
// encoding/json, on events as the engine marshals them.
func FuzzDurationFields(f *testing.F) {
	f.Add("Nguyễn Văn \"A\"", `"wait_ms":5,`, int64(120_000), int64(0), true)
	f.Add(`"service_ms":7}`, "", int64(0), int64(1), false)
	f.Fuzz(func(t *testing.T, officer, reason string, wait, service int64, unsynced bool) {
		wait, service = max(wait, 0)%1e12, max(service, 0)%1e12
		c := 3
		ticket := &queue.Ticket{ID: "20261126-A001", Number: "A001", Service: reason, Status: queue.Called, Counter: &c,
			Officer: officer, IssuedAt: time.Unix(0, 0)}
		counter := &queue.Counter{ID: 3, Name: reason, Officer: officer, Reason: reason, Services: []string{reason}, Serving: ticket}
		for _, ev := range []queue.Event{
			{Type: "event", Name: queue.TicketCalled, Ticket: ticket, Counter: counter, Unsynced: unsynced, WaitMS: wait},
			{Type: "event", Name: queue.TicketDone, Ticket: ticket, Counter: counter, Reason: reason, Unsynced: unsynced, ServiceMS: service},
		} {
			data, err := json.Marshal(ev)
			if err != nil {
				t.Fatal(err)
			}
			var back queue.Event
			if err := json.Unmarshal(data, &back); err != nil {
				t.Fatal(err)
			}
			if got := msField(data, `"wait_ms":`); got != back.WaitMS {
				t.Errorf("wait_ms of %s: got %d, want %d", data, got, back.WaitMS)
			}
			if got := msField(data, `"service_ms":`); got != back.ServiceMS {
				t.Errorf("service_ms of %s: got %d, want %d", data, got, back.ServiceMS)
			}
		}
	})
}

// TestDurationSources follows one ticket through the summariser with and
// without the engine's monotonic figures, with event times that lie.
func TestDurationSources(t *testing.T) {
	const m = 60_000 // a minute in ms
	type ev struct {
		at   int64 // event time, minutes
		name string
		ms   int64 // wait_ms or service_ms
	}
	tests := []struct {
		name   string
		evs    []ev
		visits []visit // Called, WaitMS, ServiceMS and EndKind only
	}{
		{"monotonic", []ev{{0, queue.TicketIssued, 0}, {5, queue.TicketCalled, 4 * m}, {9, queue.TicketDone, 3 * m}},
			[]visit{{Called: true, WaitMS: 4 * m, ServiceMS: 3 * m, EndKind: endDone}}},
		{"event times", []ev{{0, queue.TicketIssued, 0}, {5, queue.TicketCalled, 0}, {9, queue.TicketDone, 0}},
			[]visit{{Called: true, WaitMS: 5 * m, ServiceMS: 4 * m, EndKind: endDone}}},
		{"event times going back: 0", []ev{{10, queue.TicketIssued, 0}, {5, queue.TicketCalled, 0}, {2, queue.TicketDone, 0}},
			[]visit{{Called: true, WaitMS: 0, ServiceMS: 0, EndKind: endDone}}},
		{"no-show has no service", []ev{{0, queue.TicketIssued, 0}, {5, queue.TicketCalled, 5 * m}, {6, queue.TicketRecalled, 0}, {9, queue.TicketNoShow, 0}},
			[]visit{{Called: true, WaitMS: 5 * m, EndKind: endNoShow}}},
		// wait_ms of the second call counts from the issue: 20 min
		// from one call to the next, 3 of them before the transfer.
		{"transfer, monotonic", []ev{{0, queue.TicketIssued, 0}, {5, queue.TicketCalled, 5 * m}, {8, queue.TicketTransferred, 0},
			{145, queue.TicketCalled, 25 * m}, {150, queue.TicketDone, 6 * m}},
			[]visit{{Called: true, WaitMS: 5 * m, ServiceMS: 3 * m, EndKind: endTransferred}, {Called: true, WaitMS: 17 * m, ServiceMS: 6 * m, EndKind: endDone}}},
		// The clock stepped 2 h between the call and the transfer: the
		// split is off, but both parts stay within the 20 min.
		{"transfer, step before it", []ev{{0, queue.TicketIssued, 0}, {5, queue.TicketCalled, 5 * m}, {128, queue.TicketTransferred, 0},
			{145, queue.TicketCalled, 25 * m}, {150, queue.TicketDone, 6 * m}},
			[]visit{{Called: true, WaitMS: 5 * m, ServiceMS: 20 * m, EndKind: endTransferred}, {Called: true, WaitMS: 0, ServiceMS: 6 * m, EndKind: endDone}}},
		// A restart between the calls: the second has no wait_ms.
		{"transfer, event times", []ev{{0, queue.TicketIssued, 0}, {5, queue.TicketCalled, 5 * m}, {8, queue.TicketTransferred, 0},
			{30, queue.TicketCalled, 0}, {36, queue.TicketDone, 0}},
			[]visit{{Called: true, WaitMS: 5 * m, ServiceMS: 3 * m, EndKind: endTransferred}, {Called: true, WaitMS: 22 * m, ServiceMS: 6 * m, EndKind: endDone}}},
		{"transfer, first call without wait_ms", []ev{{0, queue.TicketIssued, 0}, {5, queue.TicketCalled, 0}, {8, queue.TicketTransferred, 0},
			{30, queue.TicketCalled, 30 * m}, {36, queue.TicketDone, 6 * m}},
			[]visit{{Called: true, WaitMS: 5 * m, ServiceMS: 3 * m, EndKind: endTransferred}, {Called: true, WaitMS: 22 * m, ServiceMS: 6 * m, EndKind: endDone}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSummariser("2026-11-25")
			for i, e := range tc.evs {
				if err := s.event(int64(i+1), 1_790_000_000_000+e.at*m, e.name, "T1", 1, "a", "", e.ms); err != nil {
					t.Fatal(err)
				}
			}
			sum := s.finish(1_790_000_000_000 + 200*m)
			var got []visit
			for _, v := range sum.Tickets[0].Visits {
				got = append(got, visit{Called: v.Called, WaitMS: v.WaitMS, ServiceMS: v.ServiceMS, EndKind: v.EndKind})
			}
			if len(got) != len(tc.visits) {
				t.Fatalf("got %d visits, want %d", len(got), len(tc.visits))
			}
			for i := range got {
				if got[i] != tc.visits[i] {
					t.Errorf("visit %d: got %+v, want %+v", i+1, got[i], tc.visits[i])
				}
			}
		})
	}
}
