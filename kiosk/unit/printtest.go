package unit

import (
	"context"
	"fmt"
	"io"
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
