package pgsql_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // pgx's own driver, to compare with

	"motcua/internal/pgsql"
	"motcua/internal/pgtest"
)

var pg *pgtest.Server

func TestMain(m *testing.M) {
	srv, err := pgtest.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgsql: the tests need PostgreSQL:", err)
		if errors.Is(err, pgtest.ErrNoPostgres) && os.Getenv("CI") == "" {
			os.Exit(0)
		}
		os.Exit(1)
	}
	pg = srv
	code := m.Run()
	if err := srv.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	os.Exit(code)
}

// open returns a database of a fresh schema through this driver, and the
// same schema through pgx's database/sql driver.
func open(t *testing.T) (ours, theirs *sql.DB) {
	t.Helper()
	url, err := pg.NewSchema()
	if err != nil {
		t.Fatal(err)
	}
	c, err := pgsql.NewConnector(url)
	if err != nil {
		t.Fatal(err)
	}
	ours = sql.OpenDB(c)
	theirs, err = sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ours.Close()
		theirs.Close()
	})
	return ours, theirs
}

// Values written through either driver read back the same through both,
// as database/sql hands them to a Scan into any.
func TestValuesAsPgx(t *testing.T) {
	ours, theirs := open(t)
	ctx := context.Background()
	// No parameters: the simple protocol, several statements at once.
	if _, err := ours.ExecContext(ctx, `
		CREATE TABLE v (k TEXT PRIMARY KEY, i BIGINT, i4 INTEGER, i2 SMALLINT, s TEXT, b BYTEA, f DOUBLE PRECISION, ok BOOLEAN, n NUMERIC);
		CREATE TABLE w (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	type row struct {
		i      any
		i4, i2 any
		s      any
		b      any
		f      any
		ok     any
		n      any
	}
	tests := []struct {
		name string
		r    row
	}{
		{"max", row{int64(math.MaxInt64), int64(math.MaxInt32), int64(math.MaxInt16), "Nguyễn Thị Ánh Tuyết 🙂", all, 1.5e-300, true, "123456789012345678901234567890.5"}},
		{"min", row{int64(math.MinInt64), int64(math.MinInt32), int64(math.MinInt16), "", []byte{}, math.Inf(-1), false, "-1"}},
		{"null", row{nil, nil, nil, nil, nil, nil, nil, nil}},
		{"quotes", row{int64(0), int64(-1), int64(1), `'; DROP TABLE v; --`, []byte(`\x00'`), -0.1, true, "0"}},
	}
	for _, db := range []*sql.DB{ours, theirs} {
		for _, tt := range tests {
			key := fmt.Sprintf("%s-%p", tt.name, db)
			r := tt.r
			if _, err := db.ExecContext(ctx, `INSERT INTO v VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, key, r.i, r.i4, r.i2, r.s, r.b, r.f, r.ok, r.n); err != nil {
				t.Fatalf("%s: insert: %v", key, err)
			}
		}
	}
	read := func(db *sql.DB) map[string][]any {
		rows, err := db.QueryContext(ctx, `SELECT k, i, i4, i2, s, b, f, ok, n FROM v ORDER BY k`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		got := map[string][]any{}
		for rows.Next() {
			vals := make([]any, 9)
			ptrs := make([]any, 9)
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			got[vals[0].(string)] = vals[1:]
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return got
	}
	got, want := read(ours), read(theirs)
	if len(got) != 2*len(tests) {
		t.Fatalf("got %d rows, want %d", len(got), 2*len(tests))
	}
	for k, w := range want {
		if g := got[k]; !reflect.DeepEqual(g, w) {
			t.Errorf("row %s: got %#v, want (pgx) %#v", k, g, w)
		}
	}
	// What was written through one driver is what was asked.
	for _, tt := range tests {
		key := fmt.Sprintf("%s-%p", tt.name, ours)
		r := tt.r
		wantRow := []any{r.i, r.i4, r.i2, r.s, r.b, r.f, r.ok, r.n}
		if g := got[key]; !reflect.DeepEqual(g, wantRow) {
			t.Errorf("row %s: got %#v, want %#v", key, g, wantRow)
		}
	}
	// Typed scans, and a numeric into an integer as database/sql converts.
	var i int64
	var b []byte
	var sum int64
	if err := ours.QueryRowContext(ctx, `SELECT i, b FROM v WHERE k = $1`, fmt.Sprintf("max-%p", ours)).Scan(&i, &b); err != nil || i != math.MaxInt64 || !reflect.DeepEqual(b, all) {
		t.Errorf("typed scan: got %d %x, %v", i, b, err)
	}
	if err := ours.QueryRowContext(ctx, `SELECT COALESCE(SUM(i2), 0) FROM v WHERE i2 > $1`, 0).Scan(&sum); err != nil || sum != 2*(math.MaxInt16+1) {
		t.Errorf("sum: got %d, %v; want %d", sum, err, 2*(math.MaxInt16+1))
	}
}

// Transactions commit and roll back; a transaction with a failed
// statement does not commit, and says so.
func TestTransactions(t *testing.T) {
	db, _ := open(t)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (x BIGINT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	count := func() (n int) {
		t.Helper()
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO t VALUES ($1)`)
	if err != nil {
		t.Fatal(err)
	}
	for x := range int64(3) {
		if res, err := ins.ExecContext(ctx, x); err != nil {
			t.Fatal(err)
		} else if n, _ := res.RowsAffected(); n != 1 {
			t.Errorf("rows affected: got %d, want 1", n)
		}
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 0 {
		t.Errorf("after rollback: got %d rows, want 0", n)
	}

	tx, err = db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelSerializable})
	if err != nil {
		t.Fatal(err)
	}
	var level string
	if err := tx.QueryRowContext(ctx, `SHOW transaction_isolation`).Scan(&level); err != nil || level != "serializable" {
		t.Errorf("isolation: got %q, %v; want serializable", level, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO t VALUES ($1), ($2)`, 1, 2); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 2 {
		t.Errorf("after commit: got %d rows, want 2", n)
	}

	tx, err = db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO t VALUES ($1)`, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO t VALUES ($1)`, 1); err == nil {
		t.Fatal("a duplicate key was inserted")
	}
	if err := tx.Commit(); !errors.Is(err, pgsql.ErrCommitRolledBack) {
		t.Errorf("commit after a failed statement: got %v, want %v", err, pgsql.ErrCommitRolledBack)
	}
	if n := count(); n != 2 {
		t.Errorf("after the failed transaction: got %d rows, want 2", n)
	}
	if _, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelLinearizable}); err == nil {
		t.Error("an isolation level PostgreSQL lacks was accepted")
	}
}

