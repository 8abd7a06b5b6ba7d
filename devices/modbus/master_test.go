package modbus_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"motcua/devices/modbus"
	"motcua/devices/modbus/modbustest"
)

// bus is a master and an emulated bus joined by a pseudo-terminal.
type bus struct {
	m   *modbus.Master
	srv *modbustest.Server
}

// newBus starts an emulator on a pty and returns a master on the other end;
// everything is stopped when the test ends. pace > 0 paces answers.
func newBus(t testing.TB, cfg modbus.Config, pace time.Duration) *bus {
	t.Helper()
	mf, sf, err := modbustest.Pair()
	if err != nil {
		t.Fatal(err)
	}
	srv := modbustest.NewServer(sf, pace)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("server: %v", err)
		}
		mf.Close()
		sf.Close()
	})
	m, err := modbus.New(mf, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &bus{m: m, srv: srv}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestFunctions(t *testing.T) {
	b := newBus(t, modbus.Config{Baud: 115200, Timeout: time.Second}, 0)
	s := b.srv.Add(7)
	s.SetHolding(0x10, 1, 2, 3)
	s.SetInput(0x20, 0xBEEF, 0x1234)
	s.SetCoils(0, true, false, true, true, false, false, false, false, true)
	s.SetDiscrete(3, false, true)
	ctx := ctxT(t)

	h, err := b.m.ReadHoldingRegisters(ctx, 7, 0x10, 3)
	if err != nil || !slices.Equal(h, []uint16{1, 2, 3}) {
		t.Errorf("holding: got %v, %v, want [1 2 3]", h, err)
	}
	in, err := b.m.ReadInputRegisters(ctx, 7, 0x20, 2)
	if err != nil || !slices.Equal(in, []uint16{0xBEEF, 0x1234}) {
		t.Errorf("input: got %x, %v", in, err)
	}
	c, err := b.m.ReadCoils(ctx, 7, 0, 9)
	if want := []bool{true, false, true, true, false, false, false, false, true}; err != nil || !slices.Equal(c, want) {
		t.Errorf("coils: got %v, %v, want %v", c, err, want)
	}
	d, err := b.m.ReadDiscreteInputs(ctx, 7, 3, 2)
	if err != nil || !slices.Equal(d, []bool{false, true}) {
		t.Errorf("discrete: got %v, %v", d, err)
	}
	if err := b.m.WriteSingleRegister(ctx, 7, 5, 0xABCD); err != nil {
		t.Fatal(err)
	}
	if err := b.m.WriteMultipleRegisters(ctx, 7, 100, []uint16{9, 8, 7, 6}); err != nil {
		t.Fatal(err)
	}
	if got := s.Holding(5, 1); got[0] != 0xABCD {
		t.Errorf("register 5 = %#x, want 0xabcd", got[0])
	}
	if got := s.Holding(100, 4); !slices.Equal(got, []uint16{9, 8, 7, 6}) {
		t.Errorf("registers 100..103 = %v", got)
	}
	st := b.m.Stats()
	if st.Transactions != 6 || st.Attempts != 6 {
		t.Errorf("stats %+v, want 6 transactions in 6 attempts", st)
	}
	// 8+8+8+8+8+17 bytes out; 11+9+7+6+8+8 in.
	if st.BytesOut != 57 || st.BytesIn != 49 {
		t.Errorf("bytes out %d in %d, want 57 and 49", st.BytesOut, st.BytesIn)
	}
}

func TestArguments(t *testing.T) {
	b := newBus(t, modbus.Config{Baud: 9600}, 0)
	ctx := ctxT(t)
	if _, err := b.m.ReadHoldingRegisters(ctx, 0, 0, 1); !errors.Is(err, modbus.ErrArgument) {
		t.Errorf("slave 0: got %v, want ErrArgument", err)
	}
	if _, err := b.m.ReadInputRegisters(ctx, 1, 0, 126); !errors.Is(err, modbus.ErrArgument) {
		t.Errorf("126 registers: got %v, want ErrArgument", err)
	}
	if err := b.m.WriteMultipleRegisters(ctx, 1, 0, nil); !errors.Is(err, modbus.ErrArgument) {
		t.Errorf("no registers: got %v, want ErrArgument", err)
	}
	if _, err := modbus.New(struct{ *os.File }{}, modbus.Config{}); !errors.Is(err, modbus.ErrArgument) {
		t.Errorf("baud 0: got %v, want ErrArgument", err)
	}
}

func TestCRCErrorRetried(t *testing.T) {
	b := newBus(t, modbus.Config{Baud: 115200, Timeout: answerWait, Retries: 1}, 0)
	s := b.srv.Add(3)
	s.SetHolding(0, 42)
	ctx := ctxT(t)

	s.CorruptNext(1)
	got, err := b.m.ReadHoldingRegisters(ctx, 3, 0, 1)
	if err != nil || got[0] != 42 {
		t.Fatalf("got %v, %v, want [42] after one retry", got, err)
	}
	if st := b.m.Stats(); st.CRCErrors != 1 || st.Attempts != 2 {
		t.Errorf("stats %+v, want 1 CRC error in 2 attempts", st)
	}

	s.CorruptNext(2)
	_, err = b.m.ReadHoldingRegisters(ctx, 3, 0, 1)
	if !errors.Is(err, modbus.ErrCRC) {
		t.Errorf("two bad answers: got %v, want ErrCRC", err)
	}
	if n := s.Requests(); n != 4 {
		t.Errorf("slave saw %d requests, want 4", n)
	}
}

// answerWait is how long the tests let a slave that answers take: far
// beyond a real slave's milliseconds, as the emulator's goroutine may wait
// that long for a core while other test binaries run.
const answerWait = 250 * time.Millisecond

func TestSilentSlave(t *testing.T) {
	const timeout = answerWait
	b := newBus(t, modbus.Config{Baud: 115200, Timeout: timeout, Retries: 2}, 0)
	dead := b.srv.Add(1)
	dead.SetSilent(true)
	alive := b.srv.Add(2)
	alive.SetInput(0, 5)
	ctx := ctxT(t)

	start := time.Now()
	_, err := b.m.ReadInputRegisters(ctx, 1, 0, 1)
	if !errors.Is(err, modbus.ErrTimeout) {
		t.Fatalf("got %v, want ErrTimeout", err)
	}
	if el := time.Since(start); el < 3*timeout {
		t.Errorf("gave up after %v, want at least 3 × %v", el, timeout)
	}
	got, err := b.m.ReadInputRegisters(ctx, 2, 0, 1)
	if err != nil || got[0] != 5 {
		t.Errorf("other slave: got %v, %v, want [5]", got, err)
	}
	// Counted after the other slave's answer, which the emulator sent
	// after reading every request before it.
	if n := dead.Requests(); n != 3 {
		t.Errorf("silent slave got %d requests, want 3 (1 + 2 retries)", n)
	}
}

func TestLateSlave(t *testing.T) {
	b := newBus(t, modbus.Config{Baud: 115200, Timeout: answerWait}, 0)
	late := b.srv.Add(1)
	late.SetHolding(0, 111)
	late.SetDelay(3 * answerWait)
	answered := make(chan struct{}, 1)
	late.OnAnswered(func([]byte) { answered <- struct{}{} })
	other := b.srv.Add(2)
	other.SetHolding(0, 222)
	ctx := ctxT(t)

	if _, err := b.m.ReadHoldingRegisters(ctx, 1, 0, 1); !errors.Is(err, modbus.ErrTimeout) {
		t.Fatalf("got %v, want ErrTimeout", err)
	}
	<-answered // the late answer is now on the line, unread
	got, err := b.m.ReadHoldingRegisters(ctx, 2, 0, 1)
	if err != nil || got[0] != 222 {
		t.Fatalf("next transaction: got %v, %v, want [222]: the late answer must not be taken for it", got, err)
	}
	late.SetDelay(0)
	got, err = b.m.ReadHoldingRegisters(ctx, 1, 0, 1)
	if err != nil || got[0] != 111 {
		t.Errorf("late slave on time: got %v, %v, want [111]", got, err)
	}
}

func TestException(t *testing.T) {
	b := newBus(t, modbus.Config{Baud: 115200, Timeout: time.Second, Retries: 3}, 0)
	s := b.srv.Add(9)
	s.SetException(2)
	err := b.m.WriteSingleRegister(ctxT(t), 9, 0, 1)
	var ex *modbus.ExceptionError
	if !errors.As(err, &ex) || ex.Code != 2 || ex.Slave != 9 || ex.Function != modbus.FuncWriteSingleRegister {
		t.Fatalf("got %v, want exception 2 from slave 9", err)
	}
	if n := s.Requests(); n != 1 {
		t.Errorf("exception was retried: %d requests, want 1", n)
	}
}

func TestConcurrentUsers(t *testing.T) {
	b := newBus(t, modbus.Config{Baud: 115200, Timeout: time.Second}, 0)
	for id := byte(1); id <= 4; id++ {
		b.srv.Add(id).SetHolding(0, uint16(id)*10)
	}
	ctx := ctxT(t)
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for id := byte(1); id <= 4; id++ {
		wg.Go(func() {
			for range 10 {
				got, err := b.m.ReadHoldingRegisters(ctx, id, 0, 1)
				if err == nil && got[0] != uint16(id)*10 {
					err = errors.New("answer of another slave")
				}
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if st := b.m.Stats(); st.Transactions != 40 || st.Attempts != 40 {
		t.Errorf("stats %+v, want 40 clean transactions", st)
	}
}

func TestContextWhileWaitingForBus(t *testing.T) {
	b := newBus(t, modbus.Config{Baud: 115200, Timeout: 500 * time.Millisecond}, 0)
	s := b.srv.Add(1)
	s.SetSilent(true)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.m.ReadHoldingRegisters(ctx, 1, 0, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
	if n := s.Requests(); n != 0 {
		t.Errorf("cancelled request reached the bus %d times", n)
	}
}

func TestConfigTiming(t *testing.T) {
	tests := []struct {
		cfg      modbus.Config
		bits     int
		gap      time.Duration
		charTime time.Duration
	}{
		{modbus.Config{Baud: 9600, Parity: modbus.ParityEven}, 11, 4010416, 1145833},
		{modbus.Config{Baud: 9600}, 10, 3645833, 1041666},
		{modbus.Config{Baud: 9600, StopBits: 2}, 11, 4010416, 1145833},
		{modbus.Config{Baud: 115200, Parity: modbus.ParityEven}, 11, 334201, 95486},
		{modbus.Config{Baud: 115200, Silence: 1750 * time.Microsecond}, 10, 1750 * time.Microsecond, 86805},
	}
	for _, tt := range tests {
		if got := tt.cfg.CharBits(); got != tt.bits {
			t.Errorf("%+v: CharBits = %d, want %d", tt.cfg, got, tt.bits)
		}
		if got := tt.cfg.CharTime(); got != tt.charTime {
			t.Errorf("%+v: CharTime = %d, want %d", tt.cfg, got, tt.charTime)
		}
		if got := tt.cfg.Gap(); got != tt.gap {
			t.Errorf("%+v: Gap = %d, want %d", tt.cfg, got, tt.gap)
		}
	}
}

func TestEcho(t *testing.T) {
	b := newBus(t, modbus.Config{Baud: 115200, Timeout: answerWait, Echo: true}, 0)
	b.srv.SetEcho(true)
	s := b.srv.Add(6)
	s.SetHolding(0, 0x1234)
	s.SetDelay(5 * time.Millisecond) // the echo arrives well before the answer
	got, err := b.m.ReadHoldingRegisters(ctxT(t), 6, 0, 1)
	if err != nil || got[0] != 0x1234 {
		t.Fatalf("got %v, %v, want [0x1234] after the echo", got, err)
	}
	if err := b.m.WriteSingleRegister(ctxT(t), 6, 1, 9); err != nil {
		t.Fatal(err)
	}
	b.srv.SetEcho(false)
	if _, err := b.m.ReadHoldingRegisters(ctxT(t), 6, 0, 1); !errors.Is(err, modbus.ErrTimeout) {
		t.Errorf("no echo: got %v, want ErrTimeout", err)
	}
}
