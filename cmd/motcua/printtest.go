package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"motcua/devices/escpos"
	"motcua/devices/printer"
	"motcua/kiosk/config"
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
	mode, err := escpos.ParseTextMode(*modeName)
	if err != nil {
		return err
	}
	paper, err := escpos.ParsePaper(*paperName)
	if err != nil {
		return err
	}
	pt := unit.PrintTest{
		Options:  printer.Options{Baud: *baud, Flow: *flow},
		Layout:   escpos.Layout{Paper: paper, Mode: mode},
		OnStatus: func(st printer.Status) { fmt.Fprintln(stdout, "printer:", unit.StatusLine(st)) },
	}
	if dir, ok := strings.CutPrefix(*addr, "sim:"); ok {
		pt.Endpoint, pt.SimDir = config.Endpoint{Scheme: "sim"}, dir
	} else if pt.Endpoint, err = config.ParseEndpoint(*addr); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	res, err := pt.Run(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "printed: %d bytes (%s, %s mm) in %.2f s; encoding took %.1f ms\n",
		res.Bytes, mode, strings.TrimSuffix(paper.String(), "mm"), res.Print.Seconds(), float64(res.Encode.Microseconds())/1000)
	for _, b := range []int{9600, 19200, 115200} {
		fmt.Fprintf(stdout, "  wire time at %6d baud (8N1): %.2f s\n", b, float64(res.Bytes*10)/float64(b))
	}
	switch {
	case res.SimFile != "":
		fmt.Fprintf(stdout, "simulated ticket: %s\n", res.SimFile)
	case res.SimulatedNoDir:
		fmt.Fprintln(stdout, "simulated ticket: no picture kept; give -printer sim:DIR to keep one")
	}
	if res.Status.Level != printer.LevelOK {
		return errors.New("printer: " + unit.StatusLine(res.Status))
	}
	return nil
}
