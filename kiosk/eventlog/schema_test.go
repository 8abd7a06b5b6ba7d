package eventlog

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"motcua/kiosk/queue"
)

// v0 is the schema before versions: data a BLOB, no application id.
const v0 = `CREATE TABLE events (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, name TEXT NOT NULL,
	day TEXT NOT NULL, ticket TEXT, counter INTEGER, data BLOB NOT NULL);
CREATE INDEX events_ticket ON events(ticket) WHERE ticket IS NOT NULL;
CREATE INDEX events_name_day ON events(name, day);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`

func rawDB(t *testing.T, dir string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func pragmas(t *testing.T, dir string) (app, version int64, types string) {
	t.Helper()
	db := rawDB(t, dir)
	if err := db.QueryRow(`PRAGMA application_id`).Scan(&app); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT COALESCE(group_concat(DISTINCT typeof(data)), '') FROM events`).Scan(&types); err != nil {
		t.Fatal(err)
	}
	db.Close()
	return
}

func TestNewLogIsMarked(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Append([]queue.Event{ev(1, queue.TicketIssued)}); err != nil {
		t.Fatal(err)
	}
	l.Close()
	if app, v, types := pragmas(t, dir); app != ApplicationID || v != SchemaVersion || types != "text" {
		t.Errorf("application_id %#x user_version %d data %q, want %#x %d text", app, v, types, ApplicationID, SchemaVersion)
	}
}

// A log written before schema versions is migrated when opened: every
// event kept byte for byte, data now TEXT, and the log goes on.
func TestMigrateFromV0(t *testing.T) {
	dir := t.TempDir()
	db := rawDB(t, dir)
	if _, err := db.Exec(v0); err != nil {
		t.Fatal(err)
	}
	var want []string
	for seq := int64(1); seq <= 3; seq++ {
		e := ev(seq, queue.TicketIssued)
		data, _ := json.Marshal(e)
		want = append(want, string(data))
		if _, err := db.Exec(`INSERT INTO events VALUES (?, ?, ?, ?, ?, NULL, ?)`, seq, e.At.Format("2006-01-02T15:04:05Z07:00"),
			e.Name, e.Day, e.Ticket.ID, data); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	if _, _, types := pragmas(t, dir); types != "blob" {
		t.Fatalf("the v0 log holds %q, want blob", types)
	}

	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	if _, err := l.Since(context.Background(), 0, 0, func(r Record) error { got = append(got, string(r.Data)); return nil }); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("after the migration:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if e, err := l.Ticket(context.Background(), "t2"); err != nil || e == nil || e.Seq != 2 {
		t.Errorf("ticket t2 after the migration: %+v %v", e, err)
	}
	if err := l.Append([]queue.Event{ev(4, queue.TicketIssued)}); err != nil {
		t.Fatalf("append after the migration: %v", err)
	}
	l.Close()
	if app, v, types := pragmas(t, dir); app != ApplicationID || v != SchemaVersion || types != "text" {
		t.Errorf("application_id %#x user_version %d data %q, want %#x %d text", app, v, types, ApplicationID, SchemaVersion)
	}
}

// Another program's database and a newer motcua's are refused untouched.
func TestRefusesForeignAndNewer(t *testing.T) {
	tests := []struct {
		name, pragma, want string
	}{
		{"foreign", `PRAGMA application_id = 1234`, "not a motcua database"},
		{"newer", `PRAGMA user_version = 99`, "newer than this motcua"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			db := rawDB(t, dir)
			if _, err := db.Exec(tt.pragma + `; CREATE TABLE other (x)`); err != nil {
				t.Fatal(err)
			}
			db.Close()
			_, err := Open(dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error saying %q", err, tt.want)
			}
			var n int
			if err := rawDB(t, dir).QueryRow(`SELECT COUNT(*) FROM sqlite_schema WHERE name = 'events'`).Scan(&n); err != nil || n != 0 {
				t.Errorf("the refused database got an events table (%d, %v)", n, err)
			}
		})
	}
}
