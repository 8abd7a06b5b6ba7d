// Command motcua-gen writes a realistic, seeded history of a one-stop
// office into a new data directory, to try and measure the reports:
//
//	go run ./kiosk/report/gen/motcua-gen -data /tmp/motcua-year -from 2025-01-01 -days 365
//	motcua report -config demo.toml -data /tmp/motcua-year -from 2025-01-01 -to 2025-12-31 -by month -format html -o year.html
//
// It uses the configuration of "motcua demo" unless -config is given.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"motcua/kiosk/config"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/report/gen"
)

func main() {
	data := flag.String("data", "", "new data `directory` to write motcua.db into")
	cfgPath := flag.String("config", "", "configuration `file` (default: the demo's)")
	from := flag.String("from", "2025-01-01", "first `day`")
	days := flag.Int("days", 365, "calendar `days` to generate")
	perDay := flag.Int("tickets", 400, "tickets per weekday")
	seed := flag.Uint64("seed", 1, "random `seed`")
	flag.Parse()
	if *data == "" {
		fmt.Fprintln(os.Stderr, "motcua-gen: -data is required")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cfg := config.Demo()
	if *cfgPath != "" {
		var err error
		if cfg, err = config.Load(*cfgPath); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	log, err := eventlog.Open(*data)
	if err != nil {
		fmt.Fprintln(os.Stderr, "motcua-gen:", err)
		os.Exit(1)
	}
	start := time.Now()
	n, err := gen.Generate(ctx, cfg, log, gen.Options{Seed: *seed, From: *from, Days: *days, TicketsPerDay: *perDay})
	if cerr := log.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "motcua-gen:", err)
		os.Exit(1)
	}
	fmt.Printf("%d events in %s, %s\n", n, *data, time.Since(start).Round(time.Millisecond))
}
