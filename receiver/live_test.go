package receiver

import (
	"encoding/json"
	"strings"
	"testing"

	"motcua/uplinkproto"
)

// liveState is a state of two services and two counters, as a snapshot
// at seq 10 carries it.
const liveState = `{"seq":10,"day":"2026-11-26","unit":{"id":"unit-a","name":"UBND"},
 "services":[{"id":"dat-dai","name":"Đất đai","prefix":"A","waiting":[]},{"id":"ho-tich","name":"Hộ tịch","prefix":"B","waiting":[]}],
 "counters":[{"id":1,"name":"Quầy 1","state":"open","officer":"Nguyễn Văn A","services":["dat-dai"],"serving":null,"served_today":0},
             {"id":2,"name":"Quầy 2","state":"closed","officer":"","services":["ho-tich"],"serving":null,"served_today":0}],
 "devices":[{"name":"printer","status":"ok","detail":""}]}`

func parseEvent(t *testing.T, s string) *uplinkproto.Event {
	t.Helper()
	ev, err := uplinkproto.ParseEvent([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// waiting lists each service's waiting numbers, "A001 A002|B001".
func waiting(st *uplinkproto.State) string {
	var parts []string
	for _, s := range st.Services {
		var n []string
		for _, w := range s.Waiting {
			n = append(n, w.Number)
		}
		parts = append(parts, strings.Join(n, " "))
	}
	return strings.Join(parts, "|")
}

func serving(st *uplinkproto.State) string {
	var parts []string
	for _, c := range st.Counters {
		n := "-"
		if c.Serving != nil {
			n = c.Serving.Number
		}
		parts = append(parts, c.State+":"+n)
	}
	return strings.Join(parts, " ")
}

func TestApply(t *testing.T) {
	tests := []struct {
		name             string
		events           []string
		waiting, serving string
		seq              int64
	}{
		{name: "issued", events: []string{
			ticketEvent(11, "ticket.issued", "t1", "A001", "waiting", 0),
			ticketEvent(12, "ticket.issued", "t2", "B001", "waiting", 0),
			ticketEvent(13, "ticket.issued", "t3", "A002", "waiting", 0),
		}, waiting: "A001 A002|B001", serving: "open:- closed:-", seq: 13},
		{name: "called leaves the queue for its counter", events: []string{
			ticketEvent(11, "ticket.issued", "t1", "A001", "waiting", 0),
			ticketEvent(12, "ticket.issued", "t2", "A002", "waiting", 0),
			ticketEvent(13, "ticket.called", "t1", "A001", "called", 1),
		}, waiting: "A002|", serving: "open:A001 closed:-", seq: 13},
		{name: "done frees the counter", events: []string{
			ticketEvent(11, "ticket.issued", "t1", "A001", "waiting", 0),
			ticketEvent(12, "ticket.called", "t1", "A001", "called", 1),
			ticketEvent(13, "ticket.done", "t1", "A001", "done", 1),
		}, waiting: "|", serving: "open:- closed:-", seq: 13},
		{name: "old events are ignored", events: []string{
			ticketEvent(9, "ticket.issued", "t0", "A000", "waiting", 0),
			ticketEvent(10, "ticket.issued", "t0", "A000", "waiting", 0),
		}, waiting: "|", serving: "open:- closed:-", seq: 10},
		{name: "counter replaced, new counter added", events: []string{
			`{"type":"event","seq":11,"at":"2026-11-26T08:00:00+07:00","event":"counter.opened","day":"2026-11-26","counter":{"id":2,"name":"Quầy 2","state":"open","officer":"B","services":["ho-tich"],"serving":null,"served_today":0}}`,
			`{"type":"event","seq":12,"at":"2026-11-26T08:00:00+07:00","event":"counter.opened","day":"2026-11-26","counter":{"id":7,"name":"Quầy 7","state":"paused","officer":"C","services":[],"serving":null,"served_today":0}}`,
		}, waiting: "|", serving: "open:- open:- paused:-", seq: 12},
		{name: "a new day empties the queue", events: []string{
			ticketEvent(11, "ticket.issued", "t1", "A001", "waiting", 0),
			ticketEvent(12, "ticket.called", "t1", "A001", "called", 1),
			`{"type":"event","seq":13,"at":"2026-11-27T07:00:00+07:00","event":"day.started","day":"2026-11-27"}`,
		}, waiting: "|", serving: "closed:- closed:-", seq: 13},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := uplinkproto.ParseState([]byte(liveState), 10)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tt.events {
				apply(st, parseEvent(t, s))
			}
			if got := waiting(st); got != tt.waiting {
				t.Errorf("waiting: got %q, want %q", got, tt.waiting)
			}
			if got := serving(st); got != tt.serving {
				t.Errorf("counters: got %q, want %q", got, tt.serving)
			}
			if st.Seq != tt.seq {
				t.Errorf("seq: got %d, want %d", st.Seq, tt.seq)
			}
		})
	}
}

func TestApplyDevices(t *testing.T) {
	st, err := uplinkproto.ParseState([]byte(liveState), 10)
	if err != nil {
		t.Fatal(err)
	}
	apply(st, parseEvent(t, `{"type":"event","seq":11,"at":"2026-11-26T08:00:00+07:00","event":"device.status","day":"2026-11-26","device":{"name":"printer","status":"error","detail":"paper out"}}`))
	apply(st, parseEvent(t, `{"type":"event","seq":12,"at":"2026-11-26T08:00:00+07:00","event":"device.status","day":"2026-11-26","device":{"name":"uplink","status":"ok","detail":"connected"}}`))
	b, _ := json.Marshal(st.Devices)
	if want := `[{"name":"printer","status":"error","detail":"paper out"},{"name":"uplink","status":"ok","detail":"connected"}]`; string(b) != want {
		t.Errorf("devices: got %s, want %s", b, want)
	}
}

// A unit cannot grow its live queue without end with new ids.
func TestApplyBounded(t *testing.T) {
	st, err := uplinkproto.ParseState([]byte(liveState), 10)
	if err != nil {
		t.Fatal(err)
	}
	for i := range int64(maxLive + 50) {
		apply(st, &uplinkproto.Event{Seq: 11 + i, Name: "device.status", Device: &uplinkproto.Device{Name: "d" + string(rune('a'+i%26)) + strings.Repeat("x", int(i%7)) + string(rune(i))}})
		apply(st, &uplinkproto.Event{Seq: 11 + i, Name: "counter.opened", Counter: &uplinkproto.Counter{ID: 100 + int(i)}})
	}
	if len(st.Devices) > maxLive || len(st.Counters) > maxLive {
		t.Errorf("got %d devices and %d counters, want at most %d each", len(st.Devices), len(st.Counters), maxLive)
	}
}
