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

// toned is every Vietnamese vowel with every tone, and đ, both cases.
var toned = []string{
	"a à á ả ã ạ  ă ằ ắ ẳ ẵ ặ  â ầ ấ ẩ ẫ ậ",
	"e è é ẻ ẽ ẹ  ê ề ế ể ễ ệ  i ì í ỉ ĩ ị",
	"o ò ó ỏ õ ọ  ô ồ ố ổ ỗ ộ  ơ ờ ớ ở ỡ ợ",
	"u ù ú ủ ũ ụ  ư ừ ứ ử ữ ự  y ỳ ý ỷ ỹ ỵ  đ",
	"A À Á Ả Ã Ạ  Ă Ằ Ắ Ẳ Ẵ Ặ  Â Ầ Ấ Ẩ Ẫ Ậ",
	"E È É Ẻ Ẽ Ẹ  Ê Ề Ế Ể Ễ Ệ  I Ì Í Ỉ Ĩ Ị",
	"O Ò Ó Ỏ Õ Ọ  Ô Ồ Ố Ổ Ỗ Ộ  Ơ Ờ Ớ Ở Ỡ Ợ",
	"U Ù Ú Ủ Ũ Ụ  Ư Ừ Ứ Ử Ữ Ự  Y Ỳ Ý Ỷ Ỹ Ỵ  Đ",
}

// sampleTicket is the print-test ticket: a pangram of Truyện Kiều's first
// lines and every toned vowel.
func sampleTicket(now time.Time) escpos.Ticket {
	return escpos.Ticket{
		Unit:     "MOTCUA – IN THỬ",
		Service:  "Lĩnh vực: Tư pháp – Hộ tịch",
		Number:   "A023",
		Priority: true,
		Issued:   now,
		Ahead:    4,
		Wait:     12 * time.Minute,
		QR:       "https://dichvucong.example.gov.vn/q/print-test/A023",
		Footer:   "Xin cảm ơn quý khách!",
		Lines: append([]string{
			"Trăm năm trong cõi người ta,",
			"chữ tài chữ mệnh khéo là ghét nhau.",
		}, toned...),
	}
}

func printTest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("print-test", "motcua print-test -printer ADDR [-mode raster|tcvn3|ascii] [-paper 58|80]", stderr)
	addr := fs.String("printer", "", "printer `address`: serial:/dev/ttyUSB0, usb:VID:PID[:SERIAL], lp:/dev/usb/lp0, tcp:HOST:9100 or sim:DIR")
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
	r, err := escpos.NewRenderer()
	if err != nil {
		return err
	}
	start := time.Now()
	data, err := r.Render(sampleTicket(start), escpos.Layout{Paper: paper, Mode: mode})
	if err != nil {
		return err
	}
	encoded := time.Since(start)

	e, simDir, err := printTarget(*addr)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	opts := printer.Options{Baud: *baud, Flow: *flow}
	var simDev *printer.Sim // the simulated printer, once opened
	sup, err := printer.New(printer.Config{
		Name: e.String(),
		Open: func(ctx context.Context) (io.ReadWriteCloser, error) {
			rw, err := unit.OpenPrinter(ctx, e, opts, simDir, paper)
			if s, ok := rw.(*printer.Sim); ok {
				simDev = s
			}
			return rw, err
		},
		OnStatus: func(st printer.Status) { fmt.Fprintln(stdout, "printer:", statusLine(st)) },
		Backoff:  func(int) time.Duration { return time.Second },
	})
	if err != nil {
		return err
	}
	runErr := make(chan error, 1)
	go func() { runErr <- sup.Run(ctx) }()
	defer func() {
		sup.Halt()
		<-runErr
	}()
	sent := time.Now()
	if err := sup.Print(ctx, printer.Job{ID: "print-test", Data: data}); err != nil {
		return fmt.Errorf("the test ticket did not print within %s; the printer says: %s", *timeout, statusLine(sup.Status()))
	}
	took := time.Since(sent)
	fmt.Fprintf(stdout, "printed: %d bytes (%s, %s mm) in %.2f s; encoding took %.1f ms\n",
		len(data), mode, strings.TrimSuffix(paper.String(), "mm"), took.Seconds(), float64(encoded.Microseconds())/1000)
	for _, b := range []int{9600, 19200, 115200} {
		fmt.Fprintf(stdout, "  wire time at %6d baud (8N1): %.2f s\n", b, float64(len(data)*10)/float64(b))
	}
	if simDev != nil {
		if files := simDev.Files(); len(files) > 0 {
			fmt.Fprintf(stdout, "simulated ticket: %s\n", files[len(files)-1])
		} else {
			fmt.Fprintln(stdout, "simulated ticket: no picture kept; give -printer sim:DIR to keep one")
		}
	}
	if st := sup.Status(); st.Level != printer.LevelOK {
		return errors.New("printer: " + statusLine(st))
	}
	return nil
}

// printTarget parses print-test's -printer: a device address as the
// configuration takes it, or sim:DIR for a simulated printer that keeps a
// picture of the ticket in DIR.
func printTarget(addr string) (config.Endpoint, string, error) {
	if dir, ok := strings.CutPrefix(addr, "sim:"); ok {
		return config.Endpoint{Scheme: "sim"}, dir, nil
	}
	e, err := config.ParseEndpoint(addr)
	return e, "", err
}

// statusLine says a printer status in both languages, with the error
// behind it ("no such device", "connection refused"), which the advice
// alone would hide.
func statusLine(st printer.Status) string {
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
