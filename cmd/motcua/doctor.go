package main

import (
	"context"
	"io"
	"time"

	"motcua/internal/doctor"
)

// doctorCmd checks the installation and explains each finding in
// Vietnamese and English; it fails (exit 1) when something would stop the
// room working.
func doctorCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("doctor", "motcua doctor -config FILE [-timeout D] [-json]", stderr)
	path := fs.String("config", "/etc/motcua/motcua.toml", "configuration `file` to check")
	timeout := fs.Duration("timeout", 3*time.Second, "how long each device and network check may take")
	asJSON := fs.Bool("json", false, "print the results as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	rs := doctor.Run(ctx, *path, doctor.Options{Timeout: *timeout})
	var err error
	if *asJSON {
		err = doctor.WriteJSON(stdout, rs)
	} else {
		err = doctor.Write(stdout, rs)
	}
	if err != nil {
		return err
	}
	if doctor.Failed(rs) {
		return errInvalid
	}
	return nil
}
