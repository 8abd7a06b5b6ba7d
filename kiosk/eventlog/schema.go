package eventlog

import (
	"database/sql"
	"fmt"
)

// ApplicationID marks an SQLite file as a motcua event log ("mcua" in
// ASCII), so that tools (file(1), sqlite3's .dbinfo) and motcua itself can
// tell it from other databases.
const ApplicationID = 0x6d637561

// SchemaVersion is the log's PRAGMA user_version:
//   - 0: the first schema, without a version (data a BLOB);
//   - 2: data TEXT (the event's JSON), the file marked with [ApplicationID].
//
// Open migrates an older log in one transaction and refuses a newer one.
const SchemaVersion = 2

// identify returns the schema version of the database on w, or an error
// when it is another program's database or a newer motcua's.
func identify(w *sql.DB, path string) (int64, error) {
	var app, version int64
	if err := w.QueryRow(`PRAGMA application_id`).Scan(&app); err != nil {
		return 0, fmt.Errorf("eventlog: %s: %w (is the file a motcua database?)", path, err)
	}
	if err := w.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil {
		return 0, fmt.Errorf("eventlog: %s: %w", path, err)
	}
	switch {
	case app != 0 && app != ApplicationID:
		return 0, fmt.Errorf("eventlog: %s is not a motcua database (application id %#x); move it away or use another data_dir", path, app)
	case version > SchemaVersion:
		return 0, fmt.Errorf("eventlog: %s has schema %d, newer than this motcua's %d: install the newer motcua again, or restore a backup made by this one", path, version, SchemaVersion)
	}
	return version, nil
}

// migrate brings the database on w from version to [SchemaVersion].
func migrate(w *sql.DB, path string, version int64) error {
	if version == SchemaVersion {
		return nil
	}
	tx, err := w.Begin()
	if err != nil {
		return fmt.Errorf("eventlog: %s: %w", path, err)
	}
	defer tx.Rollback()
	var decl string
	if err := tx.QueryRow(`SELECT type FROM pragma_table_info('events') WHERE name = 'data'`).Scan(&decl); err != nil {
		return fmt.Errorf("eventlog: %s: %w", path, err)
	}
	if decl != "TEXT" {
		// A column's declared type cannot be altered: copy the table.
		for _, q := range []string{
			`CREATE TABLE events_v2 (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, name TEXT NOT NULL,
				day TEXT NOT NULL, ticket TEXT, counter INTEGER, data TEXT NOT NULL)`,
			`INSERT INTO events_v2 SELECT seq, at, name, day, ticket, counter, CAST(data AS TEXT) FROM events ORDER BY seq`,
			`DROP TABLE events`,
			`ALTER TABLE events_v2 RENAME TO events`,
			`CREATE INDEX IF NOT EXISTS events_ticket ON events(ticket) WHERE ticket IS NOT NULL`,
			`CREATE INDEX IF NOT EXISTS events_name_day ON events(name, day)`,
		} {
			if _, err := tx.Exec(q); err != nil {
				return fmt.Errorf("eventlog: %s: migrating to schema %d: %w", path, SchemaVersion, err)
			}
		}
	}
	if _, err := tx.Exec(fmt.Sprintf(`PRAGMA application_id = %d`, ApplicationID)); err != nil {
		return fmt.Errorf("eventlog: %s: %w", path, err)
	}
	if _, err := tx.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, SchemaVersion)); err != nil {
		return fmt.Errorf("eventlog: %s: %w", path, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("eventlog: %s: migrating to schema %d: %w", path, SchemaVersion, err)
	}
	return nil
}
