package receiver

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"motcua/uplinkproto"
)

// ingestSeeds are a unit's sessions, one message a line; an empty line
// ends a batch (one transaction).
var ingestSeeds = []string{
	"{\"type\":\"hello\",\"unit\":\"unit-a\",\"protocol\":1,\"first\":1,\"last\":3}\n" +
		event(1, "") + "\n" + event(2, "") + "\n\n" + event(3, "") + "\n" +
		`{"type":"snapshot","seq":3,"state":` + liveState + `}` + "\n" +
		ticketEvent(4, "ticket.issued", "t1", "A001", "waiting", 0) + "\n" +
		ticketEvent(5, "ticket.called", "t1", "A001", "called", 1),
	"{\"type\":\"hello\",\"unit\":\"unit-a\",\"protocol\":1,\"first\":5,\"last\":6}\n" +
		`{"type":"gap","from":1,"to":4}` + "\n" + event(5, "") + "\n\n" + event(6, ""),
	// Issue 13.3 and 13.5.
	"{\"type\":\"hello\",\"unit\":\"unit-a\",\"protocol\":1,\"first\":1,\"last\":1}\n" +
		`{"type":"snapshot","seq":0,"state":{"seq":0,"services":[null],"counters":[null]}}` + "\n" + event(1, ""),
	"{\"type\":\"hello\",\"unit\":\"unit-a\",\"protocol\":1,\"first\":1,\"last\":5}\n" +
		event(1, "") + "\n" + event(2, "") + "\n" + `{"type":"gap","from":3,"to":4611686018427387904}`,
	"{\"type\":\"hello\",\"unit\":\"unit-a\",\"protocol\":1,\"first\":1,\"last\":9}\n" +
		`{"type":"event","seq":1,"at":"2026-11-26T08:00:00Z","event":"counter.opened","counter":{"id":3,"name":"Q","state":"open","services":["x"],"serving":{"id":"t","status":"called","counter":3}}}` + "\n" +
		`{"type":"snapshot","seq":1,"state":{"seq":1,"services":[{"id":"x","waiting":[{"id":"t9","status":"waiting","service":"x"}]}],"counters":[],"devices":[{"name":"p"}]}}` + "\n" +
		`{"type":"event","seq":2,"at":"2026-11-26T08:00:00Z","event":"day.started","day":"2026-11-27"}` + "\n" +
		`{"type":"result","id":"x","ok":true}`,
	"{\"type\":\"hello\",\"unit\":\"unit-a\",\"protocol\":1,\"first\":0,\"last\":0}\n{\"type\":\"snapshot\",\"seq\":0,\"state\":{}}\nnot json",
	// Issue 15.4: queries beside the events.
	"{\"type\":\"hello\",\"unit\":\"unit-a\",\"protocol\":1,\"first\":1,\"last\":2}\n" +
		`{"type":"query","id":"q1","name":"dossier.status","code":"000.00.12.H56-261203-0001"}` + "\n" + event(1, "") + "\n" +
		`{"type":"query","id":"q2","name":"other.query"}` + "\n" + event(2, ""),
	string(uplinkproto.Hello(unitA, 1, 2)) + "\n" + `{"type":"status","at":"2026-11-26T08:00:00+07:00","version":"1","queue":2,"printer":"error","paper":"out","scanner":"none","displays":"ok","disk_free":1,"clock_synced":false,"config":{"id":"c1","state":"rolled_back","reason":"printer","at":"2026-11-26T08:00:00+07:00"}}` + "\n" + event(1, "") + "\n" + `{"type":"status","at":"x"}`,
	"garbage",
}

