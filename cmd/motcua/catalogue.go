package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"motcua/kiosk/catalogue"
	"motcua/kiosk/config"
)

const catalogueUsage = "motcua catalogue import -config FILE CATALOGUE.json"

// catalogueCmd imports a procedure catalogue into the data directory. A
// running daemon reads it on its next reload; PUT /api/v1/catalogue puts
// one in force at once.
func catalogueCmd(_ context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "import" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			fmt.Fprintf(stderr, "Usage: %s\n", catalogueUsage)
			return nil
		}
		fmt.Fprintf(stderr, "Usage: %s\n", catalogueUsage)
		return errUsage
	}
	fs := newFlags("catalogue import", catalogueUsage, stderr)
	path := fs.String("config", "/etc/motcua/motcua.toml", "configuration `file`: its services and data directory")
	if err := parse(fs, args[1:], "one catalogue file"); err != nil {
		return err
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return errInvalid
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	s, err := catalogue.Open(cfg.Server.DataDir, cfg.ServiceIDs(), nil)
	if err != nil {
		return err
	}
	x, err := s.Import(data)
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

// checkCatalogue warns, for "motcua check", about procedures of the
// catalogue in the data directory whose service the configuration no
// longer has.
func checkCatalogue(cfg *config.Config, stdout io.Writer) error {
	ps, err := catalogue.Unserved(cfg.Server.DataDir, cfg.ServiceIDs())
	if err != nil {
		return err
	}
	for _, p := range ps {
		fmt.Fprintf(stdout, "warning: %s: %s\n", filepath.Join(cfg.Server.DataDir, catalogue.FileName), p)
	}
	return nil
}
