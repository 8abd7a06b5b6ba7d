package serialport

import (
	"bytes"
	"errors"
	"io"
	"syscall"
	"testing"
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
