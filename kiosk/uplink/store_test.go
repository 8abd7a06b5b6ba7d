package uplink_test

import (
	"database/sql"
	"path/filepath"
	"testing"

	"motcua/receiver"
)

// readStore reads a receiver's store directly with SQL, as an
// integrator would.
func readStore(t testing.TB, dir, unit string) ([]int64, [][]byte) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, receiver.FileName)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT seq, data FROM events WHERE unit = ? ORDER BY seq`, unit)
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
