package receiver

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"motcua/kiosk/queue"
)

// FileName is the database's name in the data directory.
const FileName = "receiver.db"

const schema = `
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

type store struct {
	db *sql.DB
}

func openStore(dir string) (*store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("receiver: data directory: %w", err)
	}
	path := filepath.Join(dir, FileName)
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("receiver: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("receiver: %s: %w", path, err)
	}
	return &store{db: db}, nil
}

// loaded is a unit as stored.
type loaded struct {
	id    string
	ack   int64
	state *queue.State
}

// load reads every unit and rebuilds its live queue.
func (s *store) load(ctx context.Context) ([]loaded, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT unit, ack, snapshot_seq, snapshot FROM units ORDER BY unit`)
	if err != nil {
		return nil, fmt.Errorf("receiver: %w", err)
	}
	var units []loaded
	for rows.Next() {
		var u loaded
		var snapSeq int64
		var snap []byte
		if err := rows.Scan(&u.id, &u.ack, &snapSeq, &snap); err != nil {
			rows.Close()
			return nil, fmt.Errorf("receiver: %w", err)
		}
		if len(snap) > 0 {
			var st queue.State
			if json.Unmarshal(snap, &st) == nil {
				st.Seq = snapSeq
				u.state = &st
			}
		}
		units = append(units, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("receiver: %w", err)
	}
	for i := range units {
		u := &units[i]
		if u.state == nil {
			continue
		}
		evs, err := s.db.QueryContext(ctx, `SELECT data FROM events WHERE unit = ? AND seq > ? ORDER BY seq`, u.id, u.state.Seq)
		if err != nil {
			return nil, fmt.Errorf("receiver: %w", err)
		}
		for evs.Next() {
			var data []byte
			if err := evs.Scan(&data); err != nil {
				evs.Close()
				return nil, fmt.Errorf("receiver: %w", err)
			}
			var ev queue.Event
			if json.Unmarshal(data, &ev) == nil {
				apply(u.state, &ev)
			}
		}
		evs.Close()
	}
	return units, nil
}
