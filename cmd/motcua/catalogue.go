package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"motcua/kiosk/catalogue"
	"motcua/kiosk/config"
)

const catalogueUsage = "motcua catalogue import -config FILE CATALOGUE.json"

// catalogueCmd imports a procedure catalogue into the data directory. A
// running daemon reads it on its next reload; PUT /api/v1/catalogue puts
// one in force at once.
func catalogueCmd(_ context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "import" {
		fmt.Fprintf(stderr, "Usage: %s\n", catalogueUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			return nil
		}
		return errUsage
	}
	fs := newFlags("catalogue import", catalogueUsage, stderr)
	path := fs.String("config", "/etc/motcua/motcua.toml", "configuration `file`: its services and data directory")
	if err := parse(fs, args[1:], "one catalogue file"); err != nil {
		return err
	}
	cfg, err := config.LoadRun(*path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return errInvalid
	}
	x, err := catalogue.ImportFile(cfg.Server.DataDir, cfg.ServiceIDs(), fs.Arg(0))
	var ps catalogue.Problems
	if errors.As(err, &ps) {
		for _, p := range ps {
			fmt.Fprintf(stderr, "%s: %s\n", fs.Arg(0), p)
		}
		fmt.Fprintf(stderr, "%s: not imported (%d problems); the catalogue in force stays\n", fs.Arg(0), len(ps))
		return errInvalid
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: imported version %q, %d procedures in %d fields, into %s\n", fs.Arg(0), x.Version(), x.Len(), len(x.Fields()), cfg.Server.DataDir)
	fmt.Fprintln(stdout, "A running daemon takes it on its next reload (systemctl reload motcua).")
	return nil
}
