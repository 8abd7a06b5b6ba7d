package uplinkproto

import (
	"strings"
	"testing"
)

func TestStateChecks(t *testing.T) {
	const ticket = `{"id":"t1","number":"A001","service":"a","status":"waiting","counter":null,"calls":0,"issued_at":"2026-11-26T08:00:00+07:00","called_at":null,"done_at":null,"day":"2026-11-26"}`
	tests := []struct {
		name, state, err string
	}{
		{name: "good", state: `{"seq":5,"day":"2026-11-26","unit":{"id":"u","name":"UBND"},"services":[{"id":"a","name":"Đất đai","prefix":"A","waiting":[` + ticket + `]}],"counters":[{"id":1,"name":"Quầy 1","state":"open","officer":"B","services":["a"],"serving":` + ticket + `,"served_today":3}],"devices":[{"name":"printer","status":"ok","detail":""}]}`},
		{name: "empty", state: `{}`},
		{name: "null service", state: `{"services":[null]}`, err: "a service is null"},
		{name: "service without id", state: `{"services":[{"name":"x"}]}`, err: "service id is empty"},
		{name: "null counter", state: `{"counters":[null]}`, err: "counter is null"},
		{name: "counter id 0", state: `{"counters":[{"id":0}]}`, err: "counter id 0"},
		{name: "counter id too big", state: `{"counters":[{"id":2000000}]}`, err: "counter id 2000000"},
		{name: "null waiting", state: `{"services":[{"id":"a","waiting":[null]}]}`, err: "waiting ticket is null"},
		{name: "null transferred", state: `{"counters":[{"id":1,"waiting":[null]}]}`, err: "counter waiting ticket is null"},
		{name: "ticket without status", state: `{"services":[{"id":"a","waiting":[{"id":"t"}]}]}`, err: "waiting ticket status is empty"},
		{name: "negative served", state: `{"counters":[{"id":1,"served_today":-1}]}`, err: "served_today -1"},
		{name: "bad day", state: `{"day":"hôm nay"}`, err: "not a date"},
		{name: "bad time", state: `{"services":[{"id":"a","waiting":[{"id":"t","status":"waiting","issued_at":"8h"}]}]}`, err: "not a JSON message"},
		{name: "long officer", state: `{"counters":[{"id":1,"officer":"` + strings.Repeat("á", MaxText) + `"}]}`, err: "more than 2048"},
		{name: "device without name", state: `{"devices":[{"status":"ok"}]}`, err: "device name is empty"},
		{name: "trailing value", state: `{}{}`, err: "not a JSON message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := ParseState([]byte(tt.state), 5)
			if tt.err == "" {
				if err != nil || st == nil || st.Seq != 5 {
					t.Fatalf("got %v, %v; want a state at seq 5", st, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("got %v, want an error with %q", err, tt.err)
			}
		})
	}
}

func TestEventChecks(t *testing.T) {
	tests := []struct {
		name, event, err string
	}{
		{name: "good", event: `{"type":"event","seq":3,"at":"2026-11-26T08:00:00.123+07:00","event":"device.status","day":"2026-11-26","device":{"name":"printer","status":"error","detail":"hết giấy"}}`},
		{name: "unknown fields kept out", event: `{"type":"event","seq":3,"at":"2026-11-26T08:00:00Z","event":"appointment.booked","appointment":{"code":"X"},"n":4}`},
		{name: "seq 0", event: `{"type":"event","seq":0,"at":"2026-11-26T08:00:00Z","event":"x"}`, err: "seq 0"},
		{name: "no name", event: `{"type":"event","seq":1,"at":"2026-11-26T08:00:00Z"}`, err: "event is empty"},
		{name: "null ticket is none", event: `{"type":"event","seq":1,"at":"2026-11-26T08:00:00Z","event":"x","ticket":null}`},
		{name: "empty ticket", event: `{"type":"event","seq":1,"at":"2026-11-26T08:00:00Z","event":"x","ticket":{}}`, err: "ticket id is empty"},
		{name: "ticket at counter -1", event: `{"type":"event","seq":1,"at":"2026-11-26T08:00:00Z","event":"x","ticket":{"id":"t","status":"called","counter":-1}}`, err: "ticket counter -1"},
		{name: "counter as a number", event: `{"type":"event","seq":1,"at":"2026-11-26T08:00:00Z","event":"x","counter":3}`, err: "not a JSON message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := ParseEvent([]byte(tt.event))
			if tt.err == "" {
				if err != nil || ev == nil {
					t.Fatalf("got %v, %v; want the event", ev, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("got %v, want an error with %q", err, tt.err)
			}
		})
	}
}

func TestClipKeepsUTF8(t *testing.T) {
	s := clip(strings.Repeat("ế", 30))
	if !strings.HasSuffix(s, "…") || !isUTF8(s) || len(s) > 44 {
		t.Errorf("clip gave %q", s)
	}
}

func isUTF8(s string) bool { return strings.ToValidUTF8(s, "?") == s }
