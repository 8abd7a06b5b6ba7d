package receiver

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkExportRatings exports the ratings per dossier from a store of
// 50,000 events (50 units × 1,000 over 10 days, one in ten a rating with
// a dossier): one day (500 rows) and the ten days (5,000 rows). It runs
// on SQLite, then on PostgreSQL in the second pass.
//
//	go test -run '^$' -bench ExportRatings -benchtime 20x ./receiver/
func BenchmarkExportRatings(b *testing.B) {
	ctx := context.Background()
	url := "sqlite:" + b.TempDir()
	if pg != nil {
		var err error
		if url, err = pg.NewSchema(); err != nil {
			b.Fatal(err)
		}
	}
	s, err := Open(ctx, Options{Store: url})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	tx, err := s.st.db.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	ins, err := tx.PrepareContext(ctx, s.st.q(`INSERT INTO events(unit, seq, at, name, data) VALUES (?, ?, ?, ?, ?)`))
	if err != nil {
		b.Fatal(err)
	}
	for u := range 50 {
		unit := fmt.Sprintf("xa-%02d", u)
		for seq := int64(1); seq <= 1000; seq++ {
			at := fmt.Sprintf("2026-11-%02dT%02d:%02d:00+07:00", 11+(seq-1)/100, 7+seq%100/10, seq%60)
			name, data := "ticket.issued", event(seq, "")
			if seq%10 == 0 {
				name = "ticket.rated"
				data = rated(seq, at, fmt.Sprintf("t%d", seq), "A001", "Phạm Thị D", 1, 4,
					[]string{fmt.Sprintf("000.00.12.H56-261126-%04d", seq)}, `[{"question":"Thái độ","score":4}]`, ``)
			}
			if _, err := ins.ExecContext(ctx, unit, seq, at, name, []byte(data)); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	for _, p := range []struct {
		name, from, to string
		rows           int
	}{
		{"one-day", "2026-11-12", "2026-11-12", 500},
		{"ten-days", "2026-11-11", "2026-11-20", 5000},
	} {
		b.Run(p.name, func(b *testing.B) {
			for b.Loop() {
				n := 0
				if err := s.ExportRatings(ctx, p.from, p.to, "", func(RatingRow) error { n++; return nil }); err != nil {
					b.Fatal(err)
				}
				if n != p.rows {
					b.Fatalf("%d rows, want %d", n, p.rows)
				}
			}
			b.ReportMetric(float64(p.rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
