// Command motcua is the queue daemon of a one-stop office ("bộ phận một
// cửa"): it issues tickets, calls them to counters, prints, drives
// displays and serves the kiosk, counter and board pages. Its subcommands
// (demo, run, check, devices, report, receiver, ...) are listed by
// [commands] and by "motcua -h"; each reads its flags here and runs what
// the packages under kiosk/, receiver/ and devices/ provide.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	buildversion "motcua/internal/version"
)

// version is stamped at build time: -ldflags "-X main.version=v1.2.3".
var version = ""

type command struct {
	name, usage, help string
	run               func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"demo", "motcua demo [-listen ADDR] [-data DIR]", "start a whole simulated room: printer, displays and buttons, no hardware", demo},
		{"run", "motcua run -config FILE", "run the daemon", run},
		{"check", "motcua check -config FILE", "validate a configuration file; one line per problem", check},
		{"devices", "motcua devices", "list the serial ports, GPIO chips, I2C and SPI buses, hidraw and input devices of this machine", devices},
		{"print-test", "motcua print-test -printer ADDR [-mode raster|tcvn3|ascii] [-paper 58|80]", "print a Vietnamese sample ticket; report status, bytes and time", printTest},
		{"satellite", satelliteUsage, "a second kiosk Pi: prints the main daemon's tickets of its [[kiosk]], issues through it", satelliteCmd},
		{"receiver", receiverUsage, "reference uplink receiver: stores the events of many units", receiverCmd},
		{"enrol", enrolUsage, "provision this new unit from the receiver with a one-time code", enrolCmd},
		{"enrolment", enrolmentUsage, "ask the receiver for a one-time enrolment code for a new unit", enrolmentCmd},
		{"report", "motcua report -config FILE -from DATE -to DATE -by KIND -format FMT", "figures for a date range: csv, xlsx or html", reportCmd},
		{"doctor", "motcua doctor -config FILE", "check the installation and explain each finding (Vietnamese and English)", doctorCmd},
		{"backup", "motcua backup -config FILE -o FILE", "write a consistent copy of the data, also while the daemon runs", backupCmd},
		{"restore", "motcua restore -config FILE BACKUP", "replace the data with a backup (the daemon must be stopped)", restoreCmd},
		{"catalogue", "motcua catalogue import -config FILE CATALOGUE.json", "check a procedure catalogue and keep it in the data directory", catalogueCmd},
		{"version", "motcua version", "print the version", printVersion},
	}
}

// errUsage marks an error already explained by the flag package.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Main runs one subcommand and returns the exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		switch {
		case err == nil, errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			return 2
		case errors.Is(err, errInvalid):
			return 1
		}
		fmt.Fprintf(stderr, "motcua %s: %v\n", c.name, err)
		return 1
	}
	fmt.Fprintf(stderr, "motcua: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "motcua: queue tickets, counters, printers and displays for a one-stop office")
	fmt.Fprintln(w, "\nUsage:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %s\n      %s\n", c.usage, c.help)
	}
	fmt.Fprintln(w, "\nRun 'motcua COMMAND -h' for a command's flags. Docs: README.md, docs/.")
}

// newFlags returns a flag set that prints its usage to stderr.
func newFlags(name, usageLine string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: %s\n", usageLine)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags and then len(want) positional arguments, want
// saying what each is ("one backup file"); none when want is empty.
func parse(fs *flag.FlagSet, args []string, want ...string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() == len(want) {
		return nil
	}
	if len(want) == 0 {
		fmt.Fprintf(fs.Output(), "unexpected argument %q\n", fs.Arg(0))
	} else {
		fmt.Fprintf(fs.Output(), "give %s\n", strings.Join(want, " and "))
	}
	fs.Usage()
	return errUsage
}

func printVersion(_ context.Context, args []string, stdout, stderr io.Writer) error {
	if err := parse(newFlags("version", "motcua version", stderr), args); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "motcua", versionString())
	return nil
}

func versionString() string { return buildversion.String(version) }

func newLogger(w io.Writer, debugLevel bool) *slog.Logger {
	lvl := slog.LevelInfo
	if debugLevel {
		lvl = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: lvl}))
}
