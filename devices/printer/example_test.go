package printer_test

import (
	"context"
	"fmt"
	"io"

	"motcua/devices/escpos"
	"motcua/devices/printer"
)

func Example() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	r, err := escpos.NewRenderer()
	if err != nil {
		panic(err)
	}
	job, err := r.Render(escpos.Ticket{Unit: "UBND XÃ QUỲNH HẢI", Number: "A001"}, escpos.Layout{Mode: escpos.TCVN3})
	if err != nil {
		panic(err)
	}

	results := make(chan printer.Result, 1)
	sup, err := printer.New(printer.Config{
		Name: "sim",
		Open: func(ctx context.Context) (io.ReadWriteCloser, error) {
			return printer.NewSim("", escpos.Paper80) // a directory instead of "" gets PNGs
		},
		OnStatus: func(s printer.Status) { fmt.Println("status:", s.Level, s.Code) },
		OnResult: func(r printer.Result) { results <- r },
	})
	if err != nil {
		panic(err)
	}
	done := make(chan error, 1)
	go func() { done <- sup.Run(ctx) }()

	if err := sup.Submit(printer.Job{ID: "A001", Data: job}); err != nil {
		panic(err)
	}
	res := <-results
	fmt.Println("printed:", res.ID, res.Printed, res.Err)
	if err := sup.Halt(); err != nil {
		panic(err)
	}
	fmt.Println("run:", <-done)
	// Output:
	// status: ok ok
	// printed: A001 true <nil>
	// run: <nil>
}
