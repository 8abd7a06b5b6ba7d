package printer_test

import (
	"bytes"
	"errors"
	"image/png"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"motcua/devices/escpos"
	"motcua/devices/printer"
)

func TestOpenBadOptions(t *testing.T) {
	m, s, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	defer s.Close()
	for _, o := range []printer.Options{{Parity: "mark?"}, {StopBits: 3}, {Flow: "dtr"}} {
		if _, err := printer.OpenSerial(s.Name(), o); !errors.Is(err, printer.ErrOptions) {
			t.Errorf("%+v: got %v, want ErrOptions", o, err)
		}
	}
}

func TestOpenMissingDevice(t *testing.T) {
	_, err := printer.OpenLP(filepath.Join(t.TempDir(), "lp9"))
	if err == nil || !strings.Contains(err.Error(), "plugged in") {
		t.Errorf("got %v, want a hint to plug the printer in", err)
	}
	_, err = printer.FindUSB(0xffff, 0xfffe, "")
	if !errors.Is(err, printer.ErrNotFound) {
		t.Errorf("usb: got %v, want ErrNotFound", err)
	}
}

// TestSerialSettings opens a pty as a serial port and reads back the
// terminal settings the port got.
func TestSerialSettings(t *testing.T) {
	tests := []struct {
		name  string
		o     printer.Options
		check func(tt *unix.Termios) bool
	}{
		{"xonxoff even 19200", printer.Options{Baud: 19200, Parity: "even", Flow: "xonxoff"}, func(tt *unix.Termios) bool {
			// A pty clears PARENB whatever is asked; INPCK shows that
			// parity was requested.
			return tt.Iflag&unix.IXON != 0 && tt.Iflag&unix.IXOFF != 0 && tt.Iflag&unix.INPCK != 0 &&
				tt.Cflag&unix.PARODD == 0 && tt.Cflag&unix.CBAUD == unix.B19200 && tt.Cflag&unix.CRTSCTS == 0
		}},
		{"rtscts 115200 two stop bits", printer.Options{Baud: 115200, Flow: "rtscts", StopBits: 2}, func(tt *unix.Termios) bool {
			return tt.Cflag&unix.CRTSCTS != 0 && tt.Iflag&unix.IXON == 0 && tt.Cflag&unix.CSTOPB != 0 &&
				tt.Cflag&unix.CBAUD == unix.B115200 && tt.Cflag&unix.PARENB == 0
		}},
		{"defaults 9600 8N1", printer.Options{}, func(tt *unix.Termios) bool {
			return tt.Cflag&unix.CBAUD == unix.B9600 && tt.Cflag&unix.CSIZE == unix.CS8 &&
				tt.Cflag&(unix.PARENB|unix.CSTOPB|unix.CRTSCTS) == 0 && tt.Iflag&(unix.IXON|unix.INPCK) == 0
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, s, err := pty.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			defer s.Close()
			port, err := printer.OpenSerial(s.Name(), tt.o)
			if err != nil {
				t.Fatal(err)
			}
			defer port.Close()
			got, err := unix.IoctlGetTermios(int(s.Fd()), unix.TCGETS)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(got) {
				t.Errorf("termios: iflag %#o cflag %#o", got.Iflag, got.Cflag)
			}
		})
	}
}

func TestTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- nil
			return
		}
		defer c.Close()
		b, _ := io.ReadAll(c)
		got <- b
	}()
	c, err := printer.DialTCP(t.Context(), ln.Addr().String(), printer.Options{DialTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte{0x1b, '@'}); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if b := <-got; !bytes.Equal(b, []byte{0x1b, '@'}) {
		t.Errorf("got % x, want 1b 40", b)
	}
}

// The sim ends a job printed with escpos.NoCut at its final feed.
func TestSimNoCut(t *testing.T) {
	dir := t.TempDir()
	sim, err := printer.NewSim(dir, escpos.Paper58)
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	r, err := escpos.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	job, err := r.Render(escpos.Ticket{Unit: "UBND XÃ QUỲNH HẢI", Number: "A001"}, escpos.Layout{Paper: escpos.Paper58, Cut: escpos.NoCut})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(job, []byte{0x1d, 'V'}) || !bytes.HasSuffix(job, []byte{0x1b, 'd', 4}) {
		t.Fatalf("NoCut job must end with ESC d 4 and hold no GS V: ...% x", job[len(job)-8:])
	}
	if _, err := sim.Write(job); err != nil {
		t.Fatal(err)
	}
	if files := sim.Files(); len(files) != 1 || sim.Jobs() != 1 {
		t.Fatalf("got %d files, %d jobs, want 1", len(files), sim.Jobs())
	}
}

func TestSim(t *testing.T) {
	dir := t.TempDir()
	c, err := printer.NewSim(dir, escpos.Paper58)
	if err != nil {
		t.Fatal(err)
	}
	r, err := escpos.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	job, err := r.Render(escpos.Ticket{Unit: "UBND XÃ QUỲNH HẢI", Number: "A001", QR: "x"}, escpos.Layout{Paper: escpos.Paper58})
	if err != nil {
		t.Fatal(err)
	}
	// A status query, then the job in two pieces.
	for _, p := range [][]byte{{0x10, 4, 2}, job[:100], job[100:]} {
		if _, err := c.Write(p); err != nil {
			t.Fatal(err)
		}
	}
	b := make([]byte, 8)
	if n, err := c.Read(b); err != nil || n != 1 || b[0] != 0x12 {
		t.Errorf("status reply: got % x %v, want 12", b[:n], err)
	}
	sim := c
	files := sim.Files()
	if len(files) != 1 || sim.Jobs() != 1 {
		t.Fatalf("got %d files, %d jobs, want 1", len(files), sim.Jobs())
	}
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != 384 || img.Bounds().Dy() < 200 {
		t.Errorf("PNG %v, want 384 wide and ≥ 200 tall", img.Bounds())
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Read(b); !errors.Is(err, io.EOF) {
		t.Errorf("read after close: got %v, want EOF", err)
	}
}

// A sim opened again on the same directory goes on numbering its files:
// a restart keeps the earlier tickets' PNGs.
func TestSimNumbersOnAcrossOpens(t *testing.T) {
	dir := t.TempDir()
	r, err := escpos.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, number := range []string{"A001", "A002"} {
		sim, err := printer.NewSim(dir, escpos.Paper58)
		if err != nil {
			t.Fatal(err)
		}
		job, err := r.Render(escpos.Ticket{Unit: "UBND", Number: number}, escpos.Layout{Paper: escpos.Paper58})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sim.Write(job); err != nil {
			t.Fatal(err)
		}
		names = append(names, sim.Files()...)
		sim.Close()
	}
	want := []string{filepath.Join(dir, "job-0001.png"), filepath.Join(dir, "job-0002.png")}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("got %v, want %v", names, want)
	}
}
