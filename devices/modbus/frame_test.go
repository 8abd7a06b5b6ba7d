package modbus

import (
	"bytes"
	"errors"
	"testing"
)

func TestCRC(t *testing.T) {
	tests := []struct {
		in   []byte
		want uint16
	}{
		{[]byte("123456789"), 0x4B37}, // the CRC-16/MODBUS check value
		{[]byte{0x01, 0x03, 0x00, 0x00, 0x00, 0x0A}, 0xCDC5},
		{nil, 0xFFFF},
	}
	for _, tt := range tests {
		if got := CRC(tt.in); got != tt.want {
			t.Errorf("CRC(% x) = %#04x, want %#04x", tt.in, got, tt.want)
		}
	}
}

func TestRequestBytes(t *testing.T) {
	tests := []struct {
		name string
		got  []byte
		want []byte
	}{
		{"read holding", readRequest(1, FuncReadHoldingRegisters, 0, 10), []byte{0x01, 0x03, 0x00, 0x00, 0x00, 0x0A, 0xC5, 0xCD}},
		{"read input", readRequest(0x11, FuncReadInputRegisters, 0x0008, 1), []byte{0x11, 0x04, 0x00, 0x08, 0x00, 0x01, 0xB2, 0x98}},
		{"write single", writeSingleRequest(0x11, 0x0001, 0x0003), []byte{0x11, 0x06, 0x00, 0x01, 0x00, 0x03, 0x9A, 0x9B}},
		{"write multiple", writeMultipleRequest(0x11, 0x0001, []uint16{0x000A, 0x0102}), []byte{0x11, 0x10, 0x00, 0x01, 0x00, 0x02, 0x04, 0x00, 0x0A, 0x01, 0x02, 0xC6, 0xF0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !bytes.Equal(tt.got, tt.want) {
				t.Errorf("got % x, want % x", tt.got, tt.want)
			}
		})
	}
}

func TestParseResponse(t *testing.T) {
	rd := readRequest(1, FuncReadHoldingRegisters, 0, 2)
	wr := writeSingleRequest(1, 5, 7)
	tests := []struct {
		name    string
		req     []byte
		resp    []byte
		want    []byte
		wantErr error
	}{
		{"read ok", rd, AppendCRC([]byte{1, 3, 4, 0, 1, 0, 2}), []byte{0, 1, 0, 2}, nil},
		{"bad crc", rd, []byte{1, 3, 4, 0, 1, 0, 2, 0, 0}, nil, ErrCRC},
		{"wrong slave", rd, AppendCRC([]byte{2, 3, 4, 0, 1, 0, 2}), nil, ErrFrame},
		{"short count", rd, AppendCRC([]byte{1, 3, 2, 0, 1}), nil, ErrFrame},
		{"exception", rd, AppendCRC([]byte{1, 0x83, 2}), nil, ErrException},
		{"wrong function", rd, AppendCRC([]byte{1, 4, 4, 0, 1, 0, 2}), nil, ErrFrame},
		{"write echo", wr, AppendCRC([]byte{1, 6, 0, 5, 0, 7}), nil, nil},
		{"write bad echo", wr, AppendCRC([]byte{1, 6, 0, 5, 0, 8}), nil, ErrFrame},
		{"too short", rd, []byte{1, 3}, nil, ErrFrame},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseResponse(tt.req, tt.resp)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("got % x, want % x", got, tt.want)
			}
		})
	}
	var ex *ExceptionError
	_, err := parseResponse(rd, AppendCRC([]byte{1, 0x83, 2}))
	if !errors.As(err, &ex) || ex.Code != 2 || ex.Function != 3 {
		t.Errorf("got %v, want exception 2 of function 3", err)
	}
}

// FuzzParseResponse feeds arbitrary bytes as the answer to a few requests:
// the parser must never panic, and whatever it accepts must be a frame with a
// valid CRC from the right slave whose length responseLen agrees with.
func FuzzParseResponse(f *testing.F) {
	f.Add(byte(0), AppendCRC([]byte{1, 3, 4, 0, 1, 0, 2}))
	f.Add(byte(1), AppendCRC([]byte{1, 4, 10, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5}))
	f.Add(byte(2), AppendCRC([]byte{1, 0x10, 0, 0, 0, 4}))
	f.Add(byte(3), AppendCRC([]byte{1, 1, 1, 0x05}))
	f.Add(byte(0), AppendCRC([]byte{1, 0x83, 2}))
	f.Add(byte(0), []byte{})
	reqs := [][]byte{
		readRequest(1, FuncReadHoldingRegisters, 0, 2),
		readRequest(1, FuncReadInputRegisters, 0, 5),
		writeMultipleRequest(1, 0, []uint16{1, 2, 3, 4}),
		readRequest(1, FuncReadCoils, 0, 3),
		writeSingleRequest(1, 5, 7),
	}
	f.Fuzz(func(t *testing.T, which byte, resp []byte) {
		req := reqs[int(which)%len(reqs)]
		data, err := parseResponse(req, resp)
		n, ok := responseLen(resp)
		if err != nil {
			if data != nil {
				t.Fatalf("data % x with error %v", data, err)
			}
			return
		}
		if !checkCRC(resp) || resp[0] != req[0] || resp[1] != req[1] {
			t.Fatalf("accepted % x for request % x", resp, req)
		}
		if !ok || n != len(resp) {
			t.Fatalf("accepted % x but responseLen = %d, %v", resp, n, ok)
		}
	})
}
