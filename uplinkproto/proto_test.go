package uplinkproto

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

var seeds = []string{
	`{"type":"hello","unit":"ubnd-kien-xuong","protocol":1,"first":1,"last":40}`,
	`{"type":"hello","unit":"x","protocol":1,"first":0,"last":0}`,
	`{"type":"welcome","ack":17}`,
	`{"type":"ack","seq":41}`,
	`{"type":"gap","from":1,"to":120}`,
	`{"type":"event","seq":41,"at":"2026-11-26T08:01:02+07:00","event":"ticket.called","ticket":{"id":"x"},"counter":{"id":1}}`,
	`{"type":"snapshot","seq":41,"state":{"seq":41,"day":"2026-11-26"}}`,
	`{"type":"snapshot","seq":0,"state":{"seq":0,"services":[null],"counters":[null]}}`,
	`{"type":"snapshot","seq":3,"state":{"services":[{"id":"a","waiting":[{"id":"t","status":"waiting","issued_at":"2026-11-26T08:00:00Z"}]}],"counters":[{"id":1,"serving":null}],"devices":[{"name":"p"}]}}`,
	`{"type":"command","id":"c1","name":"counter.next","counter":3}`,
	`{"type":"command","id":"c2","name":"counter.pause","counter":3,"reason":"họp"}`,
	`{"type":"command","id":"c3","name":"appointment.book","code":"HN-1","service":"dat-dai","date":"2026-12-03","from":"08:00","to":"08:30","citizen":"k"}`,
	`{"type":"command","id":"c4","name":"appointment.cancel","code":"HN-1"}`,
	`{"type":"result","id":"c1","ok":true,"ticket":{"number":"A001"}}`,
	`{"type":"result","id":"c1","ok":false,"error":{"code":"counter_closed","message":"..."}}`,
	`{"type":"query","id":"q1","name":"dossier.status","code":"000.00.12.H56-261203-0001"}`,
	`{"type":"answer","id":"q1","ok":true,"dossier":{"code":"000.00.12.H56-261203-0001","status":"Đang giải quyết","due":"2026-12-10"}}`,
	`{"type":"answer","id":"q1","ok":false,"error":{"code":"no_adapter","message":"..."}}`,
	`{"type":"answer","id":"q1","ok":true,"dossier":{"code":"x","status":"s","due":"10/12/2026"}}`,
	`{"type":"status","at":"2026-11-26T08:01:02+07:00","version":"1.4.0","queue":3,"printer":"error","paper":"out","scanner":"none","displays":"ok","disk_free":1073741824,"clock_synced":true}`,
	`{"type":"welcome","ack":3,"fleet":true}`,
	`{"type":"ack","seq":-1}`,
	`{"type":"welcome","ack":1}{"type":"ack"}`,
	`not json`, ``, `null`, `[]`, `{"type":"ack","seq":1e99}`,
}

func fuzzDecoder(f *testing.F, decode func([]byte) (*Message, error), allowed ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := decode(data)
		if err != nil {
			if !errors.Is(err, ErrProtocol) {
				t.Fatalf("error %v does not wrap ErrProtocol", err)
			}
			if m != nil {
				t.Fatalf("got a message %+v with error %v", m, err)
			}
			return
		}
		ok := false
		for _, a := range allowed {
			ok = ok || m.Type == a
		}
		if !ok {
			t.Fatalf("decoded type %q, want one of %v", m.Type, allowed)
		}
		if !bytes.Equal(m.Raw, data) {
			t.Fatalf("Raw is not the input")
		}
		switch m.Type {
		case TypeAck:
			if m.Seq < 0 {
				t.Fatalf("negative ack %d accepted", m.Seq)
			}
		case TypeWelcome:
			if m.Ack < 0 {
				t.Fatalf("negative welcome ack %d accepted", m.Ack)
			}
		case TypeGap:
			if m.From <= 0 || m.To < m.From {
				t.Fatalf("gap %d..%d accepted", m.From, m.To)
			}
		case TypeEvent:
			if m.Seq <= 0 {
				t.Fatalf("event seq %d accepted", m.Seq)
			}
		case TypeHello:
			if m.First > m.Last || !ValidUnit(m.Unit) {
				t.Fatalf("hello %+v accepted", m)
			}
		case TypeQuery:
			if m.ID == "" || len(m.ID) > MaxID || m.Name == "" || m.Name == QueryDossierStatus && (m.Code == "" || len(m.Code) > MaxDossierCode) {
				t.Fatalf("query %+v accepted", m)
			}
		case TypeAnswer:
			if m.ID == "" || m.OK && (m.Dossier == nil || m.Dossier.Check() != nil) || !m.OK && (m.Error == nil || m.Error.Code == "") {
				t.Fatalf("answer %+v accepted", m)
			}
		}
	})
}

