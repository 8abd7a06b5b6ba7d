package receiver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
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
	base   int64 // the unit's ack the batch follows
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

// Store URLs: "sqlite:DIR" (the default, embedded: DIR/receiver.db) or
// "postgres://..." (any number of receivers on one database).

// errStale is a batch computed on an ack that another connection, on
// this receiver or another one on the same database, has moved since.
var errStale = errors.New("receiver: the unit's events were stored meanwhile by another connection (another receiver?); this connection ends, the unit connects again")

// sqlStore keeps the units' events in SQLite or PostgreSQL. The SQL is
// the same but for the placeholders ($n in PostgreSQL), the blob type
// and the commit, which on PostgreSQL stores a whole group with a few
// array statements (commitPG).
type sqlStore struct {
	db   *sql.DB
	name string // for errors: the file, or the PostgreSQL URL without its password
	pg   bool
}

// openStore opens the store of a URL, creating its tables.
func openStore(ctx context.Context, url string) (*sqlStore, error) {
	switch {
	case strings.HasPrefix(url, "sqlite:"):
		return openSQLite(strings.TrimPrefix(url, "sqlite:"))
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return openPostgres(ctx, url)
	}
	return nil, fmt.Errorf("receiver: store %q: want sqlite:DIR or postgres://USER@HOST/DB", url)
}

func openSQLite(dir string) (*sqlStore, error) {
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
	return &sqlStore{db: db, name: path}, nil
}

func (s *sqlStore) close() error { return s.db.Close() }

// q rewrites a query's ? placeholders for the store's database.
func (s *sqlStore) q(query string) string {
	if !s.pg {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// load reads every unit and rebuilds its live queue. A row it cannot
// use (a unit id that is not one, a snapshot or an event that does not
// parse or check) is skipped and reported; only a database that cannot
// be read at all is an error.
func (s *sqlStore) load(ctx context.Context) ([]loaded, *loadReport, error) {
	rep := &loadReport{}
	rows, err := s.db.QueryContext(ctx, `SELECT unit, ack, snapshot_seq, snapshot FROM units ORDER BY unit`)
	if err != nil {
		return nil, nil, fmt.Errorf("receiver: %s: %w", s.name, err)
	}
	var units []loaded
	for rows.Next() {
		if u, ok := s.scanUnit(rows, rep); ok {
			units = append(units, u)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("receiver: %s: %w", s.name, err)
	}
	for i := range units {
		if err := s.complete(ctx, &units[i], rep); err != nil {
			return nil, nil, err
		}
	}
	return units, rep, nil
}

// loadUnit reads one unit as load does; ok is false when the store has
// no usable row for it.
func (s *sqlStore) loadUnit(ctx context.Context, id string, rep *loadReport) (u loaded, ok bool, err error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT unit, ack, snapshot_seq, snapshot FROM units WHERE unit = ?`), id)
	if err != nil {
		return loaded{}, false, fmt.Errorf("receiver: %s: %w", s.name, err)
	}
	if rows.Next() {
		u, ok = s.scanUnit(rows, rep)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return loaded{}, false, fmt.Errorf("receiver: %s: %w", s.name, err)
	}
	if !ok {
		return loaded{}, false, nil
	}
	return u, true, s.complete(ctx, &u, rep)
}

// scanUnit reads a units row.
func (s *sqlStore) scanUnit(rows *sql.Rows, rep *loadReport) (loaded, bool) {
	var id, ack, snapSeq any
	var snap []byte
	if err := rows.Scan(&id, &ack, &snapSeq, &snap); err != nil {
		rep.add("units row: %v", err)
		return loaded{}, false
	}
	unit := asString(id)
	a, aok := ack.(int64)
	ss, sok := snapSeq.(int64)
	switch {
	case !uplinkproto.ValidUnit(unit):
		rep.add("units row %q: not a unit id", clipAny(unit))
		return loaded{}, false
	case !aok || a < 0:
		rep.add("unit %s: ack %q is not a seq", unit, clipAny(asString(ack)))
		return loaded{}, false
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
	return u, true
}

// complete reads a unit's losses and applies its events after the
// snapshot.
func (s *sqlStore) complete(ctx context.Context, u *loaded, rep *loadReport) error {
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT COALESCE(SUM(to_seq - from_seq + 1), 0) FROM gaps WHERE unit = ? AND to_seq >= from_seq`), u.id).Scan(&u.lost); err != nil {
		rep.add("unit %s: gaps: %v", u.id, err)
	}
	if u.state == nil {
		return nil
	}
	return s.replay(ctx, u, rep)
}

// replay applies the stored events after a unit's snapshot.
func (s *sqlStore) replay(ctx context.Context, u *loaded, rep *loadReport) error {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT seq, data FROM events WHERE unit = ? AND seq > ? AND seq <= ? ORDER BY seq`), u.id, u.state.Seq, u.ack)
	if err != nil {
		return fmt.Errorf("receiver: %s: %w", s.name, err)
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
		return fmt.Errorf("receiver: %s: %w", s.name, err)
	}
	return nil
}

// events reads a unit's stored events after seq from up to seq to,
// skipping (and reporting) those that do not check.
func (s *sqlStore) events(ctx context.Context, unit string, from, to int64, rep *loadReport) ([]*uplinkproto.Event, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT seq, data FROM events WHERE unit = ? AND seq > ? AND seq <= ? ORDER BY seq`), unit, from, to)
	if err != nil {
		return nil, fmt.Errorf("receiver: %s: %w", s.name, err)
	}
	defer rows.Close()
	var evs []*uplinkproto.Event
	for rows.Next() {
		var seq int64
		var data []byte
		if err := rows.Scan(&seq, &data); err != nil {
			rep.add("unit %s: event row: %v", unit, err)
			continue
		}
		ev, err := uplinkproto.ParseEvent(data)
		if err != nil {
			rep.add("unit %s: event %d skipped: %v", unit, seq, err)
			continue
		}
		evs = append(evs, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("receiver: %s: %w", s.name, err)
	}
	return evs, nil
}

