package modbus_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"motcua/devices/modbus"
	"motcua/devices/modbus/modbustest"
)

// TestOpenSerial opens the terminal end of a pseudo-terminal the way the
// daemon opens /dev/ttyUSB0, so the master runs over a go.bug.st/serial Port
// and its SetReadTimeout, with the emulator on the other end.
func TestOpenSerial(t *testing.T) {
	ptm, pts, err := modbustest.Pair()
	if err != nil {
		t.Fatal(err)
	}
	defer ptm.Close()
	defer pts.Close()
	port, err := modbus.OpenSerial(pts.Name(), 115200, modbus.ParityEven, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()

	srv := modbustest.NewServer(ptm, 0)
	s := srv.Add(4)
	s.SetInput(2, 99)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	defer func() { cancel(); <-done }()

	m, err := modbus.New(port, modbus.Config{Name: pts.Name(), Baud: 115200, Parity: modbus.ParityEven, Timeout: answerWait})
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.ReadInputRegisters(ctxT(t), 4, 2, 1)
	if err != nil || !slices.Equal(got, []uint16{99}) {
		t.Fatalf("got %v, %v, want [99]", got, err)
	}
	s.SetSilent(true)
	if _, err := m.ReadInputRegisters(ctxT(t), 4, 2, 1); !errors.Is(err, modbus.ErrTimeout) {
		t.Errorf("silent slave over a serial.Port: got %v, want ErrTimeout", err)
	}
	if got, want := m.String(), "modbus "+pts.Name()+" 115200 8E1"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
}

func TestOpenSerialErrors(t *testing.T) {
	if _, err := modbus.OpenSerial(t.TempDir()+"/ttyNONE", 9600, modbus.ParityNone, 1); err == nil {
		t.Error("opened a port that does not exist")
	}
	if _, err := modbus.OpenSerial("/dev/null", 9600, modbus.ParityNone, 3); !errors.Is(err, modbus.ErrArgument) {
		t.Errorf("3 stop bits: got %v, want ErrArgument", err)
	}
}
