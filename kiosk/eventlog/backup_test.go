package eventlog

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"motcua/kiosk/queue"
)

// A backup copies the log with its events; one to a folder that does not
// exist names that folder, not the database it copies from.
func TestBackupAndItsTarget(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.Enqueue([]queue.Event{{Seq: 1, Name: queue.DayStarted, Day: "2026-12-03"}})(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "b.db")
	sum, err := Backup(ctx, dir, out)
	if err != nil || sum.Events != 1 || sum.Last != 1 {
		t.Fatalf("backup: got %+v %v, want 1 event up to seq 1", sum, err)
	}
	if _, err := Backup(ctx, dir, out); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("backup over a file: got %v, want a refusal", err)
	}
	missing := filepath.Join(t.TempDir(), "no-such-folder")
	_, err = Backup(ctx, dir, filepath.Join(missing, "b.db"))
	if err == nil || !strings.Contains(err.Error(), missing) || strings.Contains(err.Error(), FileName) {
		t.Errorf("backup to a missing folder: got %v, want an error naming %s and not the database", err, missing)
	}
	if _, err := Restore(ctx, dir, out); err == nil {
		t.Error("restore while the log is open: got nil, want ErrLocked")
	}
	if pid, locked := Locked(dir); !locked || pid == "" {
		t.Errorf("Locked: got %q %v, want our pid, true", pid, locked)
	}
}