// FuzzDecodeServer fuzzes what a unit reads from a receiver.
func FuzzDecodeServer(f *testing.F) {
	fuzzDecoder(f, DecodeServer, TypeWelcome, TypeAck, TypeCommand, TypeAnswer)
}

// FuzzDecodeClient fuzzes what a receiver reads from a unit.
func FuzzDecodeClient(f *testing.F) {
	fuzzDecoder(f, DecodeClient, TypeHello, TypeEvent, TypeSnapshot, TypeGap, TypeResult, TypeQuery, TypeStatus)
}

func TestDecodeRejects(t *testing.T) {
	tests := []struct {
		name, in string
		server   bool
	}{
		{"garbage", "\x00\xffgarbage", true},
		{"two values", `{"type":"ack","seq":1}{"type":"ack","seq":2}`, true},
		{"client type to client", `{"type":"event","seq":1,"at":"x","event":"y"}`, true},
		{"server type to server", `{"type":"welcome","ack":0}`, false},
		{"negative ack", `{"type":"ack","seq":-5}`, true},
		{"bad unit", `{"type":"hello","unit":"Bad Unit","protocol":1,"first":1,"last":2}`, false},
		{"protocol 2", `{"type":"hello","unit":"u","protocol":2,"first":1,"last":2}`, false},
		{"reversed gap", `{"type":"gap","from":9,"to":3}`, false},
		{"command without id", `{"type":"command","name":"counter.next","counter":1}`, true},
		{"booking without code", `{"type":"command","id":"c","name":"appointment.book","service":"dat-dai"}`, true},
		{"booking with a seq for from", `{"type":"command","id":"c","name":"appointment.book","code":"A","from":3}`, true},
		{"failed result without error", `{"type":"result","id":"a","ok":false}`, false},
		{"query to a unit", `{"type":"query","id":"q","name":"dossier.status","code":"x"}`, true},
		{"answer to a receiver", `{"type":"answer","id":"q","ok":false,"error":{"code":"x"}}`, false},
		{"query without id", `{"type":"query","name":"dossier.status","code":"x"}`, false},
		{"status query without code", `{"type":"query","id":"q","name":"dossier.status"}`, false},
		{"status query with a long code", `{"type":"query","id":"q","name":"dossier.status","code":"` + strings.Repeat("0", 65) + `"}`, false},
		{"answer ok without dossier", `{"type":"answer","id":"q","ok":true}`, true},
		{"answer with a bad due date", `{"type":"answer","id":"q","ok":true,"dossier":{"code":"x","status":"s","due":"10/12/2026"}}`, true},
		{"answer without status", `{"type":"answer","id":"q","ok":true,"dossier":{"code":"x","status":""}}`, true},
		{"failed answer without error code", `{"type":"answer","id":"q","ok":false,"error":{"message":"m"}}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dec := DecodeClient
			if tt.server {
				dec = DecodeServer
			}
			if m, err := dec([]byte(tt.in)); err == nil || !errors.Is(err, ErrProtocol) {
				t.Errorf("got %+v, %v; want a protocol error", m, err)
			}
		})
	}
	big := bytes.Repeat([]byte(" "), MaxMessage+1)
	if _, err := DecodeServer(big); !errors.Is(err, ErrProtocol) {
		t.Errorf("huge message: got %v, want a protocol error", err)
	}
}

// TestQueryRoundTrip encodes a dossier.status query and its answers and
// decodes them on the other side.
func TestQueryRoundTrip(t *testing.T) {
	const code = "000.00.12.H56-261203-0001"
	q, err := DecodeClient(Query("q-7", QueryDossierStatus, code))
	if err != nil {
		t.Fatal(err)
	}
	if q.Type != TypeQuery || q.ID != "q-7" || q.Name != QueryDossierStatus || q.Code != code {
		t.Errorf("query: got %+v", q)
	}
	want := Dossier{Code: code, Status: "Đã có kết quả", Due: "2026-12-10"}
	a, err := DecodeServer(Answer("q-7", &want, nil))
	if err != nil {
		t.Fatal(err)
	}
	if a.Type != TypeAnswer || a.ID != "q-7" || !a.OK || a.Dossier == nil || *a.Dossier != want {
		t.Errorf("answer: got %+v, want dossier %+v", a, want)
	}
	f, err := DecodeServer(Answer("q-8", nil, &ResultError{Code: "no_adapter", Message: "m"}))
	if err != nil {
		t.Fatal(err)
	}
	if f.OK || f.Error == nil || f.Error.Code != "no_adapter" || f.Dossier != nil {
		t.Errorf("failed answer: got %+v", f)
	}
}
