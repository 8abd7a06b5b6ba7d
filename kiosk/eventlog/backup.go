package eventlog

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// Summary describes a copy of the event log: how many events it holds and
// the last seq.
type Summary struct {
	Events int64
	Last   int64
	Bytes  int64 // size of the file
}

// Backup writes a consistent copy of the event log of the data directory
// dir to the new file dst, also while a daemon writes to it: VACUUM INTO
// through a read-only connection sees one snapshot of the WAL database. It
// does not take the directory's lock. The copy is written beside dst and
// renamed, so a half-written file never has its name.
func Backup(ctx context.Context, dir, dst string) (Summary, error) {
	src := filepath.Join(dir, FileName)
	if _, err := os.Stat(src); err != nil {
		return Summary{}, fmt.Errorf("eventlog: nothing to back up: %w", err)
	}
	dst, err := filepath.Abs(dst)
	if err != nil {
		return Summary{}, err
	}
	if st, err := os.Stat(filepath.Dir(dst)); err != nil || !st.IsDir() {
		return Summary{}, fmt.Errorf("eventlog: the backup's folder %s does not exist; create it first or choose another", filepath.Dir(dst))
	}
	if _, err := os.Stat(dst); err == nil {
		return Summary{}, fmt.Errorf("eventlog: %s exists; choose a new file name", dst)
	}
	tmp := dst + ".partial"
	os.Remove(tmp)
	db, err := sql.Open("sqlite", "file:"+src+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return Summary{}, err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		os.Remove(tmp)
		return Summary{}, fmt.Errorf("eventlog: copy %s to %s: %w", src, tmp, err)
	}
	sum, err := Verify(ctx, tmp)
	if err == nil {
		err = syncPath(tmp)
	}
	if err == nil {
		err = os.Rename(tmp, dst)
	}
	if err == nil {
		err = syncPath(filepath.Dir(dst))
	}
	if err != nil {
		os.Remove(tmp)
		return Summary{}, err
	}
	return sum, nil
}

// Restored says what [Restore] did.
type Restored struct {
	Summary
	DB   string // the database restored into
	Kept string // the database it replaced, renamed; "" when there was none
}

// Restore replaces the event log of dir with the backup file. It refuses
// while a daemon runs (the directory is locked: [ErrLocked]) and holds the
// lock itself, so that no daemon starts halfway. The database it replaces
// is kept as motcua.db.before-restore (with its -wal, if the daemon
// crashed).
func Restore(ctx context.Context, dir, backup string) (Restored, error) {
	sum, err := Verify(ctx, backup)
	if err != nil {
		return Restored{}, fmt.Errorf("eventlog: %s is not a usable motcua backup: %w", backup, err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return Restored{}, fmt.Errorf("eventlog: data directory: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return Restored{}, err
	}
	defer lock.Close()
	db := filepath.Join(dir, FileName)
	res := Restored{Summary: sum, DB: db}
	if exists(db) {
		kept := db + ".before-restore"
		for i := 2; exists(kept) || exists(kept+"-wal"); i++ {
			kept = db + ".before-restore." + strconv.Itoa(i)
		}
		// The -wal of a daemon that crashed holds committed events: it
		// moves with its database (SQLite finds NAME-wal beside NAME).
		if err := os.Rename(db, kept); err != nil {
			return Restored{}, err
		}
		if exists(db + "-wal") {
			if err := os.Rename(db+"-wal", kept+"-wal"); err != nil {
				return Restored{}, err
			}
		}
		res.Kept = kept
	}
	os.Remove(db + "-shm")
	os.Remove(db + "-journal")
	if err := copyFile(backup, db+".restoring"); err != nil {
		return Restored{}, err
	}
	if st, err := os.Stat(dir); err == nil {
		if sys, ok := st.Sys().(*syscall.Stat_t); ok {
			// Running as root: the service user, who owns the
			// directory, must own the database.
			os.Chown(db+".restoring", int(sys.Uid), int(sys.Gid))
		}
	}
	if err := os.Rename(db+".restoring", db); err != nil {
		return Restored{}, err
	}
	return res, syncPath(dir)
}

// Verify checks that path is a sound SQLite file with a motcua event log
// whose seq runs without a gap from its first kept event to its last.
func Verify(ctx context.Context, path string) (Summary, error) {
	st, err := os.Stat(path)
	if err != nil {
		return Summary{}, err
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return Summary{}, err
	}
	defer db.Close()
	var check string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil {
		return Summary{}, err
	}
	if check != "ok" {
		return Summary{}, fmt.Errorf("integrity check: %s", check)
	}
	var n, first, last int64
	err = db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MIN(seq), 0), COALESCE(MAX(seq), 0) FROM events`).Scan(&n, &first, &last)
	if err != nil {
		return Summary{}, fmt.Errorf("no event log in it: %w", err)
	}
	if n > 0 && last-first+1 != n {
		return Summary{}, fmt.Errorf("events %d..%d with %d missing", first, last, last-first+1-n)
	}
	return Summary{Events: n, Last: last, Bytes: st.Size()}, nil
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if err != nil {
		out.Close()
		os.Remove(dst)
		return fmt.Errorf("eventlog: copy %s: %w", src, err)
	}
	return out.Close()
}

func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
