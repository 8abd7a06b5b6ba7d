package modbus7seg_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"motcua/devices/modbus"
	"motcua/devices/modbus/modbustest"
	"motcua/display"
	"motcua/display/modbus7seg"
)

// newBus joins a master and an emulated bus with a pseudo-terminal; pace > 0
// makes the emulator answer at the pace of the line.
func newBus(tb testing.TB, cfg modbus.Config, pace bool) (*modbus.Master, *modbustest.Server) {
	tb.Helper()
	mf, sf, err := modbustest.Pair()
	if err != nil {
		tb.Fatal(err)
	}
	var ct time.Duration
	if pace {
		ct = cfg.CharTime()
	}
	srv := modbustest.NewServer(sf, ct)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			tb.Errorf("server: %v", err)
		}
		mf.Close()
		sf.Close()
	})
	m, err := modbus.New(mf, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return m, srv
}

func regs(s string) []uint16 {
	out := make([]uint16, len(s))
	for i, r := range []byte(s) {
		out[i] = uint16(r)
	}
	return out
}

func TestShowOnSharedBus(t *testing.T) {
	m, srv := newBus(t, modbus.Config{Baud: 9600, Timeout: time.Second}, false)
	s1, s2 := srv.Add(1), srv.Add(2)
	d1, err := modbus7seg.New(m, modbus7seg.Opts{Slave: 1})
	if err != nil {
		t.Fatal(err)
	}
	d2, _ := modbus7seg.New(m, modbus7seg.Opts{Slave: 2, Digits: 6})

	if err := d1.Show(display.Content{Counter: 1, Text: "A023"}); err != nil {
		t.Fatal(err)
	}
	want := []byte{0x01, 0x10, 0x00, 0x00, 0x00, 0x04, 0x08, 0x00, 'A', 0x00, '0', 0x00, '2', 0x00, '3'}
	want = modbus.AppendCRC(want)
	if got := s1.LastRequest(); !bytes.Equal(got, want) {
		t.Errorf("frame % x, want % x", got, want)
	}
	if err := d2.Show(display.Content{Counter: 2, Text: "b7"}); err != nil {
		t.Fatal(err)
	}
	if got := s2.Holding(0, 6); !slices.Equal(got, regs("2   B7")) {
		t.Errorf("display 2 registers %v, want %q", got, "2   B7")
	}
	if got := s1.Holding(0, 4); !slices.Equal(got, regs("A023")) {
		t.Errorf("display 1 registers %v changed", got)
	}
	if err := d1.Show(display.Content{Text: "Đ1"}); err != nil {
		t.Fatal(err)
	}
	if got := s1.Holding(0, 4); !slices.Equal(got, regs("  -1")) {
		t.Errorf("unshowable: %v, want %q", got, "  -1")
	}
	if err := d1.Blank(); err != nil {
		t.Fatal(err)
	}
	if got := s1.Holding(0, 4); !slices.Equal(got, regs("    ")) {
		t.Errorf("blank: %v", got)
	}
	if d1.String() != "modbus7seg slave 1" {
		t.Errorf("String = %q", d1)
	}
}

func TestNumberModeAndOptions(t *testing.T) {
	m, srv := newBus(t, modbus.Config{Baud: 115200, Timeout: time.Second}, false)
	s := srv.Add(9)
	d, err := modbus7seg.New(m, modbus7seg.Opts{Slave: 9, Mode: modbus7seg.ModeNumber, BrightnessRegister: 8, BlinkRegister: 20})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Show(display.Content{Counter: 3, Text: "A023"}); err != nil {
		t.Fatal(err)
	}
	if got := s.Holding(7, 1)[0]; got != 23 {
		t.Errorf("number register = %d, want 23", got)
	}
	if err := d.SetBrightness(display.MaxBrightness); err != nil {
		t.Fatal(err)
	}
	if got := s.Holding(8, 1)[0]; got != 7 {
		t.Errorf("brightness register = %d, want 7", got)
	}
	if err := d.SetBlink(true); err != nil {
		t.Fatal(err)
	}
	if got := s.Holding(20, 1)[0]; got != 1 {
		t.Errorf("blink register = %d, want 1", got)
	}

	plain, _ := modbus7seg.New(m, modbus7seg.Opts{Slave: 9})
	if err := plain.SetBlink(true); !errors.Is(err, display.ErrUnsupported) {
		t.Errorf("SetBlink without register: got %v, want ErrUnsupported", err)
	}
	if err := plain.SetBrightness(3); !errors.Is(err, display.ErrUnsupported) {
		t.Errorf("SetBrightness without register: got %v, want ErrUnsupported", err)
	}
	for _, o := range []modbus7seg.Opts{{}, {Slave: 248}, {Slave: 1, Digits: 17}, {Slave: 1, Mode: 5}} {
		if _, err := modbus7seg.New(m, o); !errors.Is(err, modbus7seg.ErrOpts) {
			t.Errorf("%+v: got %v, want ErrOpts", o, err)
		}
	}
}