// commit stores batches of several units in one transaction, durable
// when it returns, and returns each batch's outcome. Each unit's row is
// locked first, in unit order (PostgreSQL: SELECT ... FOR UPDATE, see
// commitPG; SQLite: the transaction is IMMEDIATE); a batch computed on an ack that is no
// longer the stored one gets errStale and stores nothing, so that two
// connections of a unit, on one receiver or two, never both store. An
// error of the transaction is every batch's.
func (s *sqlStore) commit(ctx context.Context, bs []*batch) []error {
	errs := make([]error, len(bs))
	fail := func(err error) []error {
		for i := range errs {
			errs[i] = fmt.Errorf("receiver: store: %w", err)
		}
		return errs
	}
	order := make([]int, len(bs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(bs[a].unit, bs[b].unit) })
	if s.pg {
		return s.commitPG(ctx, bs, order, errs, fail)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback()
	insert, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO events(unit, seq, at, name, data) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return fail(err)
	}
	defer insert.Close()
	for _, i := range order {
		b := bs[i]
		if _, err := tx.ExecContext(ctx, `INSERT INTO units(unit, ack) VALUES (?, 0) ON CONFLICT (unit) DO NOTHING`, b.unit); err != nil {
			return fail(err)
		}
		var stored int64
		if err := tx.QueryRowContext(ctx, `SELECT ack FROM units WHERE unit = ?`, b.unit).Scan(&stored); err != nil {
			return fail(err)
		}
		if stored != b.base {
			errs[i] = errStale
			continue
		}
		for _, m := range b.events {
			if _, err := insert.ExecContext(ctx, b.unit, m.Seq, m.At, m.Event, m.Raw); err != nil {
				return fail(err)
			}
		}
		for _, g := range b.gaps {
			if _, err := tx.ExecContext(ctx, `INSERT INTO gaps(unit, from_seq, to_seq, noted_at) VALUES (?, ?, ?, ?)`, b.unit, g[0], g[1], b.at.UTC().Format(time.RFC3339)); err != nil {
				return fail(err)
			}
		}
		q, args := `UPDATE units SET ack = ? WHERE unit = ?`, []any{b.ack, b.unit}
		if b.snap != nil {
			q, args = `UPDATE units SET ack = ?, snapshot_seq = ?, snapshot = ? WHERE unit = ?`, []any{b.ack, b.snap.Seq, []byte(b.snap.State), b.unit}
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fail(err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fail(err)
	}
	return errs
}

// acks returns every unit's stored ack.
func (s *sqlStore) acks(ctx context.Context) (map[string]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT unit, ack FROM units`)
	if err != nil {
		return nil, fmt.Errorf("receiver: %s: %w", s.name, err)
	}
	defer rows.Close()
	acks := map[string]int64{}
	for rows.Next() {
		var id string
		var ack int64
		if rows.Scan(&id, &ack) == nil {
			acks[id] = ack
		}
	}
	return acks, rows.Err()
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
