package printer

import (
	"errors"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// An eventfd refuses reads shorter than 8 bytes with EINVAL, as usblp
// refuses reads on a printer without a back channel.
func TestLPReadEINVALIsNoStatus(t *testing.T) {
	fd, err := unix.Eventfd(0, unix.EFD_CLOEXEC)
	if err != nil {
		t.Skipf("eventfd: %v", err)
	}
	l := &lpPort{f: os.NewFile(uintptr(fd), "eventfd")}
	defer l.Close()
	_, err = l.Read(make([]byte, 1))
	if !errors.Is(err, ErrNoStatus) || !errors.Is(err, unix.EINVAL) {
		t.Errorf("got %v, want ErrNoStatus wrapping EINVAL", err)
	}
	if _, err := l.PortStatus(); err == nil {
		t.Error("LPGETSTATUS on an eventfd: got nil error")
	}
}

func TestLPStatusBits(t *testing.T) {
	tests := []struct {
		b                      byte
		paperOut, offline, err bool
	}{
		{0x18, false, false, false},
		{0x38, true, false, false},
		{0x08, false, true, false},
		{0x10, false, false, true},
		{0x00, false, true, true},
	}
	for _, tt := range tests {
		s := lpStatus(tt.b)
		if s.PaperOut != tt.paperOut || s.Offline != tt.offline || s.Error != tt.err {
			t.Errorf("%#02x: got %+v, want paperOut %v offline %v error %v", tt.b, s, tt.paperOut, tt.offline, tt.err)
		}
	}
}
