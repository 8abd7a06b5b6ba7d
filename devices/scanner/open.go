package scanner

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"go.bug.st/serial"
	"golang.org/x/sys/unix"
)

// Options are the settings of [Open].
type Options struct {
	Baud int // serial: bit rate, 8N1; 0 = 9600. USB CDC scanners ignore it.
}

// eviocgrab is EVIOCGRAB from linux/input.h: _IOW('E', 0x90, int).
const eviocgrab = 0x40044590

// Open opens the scanner of kind at path: a serial port (8N1), a hidraw
// device or an input event device, which it grabs so that no other
// program (the kiosk's browser, the console) sees its keystrokes. The
// caller owns the result and closes it. KindSim has no path: use
// [NewSim].
func Open(kind Kind, path string, o Options) (io.ReadCloser, error) {
	switch kind {
	case KindSerial:
		mode := &serial.Mode{BaudRate: o.Baud, DataBits: 8, Parity: serial.NoParity, StopBits: serial.OneStopBit}
		if mode.BaudRate == 0 {
			mode.BaudRate = 9600
		}
		p, err := serial.Open(path, mode)
		if err != nil {
			var pe *serial.PortError
			if errors.As(err, &pe) && pe.Code() == serial.PermissionDenied {
				err = os.ErrPermission
			}
			return nil, hint(kind, path, err)
		}
		return p, nil
	case KindHIDPOS:
		f, err := os.Open(path)
		if err != nil {
			return nil, hint(kind, path, err)
		}
		return f, nil
	case KindEvdev:
		f, err := os.Open(path)
		if err != nil {
			return nil, hint(kind, path, err)
		}
		if err := grab(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("scanner %s: grab the keyboard (EVIOCGRAB): %w; another program may hold it", path, err)
		}
		return f, nil
	}
	return nil, fmt.Errorf("scanner: cannot open kind %q at %s; use serial, hidraw or evdev", string(kind), path)
}

func grab(f *os.File) error {
	sc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ierr error
	if err := sc.Control(func(fd uintptr) { ierr = unix.IoctlSetInt(int(fd), eviocgrab, 1) }); err != nil {
		return err
	}
	return ierr
}

func hint(kind Kind, path string, err error) error {
	switch {
	case errors.Is(err, os.ErrPermission), errors.Is(err, syscall.EACCES):
		fix := map[Kind]string{
			KindSerial: "add the service user to group dialout",
			KindHIDPOS: "give the device to group motcua with a udev rule (70-motcua.rules has Honeywell and Zebra scanners; add your scanner's vendor id)",
			KindEvdev:  "add the service user to group input",
		}[kind]
		return fmt.Errorf("scanner %s: permission denied; %s: %w", path, fix, err)
	case errors.Is(err, os.ErrNotExist), errors.Is(err, syscall.ENOENT), errors.Is(err, syscall.ENODEV):
		return fmt.Errorf("scanner %s: no such device; is the scanner plugged in? `motcua devices` lists scanners: %w", path, err)
	}
	return fmt.Errorf("scanner %s: %w", path, err)
}
