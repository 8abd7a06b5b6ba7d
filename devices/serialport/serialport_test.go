package serialport

import (
	"bytes"
	"errors"
	"io"
	"syscall"
	"testing"

	"go.bug.st/serial"
)

// stingy writes at most max bytes a call and fails with err once.
type stingy struct {
	bytes.Buffer
	max  int
	errs []error
}

func (s *stingy) Write(p []byte) (int, error) {
	if len(s.errs) > 0 {
		err := s.errs[0]
		s.errs = s.errs[1:]
		return 0, err
	}
	return s.Buffer.Write(p[:min(len(p), s.max)])
}

func TestWriteAll(t *testing.T) {
	data := bytes.Repeat([]byte("GS v 0 raster "), 700)
	tests := []struct {
		name    string
		w       *stingy
		wantN   int
		wantErr error
	}{
		{"short writes", &stingy{max: 1000}, len(data), nil},
		{"interrupted", &stingy{max: 4096, errs: []error{syscall.EINTR, syscall.EINTR}}, len(data), nil},
		{"would block", &stingy{max: 4096, errs: []error{syscall.EAGAIN}}, len(data), nil},
		{"fails", &stingy{max: 4096, errs: []error{syscall.EIO}}, 0, syscall.EIO},
		{"stuck", &stingy{max: 0}, 0, io.ErrShortWrite},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := writeAll(tt.w, data)
			if n != tt.wantN || !errors.Is(err, tt.wantErr) {
				t.Fatalf("got %d, %v; want %d, %v", n, err, tt.wantN, tt.wantErr)
			}
			if tt.wantErr == nil && !bytes.Equal(tt.w.Bytes(), data) {
				t.Error("the bytes written differ from the data")
			}
		})
	}
}

// interrupted is a serial.Port whose Drain fails with the errors given,
// then succeeds.
type interrupted struct {
	serial.Port // nil: only Drain is called
	errs        []error
	calls       int
}

func (p *interrupted) Drain() error {
	p.calls++
	if len(p.errs) > 0 {
		err := p.errs[0]
		p.errs = p.errs[1:]
		return err
	}
	return nil
}

func TestDrain(t *testing.T) {
	tests := []struct {
		name      string
		errs      []error
		wantCalls int
		wantErr   error
	}{
		{"at once", nil, 1, nil},
		{"interrupted twice", []error{syscall.EINTR, syscall.EINTR}, 3, nil},
		{"fails", []error{syscall.EIO}, 1, syscall.EIO},
		{"interrupted, then fails", []error{syscall.EINTR, syscall.EIO}, 2, syscall.EIO},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &interrupted{errs: tt.errs}
			err := Full(p).Drain()
			if p.calls != tt.wantCalls || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Errorf("got %d calls, %v; want %d calls, %v", p.calls, err, tt.wantCalls, tt.wantErr)
			}
		})
	}
}
