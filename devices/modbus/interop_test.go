package modbus_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	sv "github.com/simonvetter/modbus"

	"motcua/devices/modbus"
	"motcua/devices/modbus/modbustest"
)

// recorder keeps every byte the emulator reads from one connection.
type recorder struct {
	net.Conn
	mu  sync.Mutex
	got bytes.Buffer
}

func (r *recorder) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	r.mu.Lock()
	r.got.Write(p[:n])
	r.mu.Unlock()
	return n, err
}

func (r *recorder) bytes() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got.Bytes())
}

// TestInterop checks our frames against github.com/simonvetter/modbus, an
// implementation we did not write: its RTU client (RTU over TCP, the same
// frames as on a serial line) must accept our emulator's answers, and the
// requests our master sends must be byte for byte the ones it sends for the
// same calls.
func TestInterop(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	conns := make(chan *recorder, 2)
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			rec := &recorder{Conn: c}
			srv := modbustest.NewServer(rec, 0)
			s := srv.Add(17)
			s.SetHolding(0x10, 0x0102, 0x0304, 0xFFFF, 0)
			s.SetInput(0, 7, 8)
			s.SetCoils(0, true, false, true)
			conns <- rec
			wg.Go(func() {
				// The clients hang up when the test ends: EOF, or a
				// cancel if the cleanup came first.
				if err := srv.Run(ctx); !errors.Is(err, context.Canceled) && !errors.Is(err, io.EOF) {
					t.Errorf("server: %v", err)
				}
				c.Close()
			})
		}
	})
	t.Cleanup(func() { cancel(); ln.Close(); wg.Wait() })

	// Their client against our emulator.
	cl, err := sv.NewClient(&sv.ClientConfiguration{URL: "rtuovertcp://" + ln.Addr().String(), Speed: 115200, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.Open(); err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.SetUnitId(17); err != nil {
		t.Fatal(err)
	}
	theirs := <-conns
	if got, err := cl.ReadRegisters(0x10, 4, sv.HOLDING_REGISTER); err != nil || !slices.Equal(got, []uint16{0x0102, 0x0304, 0xFFFF, 0}) {
		t.Errorf("their read holding: got %v, %v", got, err)
	}
	if got, err := cl.ReadRegisters(0, 2, sv.INPUT_REGISTER); err != nil || !slices.Equal(got, []uint16{7, 8}) {
		t.Errorf("their read input: got %v, %v", got, err)
	}
	if got, err := cl.ReadCoils(0, 3); err != nil || !slices.Equal(got, []bool{true, false, true}) {
		t.Errorf("their read coils: got %v, %v", got, err)
	}
	if err := cl.WriteRegister(5, 0xABCD); err != nil {
		t.Errorf("their write single: %v", err)
	}
	if err := cl.WriteRegisters(0x20, []uint16{'A', '0', '2', '3'}); err != nil {
		t.Errorf("their write multiple: %v", err)
	}

	// Our master, the same calls, on a second connection.
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	m, err := modbus.New(nc, modbus.Config{Baud: 115200, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ours := <-conns
	cctx := ctxT(t)
	if _, err := m.ReadHoldingRegisters(cctx, 17, 0x10, 4); err != nil {
		t.Fatal(err)
	}
	if _, err := m.ReadInputRegisters(cctx, 17, 0, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := m.ReadCoils(cctx, 17, 0, 3); err != nil {
		t.Fatal(err)
	}
	if err := m.WriteSingleRegister(cctx, 17, 5, 0xABCD); err != nil {
		t.Fatal(err)
	}
	if err := m.WriteMultipleRegisters(cctx, 17, 0x20, []uint16{'A', '0', '2', '3'}); err != nil {
		t.Fatal(err)
	}
	a, b := theirs.bytes(), ours.bytes()
	if len(a) != 8+8+8+8+17 || !bytes.Equal(a, b) {
		t.Errorf("requests differ:\ntheirs % x\nours   % x", a, b)
	}
}
