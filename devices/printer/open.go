package printer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"time"

	"go.bug.st/serial"
	"go.bug.st/serial/enumerator"
	"golang.org/x/sys/unix"

	"motcua/devices/escpos"
	"motcua/devices/serialport"
)

// Errors returned by this package.
var (
	// ErrNotFound is returned when no USB device matches a usb: address.
	ErrNotFound = errors.New("printer: no matching USB serial device; is it plugged in? `motcua devices` lists ports")
	// ErrNoStatus is returned by the read side of a transport that cannot
	// read status from the printer (usblp without a back channel).
	ErrNoStatus = errors.New("printer: this port cannot read printer status")
	// ErrQueueFull is returned by Submit when the queue holds Config.QueueSize jobs.
	ErrQueueFull = errors.New("printer: job queue full")
	// ErrHalted is returned by Submit after Halt, and reported for jobs
	// still queued when the supervisor stops.
	ErrHalted = errors.New("printer: halted")
	// ErrExpired is reported for a job whose Expires passed before it printed.
	ErrExpired = errors.New("printer: job expired before the printer was ready")
	// ErrNoAnswer means the printer did not answer a status query in time.
	ErrNoAnswer = errors.New("printer: no answer to status query")
	// ErrNotReady is reported in FailFast mode for a job the printer cannot
	// print now (no paper, cover open, offline, unplugged).
	ErrNotReady = errors.New("printer: printer not ready")
	// ErrOptions is returned for serial options out of range.
	ErrOptions = errors.New("printer: bad serial options")
)

// Options are the settings of the transports. The zero value is 9600 8N1,
// no flow control.
type Options struct {
	Baud     int    // serial bit rate; 0 = 9600
	DataBits int    // 5..8; 0 = 8
	Parity   string // "none" (""), "even", "odd"
	StopBits int    // 1 (0) or 2
	// Flow is "none" (""), "rtscts" (hardware, also covers DTR/DSR wiring
	// through a null-modem adapter) or "xonxoff". A printer with a small
	// buffer needs flow control for raster tickets at low speeds.
	Flow string

	DialTimeout time.Duration // tcp; 0 = 5 s
}

// OpenSerial opens the serial port at path (/dev/ttyUSB0, a udev link)
// with o's settings. The caller owns the port and closes it.
func OpenSerial(path string, o Options) (io.ReadWriteCloser, error) {
	return openSerial(path, o)
}

// OpenLP opens a usblp device file (/dev/usb/lp0). The caller owns it and
// closes it.
func OpenLP(path string) (io.ReadWriteCloser, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, hint(path, err)
	}
	return &lpPort{f: f}, nil
}

// DialTCP connects to a network printer at hostPort (HOST:9100). ctx
// bounds the dial, not the stream; o.DialTimeout too (0 = 5 s).
func DialTCP(ctx context.Context, hostPort string, o Options) (io.ReadWriteCloser, error) {
	d := net.Dialer{Timeout: o.DialTimeout}
	if d.Timeout == 0 {
		d.Timeout = 5 * time.Second
	}
	c, err := d.DialContext(ctx, "tcp", hostPort)
	if err != nil {
		return nil, fmt.Errorf("printer tcp:%s: %w", hostPort, err)
	}
	return c, nil
}

// FindUSB returns the serial device path (/dev/ttyUSBn, /dev/ttyACMn) of the
// USB device vid:pid, with that serial number unless serial is "". It looks
// again each time, so a printer that re-enumerated under another name is
// found.
func FindUSB(vid, pid uint16, serial string) (string, error) {
	spec := fmt.Sprintf("%04x:%04x", vid, pid)
	if serial != "" {
		spec += ":" + serial
	}
	ports, err := enumerator.GetDetailedPortsList()
	if err != nil {
		return "", fmt.Errorf("printer: list serial ports: %w", err)
	}
	for _, p := range ports {
		if !p.IsUSB || !strings.EqualFold(p.VID, spec[:4]) || !strings.EqualFold(p.PID, spec[5:9]) {
			continue
		}
		if serial != "" && p.SerialNumber != serial {
			continue
		}
		return p.Name, nil
	}
	return "", fmt.Errorf("%w (usb:%s)", ErrNotFound, spec)
}

