package receiver

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// The statements of a group commit on PostgreSQL. Each takes the whole
// group as arrays (unnest), so that a transaction of 256 units costs five
// round trips to the database, not four per unit and one per event.
// Their text never changes: the driver (internal/pgsql) prepares each
// once per connection and reuses it.
const (
	// pgNewUnits gives units the store has no row of yet (their ack is
	// 0) one, in unit order like the locks.
	pgNewUnits = `INSERT INTO units(unit, ack) SELECT u, 0 FROM unnest($1::text[]) AS u ON CONFLICT (unit) DO NOTHING`
	// pgLock locks the group's units' rows in unit order, as every
	// receiver does: two transactions never wait for each other in a
	// circle.
	pgLock = `SELECT unit, ack FROM units WHERE unit = ANY($1::text[]) ORDER BY unit FOR UPDATE`
	// pgEvents stores the events. ON CONFLICT keeps exactly-once even if
	// a row past the ack were there: the lock and the ack check already
	// exclude it, so the clause costs nothing in the usual case.
	pgEvents = `INSERT INTO events(unit, seq, at, name, data)
SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bytea[])
ON CONFLICT (unit, seq) DO NOTHING`
	// pgGaps records the losses units reported.
	pgGaps = `INSERT INTO gaps(unit, from_seq, to_seq, noted_at)
SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[])`
	// pgAcks moves the units' acks, and their snapshots where the batch
	// has one (a snapshot seq of -1: none).
	pgAcks = `UPDATE units SET ack = v.ack,
	snapshot_seq = CASE WHEN v.sseq < 0 THEN units.snapshot_seq ELSE v.sseq END,
	snapshot = CASE WHEN v.sseq < 0 THEN units.snapshot ELSE v.snap END
FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bytea[]) AS v(unit, ack, sseq, snap)
WHERE units.unit = v.unit`
)

// commitPG is commit on PostgreSQL; order is the batches' indexes in unit
// order.
func (s *sqlStore) commitPG(ctx context.Context, bs []*batch, order []int, errs []error, fail func(error) []error) []error {
	var fresh, all []string
	for _, i := range order {
		all = append(all, bs[i].unit)
		if bs[i].base == 0 {
			// A unit with an ack above 0 has a row: rows are never
			// deleted.
			fresh = append(fresh, bs[i].unit)
		}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback()
	if len(fresh) > 0 {
		if _, err := tx.ExecContext(ctx, pgNewUnits, fresh); err != nil {
			return fail(err)
		}
	}
	stored, err := lockAcks(ctx, tx, all)
	if err != nil {
		return fail(err)
	}
	var ev struct {
		unit, at, name []string
		seq            []int64
		data           [][]byte
	}
	var gp struct {
		unit, at []string
		from, to []int64
	}
	var up struct {
		unit      []string
		ack, sseq []int64
		snap      [][]byte
	}
	for _, i := range order {
		b := bs[i]
		ack, ok := stored[b.unit]
		if !ok || ack != b.base {
			errs[i] = errStale
			continue
		}
		// A second batch of the unit in one group (a store holds the
		// unit's lock while it commits, so there is none) would be
		// computed on the same base: it is stale.
		delete(stored, b.unit)
		for _, m := range b.events {
			ev.unit = append(ev.unit, b.unit)
			ev.seq = append(ev.seq, m.Seq)
			ev.at = append(ev.at, m.At)
			ev.name = append(ev.name, m.Event)
			ev.data = append(ev.data, m.Raw)
		}
		for _, g := range b.gaps {
			gp.unit = append(gp.unit, b.unit)
			gp.from = append(gp.from, g[0])
			gp.to = append(gp.to, g[1])
			gp.at = append(gp.at, b.at.UTC().Format(time.RFC3339))
		}
		sseq, snap := int64(-1), []byte{}
		if b.snap != nil {
			sseq, snap = b.snap.Seq, []byte(b.snap.State)
		}
		up.unit = append(up.unit, b.unit)
		up.ack = append(up.ack, b.ack)
		up.sseq = append(up.sseq, sseq)
		up.snap = append(up.snap, snap)
	}
	if len(ev.unit) > 0 {
		if _, err := tx.ExecContext(ctx, pgEvents, ev.unit, ev.seq, ev.at, ev.name, ev.data); err != nil {
			return fail(err)
		}
	}
	if len(gp.unit) > 0 {
		if _, err := tx.ExecContext(ctx, pgGaps, gp.unit, gp.from, gp.to, gp.at); err != nil {
			return fail(err)
		}
	}
	if len(up.unit) > 0 {
		if _, err := tx.ExecContext(ctx, pgAcks, up.unit, up.ack, up.sseq, up.snap); err != nil {
			return fail(err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fail(err)
	}
	return errs
}

// lockAcks locks the rows of units (sorted) and returns their stored
// acks.
func lockAcks(ctx context.Context, tx *sql.Tx, units []string) (map[string]int64, error) {
	rows, err := tx.QueryContext(ctx, pgLock, units)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	acks := make(map[string]int64, len(units))
	for rows.Next() {
		var u string
		var a int64
		if err := rows.Scan(&u, &a); err != nil {
			return nil, fmt.Errorf("units row: %w", err)
		}
		acks[u] = a
	}
	return acks, rows.Err()
}
