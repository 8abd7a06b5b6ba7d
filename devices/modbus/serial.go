package modbus

import (
	"errors"
	"fmt"
	"io/fs"

	"go.bug.st/serial"

	"motcua/devices/serialport"
)

// OpenSerial opens the serial port at path (e.g. /dev/ttyUSB0) as 8 data
// bits with the given baud, parity and stop bits (0 means 1), ready to be
// given to [New]. The caller closes it after the master's users have stopped.
func OpenSerial(path string, baud int, parity Parity, stopBits int) (serial.Port, error) {
	mode := &serial.Mode{BaudRate: baud, DataBits: 8, StopBits: serial.OneStopBit}
	switch parity {
	case ParityNone:
		mode.Parity = serial.NoParity
	case ParityEven:
		mode.Parity = serial.EvenParity
	case ParityOdd:
		mode.Parity = serial.OddParity
	default:
		return nil, fmt.Errorf("%w: parity %d", ErrArgument, parity)
	}
	switch stopBits {
	case 0, 1:
	case 2:
		mode.StopBits = serial.TwoStopBits
	default:
		return nil, fmt.Errorf("%w: stop bits %d; use 1 or 2", ErrArgument, stopBits)
	}
	p, err := serial.Open(path, mode)
	if err != nil {
		var pe *serial.PortError
		errors.As(err, &pe)
		switch {
		case errors.Is(err, fs.ErrPermission) || (pe != nil && pe.Code() == serial.PermissionDenied):
			return nil, fmt.Errorf("modbus: RS-485 port %s: permission denied; add the service user to group dialout: %w", path, err)
		case pe != nil && pe.Code() == serial.PortNotFound:
			return nil, fmt.Errorf("modbus: RS-485 port %s not found; check the USB adapter and run `motcua devices`: %w", path, err)
		case pe != nil && pe.Code() == serial.PortBusy:
			return nil, fmt.Errorf("modbus: RS-485 port %s is busy; stop the other program using it: %w", path, err)
		}
		return nil, fmt.Errorf("modbus: RS-485 port %s: %w", path, err)
	}
	return serialport.Full(p), nil
}
