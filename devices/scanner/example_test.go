package scanner_test

import (
	"context"
	"fmt"
	"io"

	"motcua/devices/scanner"
)

func Example() {
	sim := scanner.NewSim()
	scans := make(chan scanner.Scan, 1)
	dev, err := scanner.New(scanner.Config{
		Name:   "sim",
		Kind:   scanner.KindSim,
		Open:   func(context.Context) (io.ReadCloser, error) { return sim, nil },
		OnScan: func(s scanner.Scan) { scans <- s },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	done := make(chan error)
	go func() { done <- dev.Run(context.Background()) }()
	sim.Feed("HN-0042")
	fmt.Println((<-scans).Text)
	dev.Halt()
	fmt.Println(<-done)
	// Output:
	// HN-0042
	// <nil>
}
