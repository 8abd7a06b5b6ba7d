package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"motcua/devices/escpos"
	"motcua/devices/printer"
	"motcua/kiosk/unit"
)

func printTest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("print-test", "motcua print-test -printer ADDR [-mode raster|tcvn3|ascii] [-paper 58|80]", stderr)
	addr := fs.String("printer", "", "printer `address`: serial:/dev/ttyUSB0, usb:VID:PID[:SERIAL], lp:/dev/usb/lp0, tcp:HOST:9100, sim or sim:DIR (keeps a PNG in DIR)")
	modeName := fs.String("mode", "raster", "how Vietnamese is printed: raster, tcvn3 or ascii")
	paperName := fs.String("paper", "80", "paper width in mm: 58 or 80")
	baud := fs.Int("baud", 19200, "serial speed")
	flow := fs.String("flow", "none", "serial flow control: none, rtscts or xonxoff")
	timeout := fs.Duration("timeout", 60*time.Second, "how long to wait for the printer")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *addr == "" {
		fmt.Fprintln(stderr, "print-test: -printer is required, e.g. -printer usb:0416:5011 (see 'motcua devices')")
		return errUsage
	}
	layout, err := escpos.ParseLayout(*modeName, *paperName)
	if err != nil {
		return err
	}
	pt := unit.PrintTest{
		Options:  printer.Options{Baud: *baud, Flow: *flow},
		Layout:   layout,
		OnStatus: func(st printer.Status) { fmt.Fprintln(stdout, "printer:", unit.StatusLine(st)) },
	}
	if err := pt.SetAddress(*addr); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	res, err := pt.Run(ctx)
	if err != nil {
		return err
	}
	return pt.WriteResult(stdout, res)
}
