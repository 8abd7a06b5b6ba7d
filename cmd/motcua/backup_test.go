package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"motcua/devices/printer/printertest"
	"motcua/kiosk/queue"
)

// TestBackupWhileIssuing backs up the event log of the real binary while
// four clients issue tickets as fast as they can, then restores it after
// the daemon died, and checks that every ticket acknowledged before the
// backup started is in the backup and served again after the restore, that
// the backup's seq has no gap, and that restore refuses while the daemon
// runs and keeps the old database.
func TestBackupWhileIssuing(t *testing.T) {
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	addr := freePort(t)
	cfgPath := writeCrashConfig(t, dir, addr)
	p := startDaemon(t, bin, cfgPath, addr)

	var mu sync.Mutex
	acked := map[string]string{} // ticket id -> number
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	enough := make(chan struct{})
	var once sync.Once
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				service := []string{"dat-dai", "ho-tich"}[(w+i)%2]
				code, body, err := p.post("/api/v1/tickets", `{"service":"`+service+`"}`)
				if err != nil || code != 201 {
					continue
				}
				var tk queue.Ticket
				if err := json.Unmarshal(body, &tk); err != nil {
					t.Errorf("201 with a bad body %q", body)
					return
				}
				mu.Lock()
				acked[tk.ID] = tk.Number
				if len(acked) >= 200 {
					once.Do(func() { close(enough) })
				}
				mu.Unlock()
			}
		}()
	}
	select {
	case <-enough:
	case <-time.After(60 * time.Second):
		t.Fatal("fewer than 200 tickets issued in 60 s")
	}

	// Tickets acknowledged before the backup starts must all be in it.
	mu.Lock()
	before := make(map[string]string, len(acked))
	for id, n := range acked {
		before[id] = n
	}
	mu.Unlock()
	backup := filepath.Join(dir, "backup.db")
	var stdout, stderr bytes.Buffer
	if err := backupCmd(ctx, []string{"-config", cfgPath, "-o", backup}, &stdout, &stderr); err != nil {
		t.Fatalf("backup: %v\n%s", err, stderr.String())
	}
	mu.Lock()
	during := len(acked)
	mu.Unlock()
	if during == len(before) {
		t.Errorf("no ticket was issued while the backup ran; the test did not overlap them")
	}
	if !strings.Contains(stdout.String(), "events, up to seq") {
		t.Errorf("backup output: %q", stdout.String())
	}
	if err := backupCmd(ctx, []string{"-config", cfgPath, "-o", backup}, &stdout, &stderr); err == nil {
		t.Error("backup over an existing file: got nil, want an error")
	}

	// The backup on its own: seq 1..N, every ticket issued before it.
	inBackup := ticketsIn(t, backup)
	for id, n := range before {
		if inBackup[id] != n {
			t.Errorf("ticket %s (%s) acknowledged before the backup: got %q in the backup", id, n, inBackup[id])
		}
	}

	// Restore refuses while the daemon holds the data directory.
	stderr.Reset()
	err = restoreCmd(ctx, []string{"-config", cfgPath, backup}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "motcua is running") {
		t.Fatalf("restore while running: got %v, want refusal", err)
	}
	cancel()
	wg.Wait()
	mu.Lock()
	total := len(acked)
	mu.Unlock()

	// A crash (SIGKILL) leaves a -wal with committed events: the old
	// database keeps it.
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()
	stdout.Reset()
	if err := restoreCmd(context.Background(), []string{"-config", cfgPath, backup}, &stdout, &stderr); err != nil {
		t.Fatalf("restore: %v\n%s", err, stderr.String())
	}
	data := filepath.Join(dir, "data")
	if old := ticketsIn(t, filepath.Join(data, "motcua.db.before-restore")); len(old) != total {
		t.Errorf("old database kept with %d tickets, want all %d acknowledged", len(old), total)
	}
	if !strings.Contains(stdout.String(), "motcua.db.before-restore") {
		t.Errorf("restore output does not name the kept database: %q", stdout.String())
	}

	// The daemon serves the restored log: every ticket of the backup.
	p = startDaemon(t, bin, cfgPath, addr)
	p.checkTickets(t, inBackup)
	// A second restore keeps the first kept file and adds another.
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Wait()
	if err := restoreCmd(context.Background(), []string{"-config", cfgPath, backup}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(data, "motcua.db.before-restore.2")); err != nil {
		t.Errorf("second restore: %v", err)
	}
	// Not a backup: refused before anything is touched.
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte("not sqlite"), 0o600)
	if err := restoreCmd(context.Background(), []string{"-config", cfgPath, junk}, &stdout, &stderr); err == nil {
		t.Error("restore of a junk file: got nil, want an error")
	}
	if _, err := os.Stat(filepath.Join(data, "motcua.db.before-restore.3")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused restore moved the database: %v", err)
	}
}

// ticketsIn returns the tickets issued in the log at path (id -> number)
// and checks that its seq runs 1..N without a gap.
func ticketsIn(t *testing.T, path string) map[string]string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n, first, last int64
	if err := db.QueryRow(`SELECT COUNT(*), MIN(seq), MAX(seq) FROM events`).Scan(&n, &first, &last); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if first != 1 || last != n {
		t.Errorf("%s: seq %d..%d in %d events, want 1..N", path, first, last, n)
	}
	rows, err := db.Query(`SELECT ticket, json_extract(data, '$.ticket.number') FROM events WHERE name = 'ticket.issued'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var id, number string
		if err := rows.Scan(&id, &number); err != nil {
			t.Fatal(err)
		}
		m[id] = number
	}
	return m
}

// TestDoctorCommand runs the doctor command on a room whose printer is the
// pty emulator: exit 0 with paper, exit 1 (errInvalid) without.
func TestDoctorCommand(t *testing.T) {
	dir := t.TempDir()
	em := printertest.New()
	link, err := printertest.StartPTY(em)
	if err != nil {
		t.Fatal(err)
	}
	defer link.Close()
	cfgPath := writeCrashConfig(t, dir, freePort(t))
	f, err := os.OpenFile(cfgPath, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("\n[printer]\naddress = \"serial:" + link.Path() + "\"\n")
	f.Close()
	os.MkdirAll(filepath.Join(dir, "data"), 0o750)

	var out, errb bytes.Buffer
	if err := doctorCmd(context.Background(), []string{"-config", cfgPath, "-timeout", "4s"}, &out, &errb); err != nil {
		t.Errorf("printer with paper: got %v, want nil\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "[ OK ] printer") {
		t.Errorf("report lacks the printer:\n%s", out.String())
	}
	em.SetPaper(printertest.PaperOut)
	out.Reset()
	if err := doctorCmd(context.Background(), []string{"-config", cfgPath, "-timeout", "4s", "-json"}, &out, &errb); !errors.Is(err, errInvalid) {
		t.Errorf("no paper: got %v, want errInvalid", err)
	}
	var rs []struct{ Check, Level, VI, EN string }
	if err := json.Unmarshal(out.Bytes(), &rs); err != nil {
		t.Fatalf("-json: %v\n%s", err, out.String())
	}
	found := false
	for _, r := range rs {
		if r.Check == "printer" {
			found = r.Level == "fail" && strings.Contains(r.VI, "hết giấy")
		}
	}
	if !found {
		t.Errorf("no failing printer result in %+v", rs)
	}
}
