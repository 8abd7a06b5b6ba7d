package modbus

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Function codes this package speaks.
const (
	FuncReadCoils              byte = 0x01
	FuncReadDiscreteInputs     byte = 0x02
	FuncReadHoldingRegisters   byte = 0x03
	FuncReadInputRegisters     byte = 0x04
	FuncWriteSingleRegister    byte = 0x06
	FuncWriteMultipleRegisters byte = 0x10
)

// Limits of one request, from the Modbus application protocol V1.1b3.
const (
	maxReadBits       = 2000
	maxReadRegisters  = 125
	maxWriteRegisters = 123
	maxFrame          = 256
)

// Errors returned by [Master]. A timeout or CRC error is returned wrapped with
// the slave id and function.
var (
	// ErrTimeout means the slave did not answer completely within
	// Config.Timeout: it is off, unplugged, or has another address or baud.
	ErrTimeout = errors.New("modbus: no response from slave")
	// ErrCRC means a response arrived with a bad CRC: check wiring, the
	// termination resistors and that every device uses the same baud and parity.
	ErrCRC = errors.New("modbus: CRC error in response")
	// ErrFrame means a response with a valid CRC did not match the request.
	ErrFrame = errors.New("modbus: malformed response")
	// ErrException is matched (errors.Is) by every *ExceptionError.
	ErrException = errors.New("modbus: exception response")
	// ErrArgument means a request was refused before it went on the bus.
	ErrArgument = errors.New("modbus: invalid request")
	// ErrTransport means the io.ReadWriter cannot time out reads.
	ErrTransport = errors.New("modbus: transport cannot time out reads")
)

// ExceptionError is a Modbus exception response.
type ExceptionError struct {
	Slave    byte
	Function byte // the function of the request, without the 0x80 bit
	Code     byte // 1 illegal function, 2 illegal data address, 3 illegal data value, 4 slave device failure, ...
}

func (e *ExceptionError) Error() string {
	return fmt.Sprintf("modbus: slave %d function %#02x: exception %d (%s)", e.Slave, e.Function, e.Code, exceptionName(e.Code))
}

// Is makes errors.Is(err, ErrException) true.
func (e *ExceptionError) Is(target error) bool { return target == ErrException }

func exceptionName(c byte) string {
	switch c {
	case 1:
		return "illegal function"
	case 2:
		return "illegal data address"
	case 3:
		return "illegal data value"
	case 4:
		return "slave device failure"
	case 5:
		return "acknowledge"
	case 6:
		return "slave device busy"
	case 0x0B:
		return "gateway target failed to respond"
	}
	return "unknown"
}

// encodeRequest builds an ADU: slave, function, data, CRC.
func encodeRequest(slave, fn byte, data []byte) []byte {
	b := make([]byte, 0, 4+len(data))
	b = append(b, slave, fn)
	b = append(b, data...)
	return AppendCRC(b)
}

func u16(a, b uint16) []byte {
	return binary.BigEndian.AppendUint16(binary.BigEndian.AppendUint16(nil, a), b)
}

// readRequest is a request for functions 01 to 04.
func readRequest(slave, fn byte, addr, qty uint16) []byte {
	return encodeRequest(slave, fn, u16(addr, qty))
}

func writeSingleRequest(slave byte, addr, value uint16) []byte {
	return encodeRequest(slave, FuncWriteSingleRegister, u16(addr, value))
}

func writeMultipleRequest(slave byte, addr uint16, values []uint16) []byte {
	d := u16(addr, uint16(len(values)))
	d = append(d, byte(2*len(values)))
	for _, v := range values {
		d = binary.BigEndian.AppendUint16(d, v)
	}
	return encodeRequest(slave, FuncWriteMultipleRegisters, d)
}

// responseLen returns the length of the whole response frame that begins with
// head, or 0 when more bytes are needed to tell; ok is false when the
// function is not one that this master understands.
func responseLen(head []byte) (n int, ok bool) {
	if len(head) < 2 {
		return 0, true
	}
	fn := head[1]
	switch {
	case fn&0x80 != 0:
		return 5, true
	case fn >= FuncReadCoils && fn <= FuncReadInputRegisters:
		if len(head) < 3 {
			return 0, true
		}
		return 5 + int(head[2]), true
	case fn == 0x05 || fn == FuncWriteSingleRegister || fn == 0x0F || fn == FuncWriteMultipleRegisters:
		return 8, true
	}
	return 0, false
}

// parseResponse checks a complete response frame against its request and
// returns the payload: for reads the data bytes after the byte count, for
// writes nil. The frame's CRC is checked first.
func parseResponse(req, resp []byte) ([]byte, error) {
	if len(req) < 8 {
		return nil, fmt.Errorf("%w: request too short", ErrArgument)
	}
	if len(resp) < 5 {
		return nil, fmt.Errorf("%w: %d bytes", ErrFrame, len(resp))
	}
	if !checkCRC(resp) {
		return nil, ErrCRC
	}
	slave, fn := req[0], req[1]
	if resp[0] != slave {
		return nil, fmt.Errorf("%w: from slave %d, want %d", ErrFrame, resp[0], slave)
	}
	if resp[1] == fn|0x80 {
		if len(resp) != 5 {
			return nil, fmt.Errorf("%w: exception of %d bytes", ErrFrame, len(resp))
		}
		return nil, &ExceptionError{Slave: slave, Function: fn, Code: resp[2]}
	}
	if resp[1] != fn {
		return nil, fmt.Errorf("%w: function %#02x, want %#02x", ErrFrame, resp[1], fn)
	}
	switch fn {
	case FuncReadCoils, FuncReadDiscreteInputs, FuncReadHoldingRegisters, FuncReadInputRegisters:
		qty := int(binary.BigEndian.Uint16(req[4:]))
		want := 2 * qty
		if fn <= FuncReadDiscreteInputs {
			want = (qty + 7) / 8
		}
		if int(resp[2]) != want || len(resp) != 5+want {
			return nil, fmt.Errorf("%w: %d data bytes, want %d", ErrFrame, resp[2], want)
		}
		return resp[3 : 3+want], nil
	case FuncWriteSingleRegister, FuncWriteMultipleRegisters:
		if len(resp) != 8 || string(resp[2:6]) != string(req[2:6]) {
			return nil, fmt.Errorf("%w: write echo % x does not match request", ErrFrame, resp[2:len(resp)-2])
		}
		return nil, nil
	}
	return nil, fmt.Errorf("%w: function %#02x", ErrArgument, fn)
}