func openSerial(path string, o Options) (io.ReadWriteCloser, error) {
	mode := &serial.Mode{BaudRate: o.Baud, DataBits: o.DataBits, Parity: serial.NoParity, StopBits: serial.OneStopBit}
	if mode.BaudRate == 0 {
		mode.BaudRate = 9600
	}
	if mode.DataBits == 0 {
		mode.DataBits = 8
	}
	switch strings.ToLower(o.Parity) {
	case "", "none", "n":
	case "even", "e":
		mode.Parity = serial.EvenParity
	case "odd", "o":
		mode.Parity = serial.OddParity
	default:
		return nil, fmt.Errorf("%w: parity %q", ErrOptions, o.Parity)
	}
	switch o.StopBits {
	case 0, 1:
	case 2:
		mode.StopBits = serial.TwoStopBits
	default:
		return nil, fmt.Errorf("%w: stop bits %d", ErrOptions, o.StopBits)
	}
	var cflagSet, iflagSet uint32
	switch strings.ToLower(o.Flow) {
	case "", "none":
	case "rtscts":
		cflagSet = unix.CRTSCTS
	case "xonxoff":
		iflagSet = unix.IXON | unix.IXOFF
	default:
		return nil, fmt.Errorf("%w: flow %q", ErrOptions, o.Flow)
	}
	// go.bug.st/serial turns hardware flow control off and takes the port
	// exclusively; termios belong to the tty, not the descriptor, so a
	// descriptor opened before can set flow control afterwards.
	var side int = -1
	if cflagSet|iflagSet != 0 {
		fd, err := unix.Open(path, unix.O_RDWR|unix.O_NOCTTY|unix.O_NONBLOCK, 0)
		if err != nil {
			return nil, hint(path, err)
		}
		side = fd
		defer unix.Close(side)
	}
	p, err := serial.Open(path, mode)
	if err != nil {
		var pe *serial.PortError
		if errors.As(err, &pe) && pe.Code() == serial.PermissionDenied {
			return nil, hint(path, os.ErrPermission)
		}
		return nil, hint(path, err)
	}
	if side >= 0 {
		t, err := unix.IoctlGetTermios(side, unix.TCGETS)
		if err == nil {
			t.Cflag |= cflagSet
			t.Iflag |= iflagSet
			err = unix.IoctlSetTermios(side, unix.TCSETS, t)
		}
		if err != nil {
			p.Close()
			return nil, fmt.Errorf("printer %s: set flow control: %w", path, err)
		}
	}
	return serialport.Full(p), nil
}

func hint(path string, err error) error {
	switch {
	case errors.Is(err, os.ErrPermission), errors.Is(err, syscall.EACCES):
		return fmt.Errorf("printer %s: permission denied; add the service user to group dialout (serial) or lp (usblp): %w", path, err)
	case errors.Is(err, os.ErrNotExist), errors.Is(err, syscall.ENOENT), errors.Is(err, syscall.ENODEV):
		return fmt.Errorf("printer %s: no such device; is the printer plugged in and on? %w", path, err)
	}
	return fmt.Errorf("printer %s: %w", path, err)
}

// lpPort is a usblp device file. The kernel answers reads only for
// printers with a back channel; otherwise read fails (EINVAL), which the
// supervisor takes as "no status". The port status of the USB printer class
// (paper empty, selected, error) still comes through the LPGETSTATUS ioctl.
type lpPort struct{ f *os.File }

// lpGetStatus is LPGETSTATUS from linux/lp.h.
const lpGetStatus = 0x060b

// PortStatus reads the USB printer class port status.
func (l *lpPort) PortStatus() (escpos.Status, error) {
	sc, err := l.f.SyscallConn()
	if err != nil {
		return escpos.Status{}, err
	}
	var v int
	var ierr error
	if err := sc.Control(func(fd uintptr) { v, ierr = unix.IoctlGetInt(int(fd), lpGetStatus) }); err != nil {
		return escpos.Status{}, err
	}
	if ierr != nil {
		return escpos.Status{}, fmt.Errorf("printer: LPGETSTATUS: %w", ierr)
	}
	return lpStatus(byte(v)), nil
}

// lpStatus maps the IEEE 1284 status byte usblp reports: 0x20 paper empty,
// 0x10 selected (online), 0x08 no error.
func lpStatus(b byte) escpos.Status {
	return escpos.Status{
		PaperOut: b&0x20 != 0,
		Offline:  b&0x10 == 0,
		Error:    b&0x08 == 0,
	}
}

func (l *lpPort) Write(p []byte) (int, error) { return l.f.Write(p) }
func (l *lpPort) Close() error                { return l.f.Close() }
func (l *lpPort) Read(p []byte) (int, error) {
	n, err := l.f.Read(p)
	if err != nil && (errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.EOPNOTSUPP)) {
		return n, fmt.Errorf("%w: %w", ErrNoStatus, err)
	}
	return n, err
}
