package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"motcua/kiosk/config"
	"motcua/kiosk/report"
)

// reportCmd writes the figures of a date range. It opens the event log
// read-only, without the data directory's lock, so it runs beside the
// daemon; finished days are cached in DATA_DIR/reports.db.
func reportCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("report", "motcua report -config FILE -from YYYY-MM-DD -to YYYY-MM-DD -by service|counter|officer|day|month -format csv|xlsx|html [-o FILE]", stderr)
	path := fs.String("config", "/etc/motcua/motcua.toml", "configuration `file`")
	from := fs.String("from", "", "first `day`, YYYY-MM-DD (default: today)")
	to := fs.String("to", "", "last `day`, YYYY-MM-DD, included (default: from)")
	by := fs.String("by", "service", "rows by `kind`: service, counter, officer, day or month")
	format := fs.String("format", "csv", "`format`: csv, xlsx, html or json")
	out := fs.String("o", "", "output `file` (default: standard output)")
	data := fs.String("data", "", "data `directory` (default: server.data_dir of the configuration)")
	noCache := fs.Bool("no-cache", false, "do not read or write DATA_DIR/reports.db")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := config.Load(*path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return errInvalid
	}
	if *data != "" {
		cfg.Server.DataDir = *data
	}
	if err := cfg.RequireDataDir(); err != nil {
		fmt.Fprintln(stderr, err)
		return errInvalid
	}
	x := report.Export{Query: report.Query{From: *from, To: *to, By: report.Grouping(*by)}, Format: report.Format(*format), Out: *out, NoCache: *noCache}
	if err := x.Resolve(time.Now(), cfg.Location); err != nil {
		fmt.Fprintln(stderr, err)
		fs.Usage()
		return errUsage
	}
	return x.Run(ctx, cfg, stdout, func(err error) {
		fmt.Fprintf(stderr, "motcua report: working without a cache: %v\n", err)
	})
}
