package ht16k33_test

import (
	"errors"
	"testing"

	"periph.io/x/conn/v3/i2c"
	"periph.io/x/conn/v3/i2c/i2ctest"

	"motcua/display"
	"motcua/display/ht16k33"
)

func bus(t *testing.T, addr uint16, writes ...[]byte) *i2c.Dev {
	t.Helper()
	ops := make([]i2ctest.IO, len(writes))
	for i, w := range writes {
		ops[i] = i2ctest.IO{Addr: addr, W: w}
	}
	p := &i2ctest.Playback{Ops: ops, DontPanic: true}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Error(err)
		}
	})
	return &i2c.Dev{Bus: p, Addr: addr}
}

var blankRAM = []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}

func TestSequence(t *testing.T) {
	d := bus(t, 0x71,
		[]byte{0x21},      // oscillator on
		[]byte{0xE0 | 10}, // dimming
		blankRAM,          // clear
		[]byte{0x81},      // display on, no blink
		// A023: rows 0, 1, 3, 4 (row 2 is the colon)
		[]byte{0x00, 0x77, 0, 0x3F, 0, 0, 0, 0x5B, 0, 0x4F, 0},
		[]byte{0x85},      // blink at 1 Hz
		[]byte{0x81},      // blink off
		[]byte{0xE0 | 15}, // brightness clamped
		blankRAM,          // Blank
		[]byte{0x80},      // Halt: display off
		[]byte{0x20},      // standby
		// Show after Halt wakes it
		[]byte{0x21},
		[]byte{0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x07, 0},
		[]byte{0x81},
	)
	dev, err := ht16k33.New(d, &ht16k33.Opts{Brightness: 10})
	if err != nil {
		t.Fatal(err)
	}
	if dev.String() != "ht16k33 0x71" {
		t.Errorf("String = %q", dev)
	}
	steps := []func() error{
		func() error { return dev.Show(display.Content{Counter: 1, Text: "A023"}) },
		func() error { return dev.SetBlink(true) },
		func() error { return dev.SetBlink(false) },
		func() error { return dev.SetBrightness(99) },
		dev.Blank,
		dev.Halt,
		func() error { return dev.Show(display.Content{Text: "7"}) },
	}
	for i, f := range steps {
		if err := f(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
}

func TestBlinkRates(t *testing.T) {
	tests := []struct {
		rate ht16k33.BlinkRate
		want byte
	}{
		{ht16k33.Blink2Hz, 0x83},
		{ht16k33.Blink1Hz, 0x85},
		{ht16k33.BlinkHalfHz, 0x87},
	}
	for _, tt := range tests {
		d := bus(t, 0x70, []byte{0x21}, []byte{0xE0}, blankRAM, []byte{0x81}, []byte{tt.want})
		dev, err := ht16k33.New(d, &ht16k33.Opts{BlinkRate: tt.rate})
		if err != nil {
			t.Fatal(err)
		}
		if err := dev.SetBlink(true); err != nil {
			t.Errorf("rate %d: %v", tt.rate, err)
		}
	}
}

func TestAddress(t *testing.T) {
	for _, a := range []uint16{0x6F, 0x78, 0} {
		if _, err := ht16k33.New(&i2c.Dev{Addr: a}, nil); !errors.Is(err, ht16k33.ErrAddr) {
			t.Errorf("%#x: got %v, want ErrAddr", a, err)
		}
	}
}

func TestBusError(t *testing.T) {
	d := bus(t, 0x70) // nothing expected: the first write fails
	if _, err := ht16k33.New(d, nil); err == nil {
		t.Error("New succeeded on a failing bus")
	}
}
