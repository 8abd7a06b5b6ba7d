package receiver

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"motcua/uplinkproto"
)

// commitRowByRow is the PostgreSQL commit path before commitPG: per
// unit an insert, a locking select and an update, and one insert per
// event, each a round trip. BenchmarkCommitPG compares the two.
func (s *sqlStore) commitRowByRow(ctx context.Context, bs []*batch) error {
	order := make([]int, len(bs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(bs[a].unit, bs[b].unit) })
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	insert, err := tx.PrepareContext(ctx, `INSERT INTO events(unit, seq, at, name, data) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (unit, seq) DO NOTHING`)
	if err != nil {
		return err
	}
	defer insert.Close()
	for _, i := range order {
		b := bs[i]
		if _, err := tx.ExecContext(ctx, `INSERT INTO units(unit, ack) VALUES ($1, 0) ON CONFLICT (unit) DO NOTHING`, b.unit); err != nil {
			return err
		}
		var stored int64
		if err := tx.QueryRowContext(ctx, `SELECT ack FROM units WHERE unit = $1 FOR UPDATE`, b.unit).Scan(&stored); err != nil {
			return err
		}
		if stored != b.base {
			return errStale
		}
		for _, m := range b.events {
			if _, err := insert.ExecContext(ctx, b.unit, m.Seq, m.At, m.Event, m.Raw); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE units SET ack = $1 WHERE unit = $2`, b.ack, b.unit); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// benchEvent is a ~600-byte ticket.issued event as the load test sends.
func benchEvent(seq int64) *uplinkproto.Message {
	raw := fmt.Appendf(nil, `{"type":"event","seq":%d,"at":"2026-11-26T07:30:%02d+07:00","event":"ticket.issued","day":"2026-11-26","ticket":{"id":"20261126-A%03d","number":"A%03d","service":"dat-dai","priority":false,"status":"waiting","counter":null,"calls":0,"issued_at":"2026-11-26T07:30:00+07:00","called_at":null,"done_at":null,"ahead":3,"estimated_wait_s":180,"day":"2026-11-26","public":"abcdefghijklmnopqrstuvwxyz"}}`,
		seq, seq%60, seq%1000, seq%1000)
	return &uplinkproto.Message{Type: uplinkproto.TypeEvent, Seq: seq, At: "2026-11-26T07:30:00+07:00", Event: "ticket.issued", Raw: raw}
}

// BenchmarkCommitPG stores groups of batches on PostgreSQL, the old way
// (row by row) and the new (commitPG), at the shapes the receiver
// commits: the steady trickle (256 units, one event each), a burst (32
// units, 16 events each) and a catch-up (4 units, 512 events each).
//
//	go test -run '^$' -bench CommitPG ./receiver/
func BenchmarkCommitPG(b *testing.B) {
	if pg == nil {
		b.Skip("runs in the PostgreSQL pass")
	}
	shapes := []struct {
		name          string
		units, events int
	}{
		{"steady-256x1", 256, 1},
		{"burst-32x16", 32, 16},
		{"catchup-4x512", 4, 512},
	}
	ctx := context.Background()
	for _, sh := range shapes {
		for _, way := range []string{"old", "new"} {
			b.Run(sh.name+"/"+way, func(b *testing.B) {
				url, err := pg.NewSchema()
				if err != nil {
					b.Fatal(err)
				}
				st, err := openPostgres(ctx, url)
				if err != nil {
					b.Fatal(err)
				}
				defer st.close()
				acks := make([]int64, sh.units)
				at := time.Date(2026, 11, 26, 0, 30, 0, 0, time.UTC)
				b.ResetTimer()
				for b.Loop() {
					bs := make([]*batch, sh.units)
					for u := range bs {
						bt := &batch{unit: fmt.Sprintf("xa-%04d", u), base: acks[u], ack: acks[u], at: at}
						for range sh.events {
							bt.ack++
							bt.events = append(bt.events, benchEvent(bt.ack))
						}
						bs[u] = bt
					}
					if way == "old" {
						if err := st.commitRowByRow(ctx, bs); err != nil {
							b.Fatal(err)
						}
					} else {
						for _, err := range st.commit(ctx, bs) {
							if err != nil {
								b.Fatal(err)
							}
						}
					}
					for u, bt := range bs {
						acks[u] = bt.ack
					}
				}
				b.ReportMetric(float64(b.N*sh.units*sh.events)/b.Elapsed().Seconds(), "events/s")
			})
		}
	}
}

// The group commit on PostgreSQL stores each batch on its base only: a
// stale one stores nothing while the others of its group are stored, and
// a snapshot-only batch keeps the events.
func TestCommitPGGroup(t *testing.T) {
	if pg == nil {
		t.Skip("runs in the PostgreSQL pass")
	}
	ctx := context.Background()
	url, err := pg.NewSchema()
	if err != nil {
		t.Fatal(err)
	}
	st, err := openPostgres(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.close()
	at := time.Date(2026, 11, 26, 0, 30, 0, 0, time.UTC)
	mk := func(unit string, base, n int64) *batch {
		bt := &batch{unit: unit, base: base, ack: base, at: at}
		for range n {
			bt.ack++
			bt.events = append(bt.events, benchEvent(bt.ack))
		}
		return bt
	}
	if errs := st.commit(ctx, []*batch{mk("u-b", 0, 3), mk("u-a", 0, 2)}); errs[0] != nil || errs[1] != nil {
		t.Fatalf("first group: %v", errs)
	}
	stale := mk("u-a", 0, 4) // computed on 0, but u-a is at 2
	gap := &batch{unit: "u-b", base: 3, ack: 9, at: at, gaps: [][2]int64{{4, 9}}}
	snap := &batch{unit: "u-c", base: 0, ack: 0, at: at, snap: &uplinkproto.Message{Seq: 0, State: []byte(`{"seq":0}`)}}
	errs := st.commit(ctx, []*batch{stale, gap, snap})
	if errs[0] != errStale || errs[1] != nil || errs[2] != nil {
		t.Fatalf("second group: got %v, want [stale nil nil]", errs)
	}
	acks, err := st.acks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int64{"u-a": 2, "u-b": 9, "u-c": 0}; fmt.Sprint(acks) != fmt.Sprint(want) {
		t.Errorf("acks: got %v, want %v", acks, want)
	}
	rep := &loadReport{}
	evs, err := st.events(ctx, "u-a", 0, 10, rep)
	if err != nil || len(evs) != 2 || rep.count != 0 {
		t.Errorf("u-a's events: got %d (%v, %d problems), want 2", len(evs), err, rep.count)
	}
	var lost, snapSeq int64
	var snapshot []byte
	if err := st.db.QueryRow(`SELECT COALESCE(SUM(to_seq - from_seq + 1), 0) FROM gaps WHERE unit = 'u-b'`).Scan(&lost); err != nil || lost != 6 {
		t.Errorf("u-b's gaps: got %d lost (%v), want 6", lost, err)
	}
	if err := st.db.QueryRow(`SELECT snapshot_seq, snapshot FROM units WHERE unit = 'u-c'`).Scan(&snapSeq, &snapshot); err != nil || string(snapshot) != `{"seq":0}` {
		t.Errorf("u-c's snapshot: got %d %q (%v)", snapSeq, snapshot, err)
	}
	// A later batch without a snapshot keeps the stored one.
	if errs := st.commit(ctx, []*batch{mk("u-c", 0, 1)}); errs[0] != nil {
		t.Fatal(errs[0])
	}
	if err := st.db.QueryRow(`SELECT snapshot FROM units WHERE unit = 'u-c'`).Scan(&snapshot); err != nil || string(snapshot) != `{"seq":0}` {
		t.Errorf("u-c's snapshot after an event: got %q (%v), want it kept", snapshot, err)
	}
}
