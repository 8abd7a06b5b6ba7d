package receiver

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"motcua/uplinkproto"
)

// FileName is the database's name in the data directory.
const FileName = "receiver.db"

const sqliteSchema = `
CREATE TABLE IF NOT EXISTS events (
	unit     TEXT NOT NULL,
	seq      INTEGER NOT NULL,
	at       TEXT NOT NULL,
	name     TEXT NOT NULL,
	data     BLOB NOT NULL,
	PRIMARY KEY (unit, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS units (
	unit          TEXT PRIMARY KEY,
	ack           INTEGER NOT NULL DEFAULT 0,
	snapshot_seq  INTEGER NOT NULL DEFAULT 0,
	snapshot      BLOB
);
CREATE TABLE IF NOT EXISTS gaps (
	unit      TEXT NOT NULL,
	from_seq  INTEGER NOT NULL,
	to_seq    INTEGER NOT NULL,
	noted_at  TEXT NOT NULL
);
`

// batch is what one transaction stores for one unit: the new events in
// seq order, the losses the unit reported, its ack after them and its
// latest snapshot (nil: none in this batch).
type batch struct {
	unit   string
	events []*uplinkproto.Message
	gaps   [][2]int64
	ack    int64
	snap   *uplinkproto.Message
	at     time.Time // when the gaps were noted
}

// loaded is a unit as stored.
type loaded struct {
	id    string
	ack   int64
	lost  int64
	state *uplinkproto.State
}

// maxProblems is how many bad stored rows a load reports one by one.
const maxProblems = 100

// loadReport is what a load skipped: the first problems and how many in
// all.
type loadReport struct {
	problems []error
	count    int
}

func (r *loadReport) add(format string, args ...any) {
	r.count++
	if len(r.problems) < maxProblems {
		r.problems = append(r.problems, fmt.Errorf(format, args...))
	}
}

// sqliteStore is the embedded store: one SQLite file, WAL,
// synchronous=FULL.
type sqliteStore struct {
	db   *sql.DB
	path string
}

func openSQLite(dir string) (*sqliteStore, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("receiver: data directory: %w", err)
	}
	path := filepath.Join(dir, FileName)
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("receiver: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(sqliteSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("receiver: %s: %w; is it a receiver database?", path, err)
	}
	return &sqliteStore{db: db, path: path}, nil
}

func (s *sqliteStore) close() error { return s.db.Close() }

// load reads every unit and rebuilds its live queue. A row it cannot
// use (a unit id that is not one, a snapshot or an event that does not
// parse or check) is skipped and reported; only a database that cannot
// be read at all is an error.
func (s *sqliteStore) load(ctx context.Context) ([]loaded, *loadReport, error) {
	rep := &loadReport{}
	rows, err := s.db.QueryContext(ctx, `SELECT unit, ack, snapshot_seq, snapshot FROM units ORDER BY unit`)
	if err != nil {
		return nil, nil, fmt.Errorf("receiver: %s: %w", s.path, err)
	}
	var units []loaded
	for rows.Next() {
		var id, ack, snapSeq any
		var snap []byte
		if err := rows.Scan(&id, &ack, &snapSeq, &snap); err != nil {
			rep.add("units row: %v", err)
			continue
		}
		unit := asString(id)
		a, aok := ack.(int64)
		ss, sok := snapSeq.(int64)
		switch {
		case !uplinkproto.ValidUnit(unit):
			rep.add("units row %q: not a unit id", clipAny(unit))
			continue
		case !aok || a < 0:
			rep.add("unit %s: ack %q is not a seq", unit, clipAny(asString(ack)))
			continue
		}
		u := loaded{id: unit, ack: a}
		if len(snap) > 0 {
			st, err := uplinkproto.ParseState(snap, ss)
			if err == nil && (!sok || ss < 0 || ss > a) {
				err = fmt.Errorf("snapshot_seq %q is not a seq up to the ack", clipAny(asString(snapSeq)))
			}
			if err != nil {
				rep.add("unit %s: snapshot at seq %d skipped (the live queue waits for the next one): %v", unit, ss, err)
			} else {
				u.state = st
			}
		}
		units = append(units, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("receiver: %s: %w", s.path, err)
	}
	for i := range units {
		u := &units[i]
		if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(to_seq - from_seq + 1), 0) FROM gaps WHERE unit = ? AND to_seq >= from_seq`, u.id).Scan(&u.lost); err != nil {
			rep.add("unit %s: gaps: %v", u.id, err)
		}
		if u.state == nil {
			continue
		}
		if err := s.replay(ctx, u, rep); err != nil {
			return nil, nil, err
		}
	}
	return units, rep, nil
}

// replay applies the stored events after a unit's snapshot.
func (s *sqliteStore) replay(ctx context.Context, u *loaded, rep *loadReport) error {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, data FROM events WHERE unit = ? AND seq > ? ORDER BY seq`, u.id, u.state.Seq)
	if err != nil {
		return fmt.Errorf("receiver: %s: %w", s.path, err)
	}
	defer rows.Close()
	for rows.Next() {
		var seq sql.NullInt64
		var data []byte
		if err := rows.Scan(&seq, &data); err != nil {
			rep.add("unit %s: event row: %v", u.id, err)
			continue
		}
		ev, err := uplinkproto.ParseEvent(data)
		if err == nil && ev.Seq != seq.Int64 {
			err = fmt.Errorf("its seq is %d", ev.Seq)
		}
		if err != nil {
			rep.add("unit %s: event %d skipped in the live queue: %v", u.id, seq.Int64, err)
			continue
		}
		apply(u.state, ev)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("receiver: %s: %w", s.path, err)
	}
	return nil
}

// commit stores a batch in one synced transaction.
func (s *sqliteStore) commit(ctx context.Context, b *batch) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("receiver: store: %w", err)
	}
	defer tx.Rollback()
	if len(b.events) > 0 {
		ins, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO events(unit, seq, at, name, data) VALUES (?, ?, ?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("receiver: store: %w", err)
		}
		defer ins.Close()
		for _, m := range b.events {
			if _, err := ins.ExecContext(ctx, b.unit, m.Seq, m.At, m.Event, m.Raw); err != nil {
				return fmt.Errorf("receiver: store: %w", err)
			}
		}
	}
	for _, g := range b.gaps {
		if _, err := tx.ExecContext(ctx, `INSERT INTO gaps(unit, from_seq, to_seq, noted_at) VALUES (?, ?, ?, ?)`, b.unit, g[0], g[1], b.at.UTC().Format(time.RFC3339)); err != nil {
			return fmt.Errorf("receiver: store: %w", err)
		}
	}
	q := `INSERT INTO units(unit, ack) VALUES (?, ?) ON CONFLICT(unit) DO UPDATE SET ack = excluded.ack`
	args := []any{b.unit, b.ack}
	if b.snap != nil {
		q = `INSERT INTO units(unit, ack, snapshot_seq, snapshot) VALUES (?, ?, ?, ?) ON CONFLICT(unit) DO UPDATE SET ack = excluded.ack, snapshot_seq = excluded.snapshot_seq, snapshot = excluded.snapshot`
		args = append(args, b.snap.Seq, []byte(b.snap.State))
	}
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("receiver: store: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("receiver: store: %w", err)
	}
	return nil
}

// asString is a stored value as text.
func asString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	case nil:
		return "NULL"
	}
	return fmt.Sprint(v)
}

// clipAny shortens a stored value for a report.
func clipAny(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}
