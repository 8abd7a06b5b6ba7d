// Command printeremu serves the ESC/POS printer emulator of package
// printertest on a pseudo-terminal, for the boot test
// (.ci/target-test.sh), which binds the terminal into a container as the
// serial printer /dev/ttyUSB0. It prints the terminal's path, then one
// line per job received: "job N: " and the job's printable ASCII (a
// ticket printed in "ascii" mode shows its number). It runs until it is
// sent SIGTERM or SIGINT.
//
//	go build -o printeremu ./devices/printer/printertest/printeremu
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"motcua/devices/printer/printertest"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "printeremu:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	em := printertest.New()
	p, err := printertest.StartPTY(em)
	if err != nil {
		return err
	}
	defer p.Close()
	fmt.Println(p.Path())
	printed := 0
	for {
		err := em.Wait(ctx, func(s printertest.Snapshot) bool { return s.Jobs > printed })
		if err != nil {
			return nil // stopped
		}
		jobs := em.Jobs()
		for _, j := range jobs[printed:] {
			printed++
			fmt.Printf("job %d: %s\n", printed, printable(j))
		}
	}
}

// printable keeps a job's printable ASCII, runs of anything else as one
// space.
func printable(b []byte) string {
	var s strings.Builder
	space := false
	for _, c := range b {
		if c >= 0x21 && c < 0x7f {
			s.WriteByte(c)
			space = false
		} else if !space {
			s.WriteByte(' ')
			space = true
		}
	}
	return s.String()
}