// A display that stops answering is reported and retried by its supervisor,
// while the other display on the bus keeps working.
func TestDeadDisplayDoesNotBlockOthers(t *testing.T) {
	// The other display must answer within the timeout even when the
	// emulator waits for a core; the dead one costs that long per try.
	m, srv := newBus(t, modbus.Config{Baud: 115200, Timeout: 250 * time.Millisecond}, false)
	dead, alive := srv.Add(1), srv.Add(2)
	dead.SetSilent(true)
	d1, _ := modbus7seg.New(m, modbus7seg.Opts{Slave: 1})
	d2, _ := modbus7seg.New(m, modbus7seg.Opts{Slave: 2})

	statuses := make(chan display.Status, 16)
	sup := display.NewSupervised(d1, display.Options{MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond,
		OnStatus: func(s display.Status) { statuses <- s }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- sup.Run(ctx) }()
	defer func() { cancel(); <-done }()

	sup.Set(display.Content{Text: "A001"})
	st := <-statuses
	if st.OK || !errors.Is(st.Err, modbus.ErrTimeout) || st.Display != "modbus7seg slave 1" {
		t.Fatalf("status %+v, want a timeout of slave 1", st)
	}
	if err := d2.Show(display.Content{Text: "A002"}); err != nil {
		t.Fatalf("the other display: %v", err)
	}
	if got := alive.Holding(0, 4); !slices.Equal(got, regs("A002")) {
		t.Errorf("other display shows %v", got)
	}
	writes := make(chan []uint16, 16)
	dead.OnWrite(func(_ uint16, v []uint16) { writes <- v })
	sup.Set(display.Content{Text: "A003"})
	dead.SetSilent(false)
	if st := <-statuses; !st.OK {
		t.Fatalf("status %+v, want recovered", st)
	}
	// A retry of A001 may have been on the bus when the slave came back;
	// the latest content must follow.
	for v := range writes {
		if slices.Equal(v, regs("A003")) {
			break
		}
		if !slices.Equal(v, regs("A001")) {
			t.Fatalf("recovered display got %v, want A001 then A003", v)
		}
	}
}

// BenchmarkShow measures display updates against an emulator that answers
// at the pace of the line, and reports the bytes per update, the physical
// rate (request + answer + two 3.5-character silences) and how close the
// master comes to it.
func BenchmarkShow(b *testing.B) {
	for _, bc := range []struct {
		baud   int
		parity modbus.Parity
	}{{9600, modbus.ParityNone}, {9600, modbus.ParityEven}, {115200, modbus.ParityNone}, {115200, modbus.ParityEven}} {
		cfg := modbus.Config{Baud: bc.baud, Parity: bc.parity, Timeout: time.Second}
		b.Run(fmt.Sprintf("%d-8%s", bc.baud, bc.parity), func(b *testing.B) {
			m, srv := newBus(b, cfg, true)
			srv.Add(1)
			d, _ := modbus7seg.New(m, modbus7seg.Opts{Slave: 1})
			texts := []display.Content{{Text: "A023"}, {Text: "A024"}}
			before := m.Stats()
			start := time.Now()
			i := 0
			for b.Loop() {
				if err := d.Show(texts[i%2]); err != nil {
					b.Fatal(err)
				}
				i++
			}
			el := time.Since(start)
			after := m.Stats()
			perOp := float64(after.BytesOut+after.BytesIn-before.BytesOut-before.BytesIn) / float64(i)
			phys := (perOp + 7) * float64(cfg.CharTime()) / float64(time.Second)
			measured := float64(i) / el.Seconds()
			b.ReportMetric(perOp, "bus-bytes/op")
			b.ReportMetric(1/phys, "phys-tx/s")
			b.ReportMetric(measured, "tx/s")
			b.ReportMetric(100*measured*phys, "%-of-phys")
		})
	}
}
