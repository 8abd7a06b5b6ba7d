package receiver

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"motcua/uplinkproto"
)

// The fleet's tables, the same in SQLite and PostgreSQL: each unit's
// newest status with when a receiver last heard of the unit and whether
// one holds its connection, and the alerts raised and not yet cleared.
// They are in the store, not in a receiver's memory, so that every
// receiver on one PostgreSQL shows the same fleet and an alert is raised
// and cleared once, by whichever receiver's insert or delete wins.
const fleetSchema = `
CREATE TABLE IF NOT EXISTS fleet_status (
	unit     TEXT PRIMARY KEY,
	data     TEXT NOT NULL,
	seen_at  TEXT NOT NULL,
	online   INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS fleet_alerts (
	unit       TEXT NOT NULL,
	kind       TEXT NOT NULL,
	since      TEXT NOT NULL,
	raised_at  TEXT NOT NULL,
	PRIMARY KEY (unit, kind)
);
`

// fleetSchemaLock is the advisory lock that makes receivers starting at
// once on one PostgreSQL create the fleet's tables once.
const fleetSchemaLock = 7260017

// createFleet creates the fleet's tables.
func (s *sqlStore) createFleet(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("receiver: %s: %w", s.name, err)
	}
	defer tx.Rollback()
	if s.pg {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, fleetSchemaLock); err != nil {
			return fmt.Errorf("receiver: %s: %w", s.name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, fleetSchema+enrolSchema); err != nil {
		return fmt.Errorf("receiver: %s: creating the fleet's tables: %w", s.name, err)
	}
	return tx.Commit()
}

// fleetRecord is what the store keeps of a unit's status: the newest
// status and the receiver's own view of how long its conditions last
// (the unit's clock may be wrong; the receiver's is the one the
// thresholds run on).
type fleetRecord struct {
	Status     uplinkproto.UnitStatus `json:"status"`
	ReceivedAt time.Time              `json:"received_at"`
	// PaperOutSince and UnsyncedSince are when the receiver first got a
	// status with the paper out, or the clock unsynced, in a row; nil
	// when the newest status says otherwise.
	PaperOutSince *time.Time `json:"paper_out_since,omitempty"`
	UnsyncedSince *time.Time `json:"unsynced_since,omitempty"`
	// LastEvent is the time of the unit's newest event stored when the
	// status came, for receivers that do not hold the unit.
	LastEvent string `json:"last_event_at,omitempty"`
}

// fleetRow is a unit's row of fleet_status.
type fleetRow struct {
	unit   string
	rec    fleetRecord
	seenAt time.Time
	online bool
}

func timeText(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// fleetGet reads a unit's record; ok is false when it has none.
func (s *sqlStore) fleetGet(ctx context.Context, unit string) (rec fleetRecord, ok bool, err error) {
	var data string
	err = s.db.QueryRowContext(ctx, s.q(`SELECT data FROM fleet_status WHERE unit = ?`), unit).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return fleetRecord{}, false, nil
	}
	if err != nil {
		return fleetRecord{}, false, fmt.Errorf("receiver: %s: %w", s.name, err)
	}
	if err := json.Unmarshal([]byte(data), &rec); err != nil {
		// A row this version cannot read: the new status replaces it.
		return fleetRecord{}, false, nil
	}
	return rec, true, nil
}

// fleetPut stores a unit's record, heard of at seen, online.
func (s *sqlStore) fleetPut(ctx context.Context, unit string, rec fleetRecord, seen time.Time) error {
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, s.q(`INSERT INTO fleet_status(unit, data, seen_at, online) VALUES (?, ?, ?, 1)
		ON CONFLICT (unit) DO UPDATE SET data = excluded.data, seen_at = excluded.seen_at, online = 1`), unit, string(data), timeText(seen))
	if err != nil {
		return fmt.Errorf("receiver: %s: %w", s.name, err)
	}
	return nil
}

// fleetLeft notes that a unit's connection ended at t.
func (s *sqlStore) fleetLeft(ctx context.Context, unit string, t time.Time) error {
	if _, err := s.db.ExecContext(ctx, s.q(`UPDATE fleet_status SET online = 0, seen_at = ? WHERE unit = ?`), timeText(t), unit); err != nil {
		return fmt.Errorf("receiver: %s: %w", s.name, err)
	}
	return nil
}

// fleetRows reads every unit's row. Rows this version cannot read are
// skipped.
func (s *sqlStore) fleetRows(ctx context.Context) ([]fleetRow, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT unit, data, seen_at, online FROM fleet_status`)
	if err != nil {
		return nil, fmt.Errorf("receiver: %s: %w", s.name, err)
	}
	defer rows.Close()
	var out []fleetRow
	for rows.Next() {
		var r fleetRow
		var data, seen string
		var online int64
		if err := rows.Scan(&r.unit, &data, &seen, &online); err != nil {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, seen)
		if err != nil || json.Unmarshal([]byte(data), &r.rec) != nil {
			continue
		}
		r.seenAt, r.online = t, online != 0
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("receiver: %s: %w", s.name, err)
	}
	return out, nil
}

// alertKey names one alert of one unit.
type alertKey struct{ unit, kind string }

// activeAlerts reads the alerts raised and not cleared, with the time
// their condition began.
func (s *sqlStore) activeAlerts(ctx context.Context) (map[alertKey]time.Time, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT unit, kind, since FROM fleet_alerts`)
	if err != nil {
		return nil, fmt.Errorf("receiver: %s: %w", s.name, err)
	}
	defer rows.Close()
	out := map[alertKey]time.Time{}
	for rows.Next() {
		var k alertKey
		var since string
		if rows.Scan(&k.unit, &k.kind, &since) != nil {
			continue
		}
		t, _ := time.Parse(time.RFC3339Nano, since)
		out[k] = t
	}
	return out, rows.Err()
}

// raiseAlert stores an alert; it reports whether this call raised it
// (false: it was raised already, here or by another receiver).
func (s *sqlStore) raiseAlert(ctx context.Context, k alertKey, since, now time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, s.q(`INSERT INTO fleet_alerts(unit, kind, since, raised_at) VALUES (?, ?, ?, ?) ON CONFLICT (unit, kind) DO NOTHING`),
		k.unit, k.kind, timeText(since), timeText(now))
	if err != nil {
		return false, fmt.Errorf("receiver: %s: %w", s.name, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// clearAlert deletes an alert; it reports whether this call cleared it.
func (s *sqlStore) clearAlert(ctx context.Context, k alertKey) (bool, error) {
	res, err := s.db.ExecContext(ctx, s.q(`DELETE FROM fleet_alerts WHERE unit = ? AND kind = ?`), k.unit, k.kind)
	if err != nil {
		return false, fmt.Errorf("receiver: %s: %w", s.name, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