// FuzzIngest runs what a unit sends through the receiver's whole message
// path: the hello's checks, the decoder, the store's rules and its
// transactions, the live queue, then a reload from the database. No
// input may panic, store an event it did not acknowledge, acknowledge one
// it did not store or account for as lost, or give a live queue that a
// reload does not give again.
func FuzzIngest(f *testing.F) {
	for _, s := range ingestSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := freshDir(t)
		opts := Options{Dir: dir, Tokens: map[string]string{tokenA: unitA}, Logger: slog.New(slog.DiscardHandler)}
		ctx := context.Background()
		s, err := Open(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		defer func() {
			if s != nil {
				s.Close()
			}
		}()
		lines := bytes.Split(data, []byte("\n"))
		hello, err := checkHello(lines[0], unitA)
		if err != nil {
			return
		}
		c := &conn{s: s, first: hello.First}
		u := s.unit(unitA)
		u.mu.Lock()
		u.conn = c
		u.mu.Unlock()
		var batch []*uplinkproto.Message
		var ack int64
		flush := func() bool {
			if len(batch) == 0 {
				return true
			}
			a, err := s.store(ctx, u, c, batch)
			batch = batch[:0]
			if err != nil {
				return false
			}
			if a < ack {
				t.Fatalf("ack went back from %d to %d", ack, a)
			}
			ack = a
			return true
		}
		for _, line := range lines[1:] {
			if len(line) == 0 {
				if !flush() {
					break
				}
				continue
			}
			m, err := uplinkproto.DecodeClient(line)
			if err != nil || m.Type == uplinkproto.TypeHello {
				break // the connection would end here
			}
			if m.Type == uplinkproto.TypeStatus {
				s.noteStatus(ctx, unitA, m.Status) // as the reader does
				continue
			}
			if m.Type != uplinkproto.TypeResult {
				batch = append(batch, m)
			}
		}
		flush()
		live := s.Units()
		pageTmpl.Execute(io.Discard, live)
		if len(live) != 1 || live[0].Ack != ack {
			t.Fatalf("units %+v, want unit-a at ack %d", live, ack)
		}
		checkStored(t, dir, ack, live[0].Lost)

		u.mu.Lock()
		u.conn = nil
		u.mu.Unlock()
		s.Close()
		s, err = Open(ctx, opts)
		if err != nil {
			t.Fatalf("reload: %v", err)
		}
		again := s.Units()
		pageTmpl.Execute(io.Discard, again)
		if len(again) == 0 && ack == 0 && live[0].State == nil {
			return // nothing was ever committed for the unit
		}
		if len(again) != 1 || again[0].Ack != ack || again[0].Lost != live[0].Lost {
			t.Fatalf("after a reload: %+v, want ack %d and %d lost", again, ack, live[0].Lost)
		}
		a, _ := json.Marshal(live[0].State)
		b, _ := json.Marshal(again[0].State)
		if !bytes.Equal(a, b) {
			t.Fatalf("live queue\n%s\nafter a reload\n%s", a, b)
		}
	})
}

// checkStored asserts that the store holds every seq up to ack, each
// stored once or counted lost in a gap, and nothing after ack.
func checkStored(t *testing.T, dir string, ack, lost int64) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, FileName)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n, maxSeq, gaps int64
	if err := db.QueryRow(`SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM events`).Scan(&n, &maxSeq); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT COALESCE(SUM(to_seq - from_seq + 1), 0) FROM gaps`).Scan(&gaps); err != nil {
		t.Fatal(err)
	}
	if maxSeq > ack || n+gaps != ack || gaps != lost {
		t.Fatalf("stored %d events up to seq %d and %d lost, for ack %d and %d counted lost", n, maxSeq, gaps, ack, lost)
	}
}

// FuzzLoad puts any bytes where the store keeps a unit's snapshot and an
// event: opening the store never fails or panics on them.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(liveState), []byte(ticketEvent(11, "ticket.issued", "t1", "A001", "waiting", 0)), int64(10), int64(11))
	f.Add([]byte(`{"seq":3,"services":[null],"counters":[null]}`), []byte(event(4, "")), int64(3), int64(4))
	f.Add([]byte(`{"services":[{"id":"a","waiting":[null]}]}`), []byte(`{"type":"event","seq":2,"at":"2026-11-26T08:00:00Z","event":"x","ticket":{"id":"t","status":"called","counter":-1}}`), int64(1), int64(2))
	f.Add([]byte("\x00"), []byte("{"), int64(-1), int64(1<<62))
	f.Fuzz(func(t *testing.T, snapshot, ev []byte, snapSeq, seq int64) {
		dir := freshDir(t)
		opts := Options{Dir: dir, Tokens: map[string]string{tokenA: unitA}, Logger: slog.New(slog.DiscardHandler)}
		s, err := Open(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, FileName))
		if err != nil {
			t.Fatal(err)
		}
		_, err1 := db.Exec(`INSERT INTO units(unit, ack, snapshot_seq, snapshot) VALUES (?, ?, ?, ?)`, unitA, max(seq, 0), snapSeq, snapshot)
		_, err2 := db.Exec(`INSERT INTO events(unit, seq, at, name, data) VALUES (?, ?, 'x', 'y', ?)`, unitA, seq, ev)
		db.Close()
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		s, err = Open(context.Background(), opts)
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		defer s.Close()
		units := s.Units()
		pageTmpl.Execute(io.Discard, units)
		if len(units) != 1 || units[0].Ack != max(seq, 0) {
			t.Fatalf("units %+v, want unit-a at ack %d", units, max(seq, 0))
		}
	})
}

// freshDir is a new empty directory: t.TempDir can hand the fuzz
// function of two inputs the same one.
func freshDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "receiver-fuzz-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}
