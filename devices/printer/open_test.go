package printer_test

import (
	"bytes"
	"context"
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

func TestOpenBadAddresses(t *testing.T) {
	tests := []struct {
		addr string
		want error
	}{
		{"", printer.ErrAddress},
		{"/dev/ttyUSB0", printer.ErrAddress},
		{"com:1", printer.ErrAddress},
		{"serial:", printer.ErrAddress},
		{"lp:", printer.ErrAddress},
		{"tcp:", printer.ErrAddress},
		{"usb:04b8", printer.ErrAddress},
		{"usb:zzzz:0e28", printer.ErrAddress},
		{"usb:04b8:0e28:SN:extra", printer.ErrAddress},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if err := printer.CheckAddress(tt.addr); !errors.Is(err, tt.want) {
				t.Errorf("CheckAddress: got %v, want %v", err, tt.want)
			}
			c, err := printer.Open(t.Context(), tt.addr, printer.Options{})
			if !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
			if c != nil {
				c.Close()
			}
		})
	}
}

func TestCheckAddressGood(t *testing.T) {
	for _, a := range []string{"serial:/dev/ttyUSB0", "usb:04b8:0e28", "usb:04B8:0E28:J7AF012345", "lp:/dev/usb/lp0", "tcp:10.0.0.5:9100", "tcp:printer.local", "sim", "sim:/tmp/x"} {
		if err := printer.CheckAddress(a); err != nil {
			t.Errorf("CheckAddress(%q): %v", a, err)
		}
	}
}

func TestOpenBadOptions(t *testing.T) {
	m, s, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	defer s.Close()
	for _, o := range []printer.Options{{Parity: "mark?"}, {StopBits: 3}, {Flow: "dtr"}} {
		if _, err := printer.Open(t.Context(), "serial:"+s.Name(), o); !errors.Is(err, printer.ErrOptions) {
			t.Errorf("%+v: got %v, want ErrOptions", o, err)
		}
	}
}

func TestOpenMissingDevice(t *testing.T) {
	_, err := printer.Open(t.Context(), "lp:"+filepath.Join(t.TempDir(), "lp9"), printer.Options{})
	if err == nil || !strings.Contains(err.Error(), "plugged in") {
		t.Errorf("got %v, want a hint to plug the printer in", err)
	}
	_, err = printer.Open(t.Context(), "usb:ffff:fffe", printer.Options{})
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
			port, err := printer.Open(t.Context(), "serial:"+s.Name(), tt.o)
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
	c, err := printer.Open(t.Context(), "tcp:"+ln.Addr().String(), printer.Options{DialTimeout: time.Second})
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
	c, err := printer.Open(context.Background(), "sim:"+dir, printer.Options{SimPaper: escpos.Paper58})
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
	sim := c.(*printer.Sim)
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
