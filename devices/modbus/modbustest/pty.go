package modbustest

import (
	"fmt"
	"os"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// Pair opens a pseudo-terminal pair in raw mode (no echo, no line editing,
// 8 bits, no translation) and returns both ends. Bytes written to one end are
// read from the other. The caller closes both.
func Pair() (master, slave *os.File, err error) {
	p, t, err := pty.Open()
	if err != nil {
		return nil, nil, fmt.Errorf("modbustest: open pty: %w", err)
	}
	tio, err := unix.IoctlGetTermios(int(t.Fd()), unix.TCGETS)
	if err != nil {
		p.Close()
		t.Close()
		return nil, nil, fmt.Errorf("modbustest: get termios: %w", err)
	}
	tio.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON | unix.IXOFF
	tio.Oflag &^= unix.OPOST
	tio.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	tio.Cflag &^= unix.CSIZE | unix.PARENB
	tio.Cflag |= unix.CS8
	tio.Cc[unix.VMIN] = 1
	tio.Cc[unix.VTIME] = 0
	if err := unix.IoctlSetTermios(int(t.Fd()), unix.TCSETS, tio); err != nil {
		p.Close()
		t.Close()
		return nil, nil, fmt.Errorf("modbustest: set raw mode: %w", err)
	}
	if p, err = pollable(p); err != nil {
		t.Close()
		return nil, nil, err
	}
	if t, err = pollable(t); err != nil {
		p.Close()
		return nil, nil, err
	}
	return p, t, nil
}

// pollable returns f reopened in non-blocking mode, so that the runtime
// poller serves it and SetReadDeadline works. (pty.Open hands out files that
// f.Fd has put in blocking mode.) f is closed.
func pollable(f *os.File) (*os.File, error) {
	defer f.Close()
	fd, err := unix.Dup(int(f.Fd()))
	if err != nil {
		return nil, fmt.Errorf("modbustest: dup %s: %w", f.Name(), err)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("modbustest: non-blocking %s: %w", f.Name(), err)
	}
	return os.NewFile(uintptr(fd), f.Name()), nil
}
