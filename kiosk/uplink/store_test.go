package uplink_test

import (
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"motcua/internal/pgtest"
	"motcua/receiver"
)

// pg is the PostgreSQL server of TestMain's second run of the tests; nil
// in the first, where receivers keep their events in SQLite.
var pg *pgtest.Server

// TestMain runs the package's tests with receivers on SQLite, then again
// with receivers on a PostgreSQL server it starts.
func TestMain(m *testing.M) {
	code := m.Run()
	if code != 0 || flag.Lookup("test.fuzz").Value.String() != "" {
		os.Exit(code)
	}
	srv, err := pgtest.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "uplink: the tests with receivers on PostgreSQL did not run:", err)
		if errors.Is(err, pgtest.ErrNoPostgres) && os.Getenv("CI") == "" {
			os.Exit(code)
		}
		os.Exit(1)
	}
	pg = srv
	fmt.Println("uplink: the same tests with receivers on PostgreSQL")
	code = m.Run()
	if err := srv.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	os.Exit(code)
}

// newStore returns the store URL of a new receiver: SQLite in a new
// directory, or a new PostgreSQL database in the second run.
func newStore(t testing.TB) string {
	t.Helper()
	if pg == nil {
		return "sqlite:" + t.TempDir()
	}
	url, err := pg.NewSchema()
	if err != nil {
		t.Fatal(err)
	}
	return url
}

// readStore reads a receiver's store directly with SQL, as an
// integrator would.
func readStore(t testing.TB, store, unit string) ([]int64, [][]byte) {
	t.Helper()
	driver, dsn, q := "pgx", store, `SELECT seq, data FROM events WHERE unit = $1 ORDER BY seq`
	if dir, ok := strings.CutPrefix(store, "sqlite:"); ok {
		driver, dsn, q = "sqlite", "file:"+filepath.Join(dir, receiver.FileName)+"?mode=ro", `SELECT seq, data FROM events WHERE unit = ? ORDER BY seq`
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(q, unit)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var seqs []int64
	var data [][]byte
	for rows.Next() {
		var s int64
		var d []byte
		if err := rows.Scan(&s, &d); err != nil {
			t.Fatal(err)
		}
		seqs, data = append(seqs, s), append(data, d)
	}
	return seqs, data
}
