package printer_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"motcua/devices/escpos"
	"motcua/devices/printer"
)

// Print waits for its own job's result: printed on a ready printer, the
// reason when the printer cannot print, and ErrHalted after Halt.
func TestPrintWaitsForTheResult(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sup, err := printer.New(printer.Config{
		Name: "sim",
		Open: func(context.Context) (io.ReadWriteCloser, error) { return printer.NewSim("", escpos.Paper80) },
	})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- sup.Run(ctx) }()
	job := []byte{0x1b, '@', 'A', 0x1d, 'V', 0}
	for _, id := range []string{"a", "b"} {
		if err := sup.Print(ctx, printer.Job{ID: id, Data: job}); err != nil {
			t.Errorf("job %s: got %v, want printed", id, err)
		}
	}
	if err := sup.Halt(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	if err := sup.Print(ctx, printer.Job{ID: "c", Data: job}); !errors.Is(err, printer.ErrHalted) {
		t.Errorf("after Halt: got %v, want ErrHalted", err)
	}
}

// In FailFast mode a job for a printer that cannot be opened fails at
// once with the open's own error, which names the cause.
func TestPrintFailFastSaysWhy(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	clk := newFakeClock()
	sup, err := printer.New(printer.Config{
		Name:     "lp",
		Open:     func(context.Context) (io.ReadWriteCloser, error) { return printer.OpenLP(t.TempDir() + "/lp9") },
		FailFast: true,
		Clock:    clk,
	})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- sup.Run(ctx) }()
	recv(t, ctx, clk.asked) // the first open failed; Run waits to retry
	errc := make(chan error, 1)
	go func() { errc <- sup.Print(ctx, printer.Job{ID: "x", Data: []byte("x")}) }()
	// Each retry fails the jobs queued by then; retry until ours is.
	for err == nil {
		clk.fire(time.Hour)
		select {
		case err = <-errc:
		case <-clk.asked:
		case <-ctx.Done():
			t.Fatal("timed out")
		}
	}
	if !errors.Is(err, printer.ErrNotReady) || !strings.Contains(err.Error(), "no such device") {
		t.Errorf("got %v, want ErrNotReady naming the missing device", err)
	}
	sup.Halt()
	<-done
}
