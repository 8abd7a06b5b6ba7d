package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"motcua/kiosk/config"
	"motcua/kiosk/eventlog"
)

// backupCmd writes a consistent copy of the event log while the daemon
// runs: VACUUM INTO through a read-only connection sees one snapshot of
// the WAL database, whatever the daemon writes meanwhile. It does not
// take the data directory's lock.
func backupCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("backup", "motcua backup -config FILE -o FILE", stderr)
	path := fs.String("config", "/etc/motcua/motcua.toml", "configuration `file` (for server.data_dir)")
	out := fs.String("o", "", "backup `file` to write (must not exist)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		fmt.Fprintln(stderr, "motcua backup: -o FILE is required")
		fs.Usage()
		return errUsage
	}
	dir, err := dataDir(*path, stderr)
	if err != nil {
		return err
	}
	src := filepath.Join(dir, eventlog.FileName)
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("nothing to back up: %w", err)
	}
	dst, err := filepath.Abs(*out)
	if err != nil {
		return err
	}
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("%s exists; choose a new file name", dst)
	}
	// Write next to the target and rename, so a half-written file never
	// has the backup's name.
	tmp := dst + ".partial"
	os.Remove(tmp)
	db, err := sql.Open("sqlite", "file:"+src+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("copy %s: %w", src, err)
	}
	n, last, err := verifyDB(ctx, tmp)
	if err == nil {
		err = syncFile(tmp)
	}
	if err == nil {
		err = os.Rename(tmp, dst)
	}
	if err == nil {
		err = syncFile(filepath.Dir(dst))
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	st, _ := os.Stat(dst)
	fmt.Fprintf(stdout, "backup %s: %d events, up to seq %d, %d bytes\n", dst, n, last, st.Size())
	return nil
}

// restoreCmd replaces the event log with a backup. It refuses while the
// daemon runs (the data directory is locked), and holds the lock itself so
// the daemon cannot start halfway. The database it replaces is kept as
// motcua.db.before-restore (with its -wal, if the daemon crashed).
func restoreCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usageLine := "motcua restore -config FILE BACKUP"
	fs := newFlags("restore", usageLine, stderr)
	path := fs.String("config", "/etc/motcua/motcua.toml", "configuration `file` (for server.data_dir)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "motcua restore: give exactly one backup file")
		fs.Usage()
		return errUsage
	}
	backup := fs.Arg(0)
	dir, err := dataDir(*path, stderr)
	if err != nil {
		return err
	}
	n, last, err := verifyDB(ctx, backup)
	if err != nil {
		return fmt.Errorf("%s is not a usable motcua backup: %w", backup, err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	lock, err := os.OpenFile(filepath.Join(dir, "motcua.lock"), os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		pid, _ := io.ReadAll(lock)
		return fmt.Errorf("motcua is running on %s (pid %s); stop it first: sudo systemctl stop motcua", dir, strings.TrimSpace(string(pid)))
	}
	db := filepath.Join(dir, eventlog.FileName)
	kept := ""
	if _, err := os.Stat(db); err == nil {
		kept = db + ".before-restore"
		for i := 2; exists(kept) || exists(kept+"-wal"); i++ {
			kept = db + ".before-restore." + strconv.Itoa(i)
		}
		// The -wal of a daemon that crashed holds committed events: it
		// moves with its database (SQLite finds NAME-wal beside NAME).
		if err := os.Rename(db, kept); err != nil {
			return err
		}
		if exists(db + "-wal") {
			if err := os.Rename(db+"-wal", kept+"-wal"); err != nil {
				return err
			}
		}
	}
	os.Remove(db + "-shm")
	os.Remove(db + "-journal")
	if err := copyFile(backup, db+".restoring"); err != nil {
		return err
	}
	if st, err := os.Stat(dir); err == nil {
		if sys, ok := st.Sys().(*syscall.Stat_t); ok {
			// Running as root: the service user, who owns the
			// directory, must own the database.
			os.Chown(db+".restoring", int(sys.Uid), int(sys.Gid))
		}
	}
	if err := os.Rename(db+".restoring", db); err != nil {
		return err
	}
	if err := syncFile(dir); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s into %s: %d events, up to seq %d\n", backup, db, n, last)
	if kept != "" {
		fmt.Fprintf(stdout, "the previous database is kept as %s\n", kept)
	}
	fmt.Fprintln(stdout, "start the daemon again: sudo systemctl start motcua")
	return nil
}

func dataDir(path string, stderr io.Writer) (string, error) {
	cfg, err := config.Load(path)
	if err == nil {
		err = cfg.RequireDataDir()
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return "", errInvalid
	}
	return cfg.Server.DataDir, nil
}

// verifyDB checks that path is a sound SQLite file with a motcua event
// log whose seq runs 1..N (or from the first kept event) without a gap,
// and returns the number of events and the last seq.
func verifyDB(ctx context.Context, path string) (n, last int64, err error) {
	if _, err := os.Stat(path); err != nil {
		return 0, 0, err
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	var check string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil {
		return 0, 0, err
	}
	if check != "ok" {
		return 0, 0, fmt.Errorf("integrity check: %s", check)
	}
	var first int64
	err = db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MIN(seq), 0), COALESCE(MAX(seq), 0) FROM events`).Scan(&n, &first, &last)
	if err != nil {
		return 0, 0, fmt.Errorf("no event log in it: %w", err)
	}
	if n > 0 && last-first+1 != n {
		return 0, 0, fmt.Errorf("events %d..%d with %d missing", first, last, last-first+1-n)
	}
	return n, last, nil
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
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(dst)
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		os.Remove(dst)
		return err
	}
	return out.Close()
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
