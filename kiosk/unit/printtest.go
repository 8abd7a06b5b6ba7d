package unit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"motcua/backoff"
	"motcua/devices/escpos"
	"motcua/devices/printer"
	"motcua/kiosk/config"
)

// PrintTest is the sample ticket of 'motcua print-test' on one printer.
type PrintTest struct {
	Endpoint config.Endpoint
	SimDir   string // a "sim" printer keeps the ticket's picture here ("" = none)
	Options  printer.Options
	Layout   escpos.Layout
	// OnStatus is told each status of the printer, as it changes.
	OnStatus func(printer.Status)
}

// PrintTestResult is what a print test measured.
type PrintTestResult struct {
	Bytes          int           // of the ticket
	Encode, Print  time.Duration // rendering it; sending it until the printer took it
	SimFile        string        // the simulated ticket's picture, if one was kept
	Status         printer.Status
	SimulatedNoDir bool // a simulated printer without SimDir: no picture
}

// Run prints escpos.SampleTicket and waits until the printer took it or
// ctx ends. The error says what the printer reports, with the cause
// behind it ("no such device", "connection refused").
func (p PrintTest) Run(ctx context.Context) (PrintTestResult, error) {
	var res PrintTestResult
	r, err := escpos.NewRenderer()
	if err != nil {
		return res, err
	}
	start := time.Now()
	data, err := r.Render(escpos.SampleTicket(start), p.Layout)
	if err != nil {
		return res, err
	}
	res.Bytes, res.Encode = len(data), time.Since(start)
	var sim *printer.Sim // the simulated printer, once opened
	sup, err := printer.New(printer.Config{
		Name: p.Endpoint.String(),
		Open: func(ctx context.Context) (io.ReadWriteCloser, error) {
			rw, err := OpenPrinter(ctx, p.Endpoint, p.Options, p.SimDir, p.Layout.Paper)
			if s, ok := rw.(*printer.Sim); ok {
				sim = s
			}
			return rw, err
		},
		OnStatus: p.OnStatus,
		Backoff:  backoff.Policy{Min: time.Second, Max: time.Second},
	})
	if err != nil {
		return res, err
	}
	runErr := make(chan error, 1)
	go func() { runErr <- sup.Run(ctx) }()
	defer func() {
		sup.Halt()
		<-runErr
	}()
	sent := time.Now()
	err = sup.Print(ctx, printer.Job{ID: "print-test", Data: data})
	res.Print, res.Status = time.Since(sent), sup.Status()
	if err != nil {
		return res, fmt.Errorf("unit: the test ticket did not print; the printer says: %s", StatusLine(res.Status))
	}
	if sim != nil {
		files := sim.Files()
		if len(files) > 0 {
			res.SimFile = files[len(files)-1]
		}
		res.SimulatedNoDir = len(files) == 0
	}
	return res, nil
}

// StatusLine says a printer status in both languages, with the error
// behind it, which the advice alone ("check cable and power") would hide.
func StatusLine(st printer.Status) string {
	s := string(st.Level)
	if st.DetailEN != "" {
		s += ": " + st.DetailEN
	}
	if st.Detail != "" {
		s += " (" + st.Detail + ")"
	}
	if st.Err != nil {
		s += "; cause: " + st.Err.Error()
	}
	return s
}

// SetAddress sets the printer of p from a print-test address: one that
// config takes (serial:/dev/ttyUSB0, usb:VID:PID, tcp:HOST:9100, ...), or
// sim:DIR, a simulated printer keeping the ticket's picture in DIR.
func (p *PrintTest) SetAddress(addr string) error {
	if dir, ok := strings.CutPrefix(addr, "sim:"); ok {
		p.Endpoint, p.SimDir = config.Endpoint{Scheme: "sim"}, dir
		return nil
	}
	e, err := config.ParseEndpoint(addr)
	if err != nil {
		return err
	}
	p.Endpoint, p.SimDir = e, ""
	return nil
}

// WriteResult writes what the print test measured: the ticket's size and
// times, its wire time at the usual serial speeds and where a simulated
// ticket's picture went. It returns the printer's status as an error when
// the printer is not ok after the print.
func (p PrintTest) WriteResult(w io.Writer, res PrintTestResult) error {
	fmt.Fprintf(w, "printed: %d bytes (%s, %s mm) in %.2f s; encoding took %.1f ms\n",
		res.Bytes, p.Layout.Mode, strings.TrimSuffix(p.Layout.Paper.String(), "mm"), res.Print.Seconds(), float64(res.Encode.Microseconds())/1000)
	for _, b := range []int{9600, 19200, 115200} {
		fmt.Fprintf(w, "  wire time at %6d baud (8N1): %.2f s\n", b, float64(res.Bytes*10)/float64(b))
	}
	switch {
	case res.SimFile != "":
		fmt.Fprintf(w, "simulated ticket: %s\n", res.SimFile)
	case res.SimulatedNoDir:
		fmt.Fprintln(w, "simulated ticket: no picture kept; give -printer sim:DIR to keep one")
	}
	if res.Status.Level != printer.LevelOK {
		return errors.New("printer: " + StatusLine(res.Status))
	}
	return nil
}
