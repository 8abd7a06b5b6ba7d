package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"motcua/kiosk/config"
	"motcua/kiosk/eventlog"
)

// backupCmd writes a consistent copy of the event log, also while the
// daemon runs.
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
	sum, err := eventlog.Backup(ctx, dir, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup %s: %d events, up to seq %d, %d bytes\n", *out, sum.Events, sum.Last, sum.Bytes)
	return nil
}

// restoreCmd replaces the event log with a backup; the daemon must be
// stopped.
func restoreCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("restore", "motcua restore -config FILE BACKUP", stderr)
	path := fs.String("config", "/etc/motcua/motcua.toml", "configuration `file` (for server.data_dir)")
	if err := parse(fs, args, "one backup file"); err != nil {
		return err
	}
	dir, err := dataDir(*path, stderr)
	if err != nil {
		return err
	}
	res, err := eventlog.Restore(ctx, dir, fs.Arg(0))
	if errors.Is(err, eventlog.ErrLocked) {
		pid, _ := eventlog.Locked(dir)
		return fmt.Errorf("motcua is running on %s (pid %s); stop it first: sudo systemctl stop motcua", dir, pid)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s into %s: %d events, up to seq %d\n", fs.Arg(0), res.DB, res.Events, res.Last)
	if res.Kept != "" {
		fmt.Fprintf(stdout, "the previous database is kept as %s\n", res.Kept)
	}
	fmt.Fprintln(stdout, "start the daemon again: sudo systemctl start motcua")
	return nil
}

func dataDir(path string, stderr io.Writer) (string, error) {
	cfg, err := config.LoadRun(path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return "", errInvalid
	}
	return cfg.Server.DataDir, nil
}