// An error of a query's execution comes from Query, an error of a row
// from Next; bad arguments get an error and send nothing.
func TestErrors(t *testing.T) {
	db, _ := open(t)
	ctx := context.Background()
	if _, err := db.QueryContext(ctx, `SELECT 1 / $1::int`, 0); err == nil {
		t.Error("division by zero: no error from Query")
	}
	if _, err := db.QueryContext(ctx, `SELEC 1`); err == nil {
		t.Error("a syntax error: no error")
	}
	if _, err := db.ExecContext(ctx, `SELECT $1::int`, struct{}{}); err == nil {
		t.Error("a struct argument: no error")
	}
	if _, err := db.ExecContext(ctx, `SELECT $1::int`, 1, 2); err == nil {
		t.Error("two arguments for one parameter: no error")
	}
	if _, err := db.ExecContext(ctx, `SELECT $1::int`, sql.Named("x", 1)); err == nil {
		t.Error("a named argument: no error")
	}
	if _, err := pgsql.NewConnector("postgres://u@127.0.0.1:notaport/db"); err == nil {
		t.Error("a bad URL: no error")
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT $1::int + 1`, 41).Scan(&n); err != nil || n != 42 {
		t.Errorf("after the errors: got %d, %v; want 42", n, err)
	}
}

// A connection the server ended is left, and the next statement runs on
// a new one; past the cache, statements still run.
func TestConnections(t *testing.T) {
	db, _ := open(t)
	ctx := context.Background()
	db.SetMaxOpenConns(1)
	var pid int
	if err := db.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	admin, err := sql.Open("pgx", pg.URL("tests"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
		t.Fatal(err)
	}
	// The first use of the ended connection may fail (the server's
	// goodbye is read only then); the pool must then have let it go.
	var next int
	if err := db.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&next); err != nil {
		if err := db.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&next); err != nil {
			t.Fatalf("after the server ended the connection: %v", err)
		}
	}
	if next == pid {
		t.Errorf("still on the ended backend %d", pid)
	}
	for i := range 300 {
		var got int
		if err := db.QueryRowContext(ctx, fmt.Sprintf(`SELECT $1::int + %d`, i), 1).Scan(&got); err != nil || got != i+1 {
			t.Fatalf("statement %d: got %d, %v", i, got, err)
		}
	}
}

// Arrays of text, bigint and bytea go in as pgx sends them: unnest gives
// back the elements, in order, NULL elements and empty arrays included.
func TestArraysAsPgx(t *testing.T) {
	ours, theirs := open(t)
	ctx := context.Background()
	if _, err := ours.ExecContext(ctx, `CREATE TABLE a (db TEXT, n BIGINT, s TEXT, i BIGINT, b BYTEA)`); err != nil {
		t.Fatal(err)
	}
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	strs := []string{"Nguyễn Văn A", "", `"{,}\`, "NULL"}
	ints := []int64{math.MinInt64, 0, -1, math.MaxInt64}
	blobs := [][]byte{all, {}, nil, []byte(`\x00`)}
	const ins = `INSERT INTO a SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::bigint[], $5::bytea[])`
	for name, db := range map[string]*sql.DB{"ours": ours, "pgx": theirs} {
		if _, err := db.ExecContext(ctx, ins, name, []int64{1, 2, 3, 4}, strs, ints, blobs); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := db.ExecContext(ctx, ins, name+"-empty", []int64{}, []string{}, []int64{}, [][]byte{}); err != nil {
			t.Fatalf("%s, empty arrays: %v", name, err)
		}
	}
	read := func(name string) [][]any {
		rows, err := ours.QueryContext(ctx, `SELECT n, s, i, b FROM a WHERE db = $1 ORDER BY n`, name)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got [][]any
		for rows.Next() {
			r := make([]any, 4)
			if err := rows.Scan(&r[0], &r[1], &r[2], &r[3]); err != nil {
				t.Fatal(err)
			}
			got = append(got, r)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return got
	}
	got, want := read("ours"), read("pgx")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v, want (pgx) %#v", got, want)
	}
	if len(got) != 4 || got[1][1] != "" || got[2][3] != nil || !reflect.DeepEqual(got[0][3], all) || got[3][2] != int64(math.MaxInt64) {
		t.Errorf("rows: %#v", got)
	}
	for _, name := range []string{"ours-empty", "pgx-empty"} {
		if rows := read(name); len(rows) != 0 {
			t.Errorf("%s: got %d rows, want 0", name, len(rows))
		}
	}
	var n int
	if err := ours.QueryRowContext(ctx, `SELECT count(*) FROM a WHERE s = ANY($1::text[])`, []string{"NULL", "Nguyễn Văn A"}).Scan(&n); err != nil || n != 4 {
		t.Errorf("= ANY: got %d, %v; want 4", n, err)
	}
	if _, err := ours.ExecContext(ctx, `SELECT $1::int[]`, []string{"1"}); err == nil {
		t.Error("a text array as int[]: no error")
	}
}
