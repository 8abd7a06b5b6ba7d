package main

import (
	"bufio"
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
	loc := cfg.Location
	if loc == nil {
		loc = time.Local
	}
	if *from == "" {
		*from = time.Now().In(loc).Format(time.DateOnly)
	}
	if *to == "" {
		*to = *from
	}
	q := report.Query{From: *from, To: *to, By: report.Grouping(*by)}
	f := report.Format(*format)
	if err := q.Check(); err != nil {
		fmt.Fprintln(stderr, err)
		fs.Usage()
		return errUsage
	}
	if f.ContentType() == "application/octet-stream" {
		fmt.Fprintln(stderr, report.ErrBadFormat)
		fs.Usage()
		return errUsage
	}
	rep, err := report.FromDataDir(ctx, cfg, q, *noCache, func(err error) {
		fmt.Fprintf(stderr, "motcua report: working without a cache: %v\n", err)
	})
	if err != nil {
		return err
	}
	if *out == "" {
		w := bufio.NewWriter(stdout)
		if err := rep.Write(w, f); err != nil {
			return err
		}
		return w.Flush()
	}
	return report.WriteFile(*out, func(w io.Writer) error { return rep.Write(w, f) })
}
