package receiver

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"

	"motcua/internal/pgsql"
)

const postgresSchema = `
CREATE TABLE IF NOT EXISTS events (
	unit     TEXT NOT NULL,
	seq      BIGINT NOT NULL,
	at       TEXT NOT NULL,
	name     TEXT NOT NULL,
	data     BYTEA NOT NULL,
	PRIMARY KEY (unit, seq)
);
CREATE TABLE IF NOT EXISTS units (
	unit          TEXT PRIMARY KEY,
	ack           BIGINT NOT NULL DEFAULT 0,
	snapshot_seq  BIGINT NOT NULL DEFAULT 0,
	snapshot      BYTEA
);
CREATE TABLE IF NOT EXISTS gaps (
	unit      TEXT NOT NULL,
	from_seq  BIGINT NOT NULL,
	to_seq    BIGINT NOT NULL,
	noted_at  TEXT NOT NULL
);
`

// openPostgres opens a PostgreSQL store. Several receivers may share it.
func openPostgres(ctx context.Context, dsn string) (*sqlStore, error) {
	name := Redact(dsn)
	conn, err := pgsql.NewConnector(dsn)
	if err != nil {
		return nil, fmt.Errorf("receiver: store %s: %w", name, err)
	}
	db := sql.OpenDB(conn)
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("receiver: store %s: %w; is PostgreSQL running, and the URL's user, password and database right?", name, err)
	}
	// Two receivers starting at once create the tables once: the lock
	// makes the second wait for the first.
	tx, err := db.BeginTx(ctx, nil)
	if err == nil {
		defer tx.Rollback()
		_, err = tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7260010)`)
		if err == nil {
			_, err = tx.ExecContext(ctx, postgresSchema)
		}
		if err == nil {
			err = tx.Commit()
		}
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("receiver: store %s: creating the tables: %w", name, err)
	}
	return &sqlStore{db: db, name: name, pg: true}, nil
}

// Redact drops the password from a store URL before it is logged.
func Redact(s string) string {
	if !strings.HasPrefix(s, "postgres") {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "(bad url)"
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	return u.String()
}
