package max7219_test

import (
	"errors"
	"testing"

	"periph.io/x/conn/v3/conntest"
	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/spi"
	"periph.io/x/conn/v3/spi/spitest"

	"motcua/display"
	"motcua/display/max7219"
)

func playback(t *testing.T, ops ...[]byte) spi.Conn {
	t.Helper()
	io := make([]conntest.IO, len(ops))
	for i, w := range ops {
		io[i] = conntest.IO{W: w}
	}
	p := &spitest.Playback{Playback: conntest.Playback{Ops: io, DontPanic: true}}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Error(err)
		}
	})
	c, err := p.Connect(10*physic.MegaHertz, spi.Mode0, 8)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestChainNoDecode(t *testing.T) {
	c := playback(t,
		// init, the same to both chips
		[]byte{0x0F, 0, 0x0F, 0}, // display test off
		[]byte{0x0B, 3, 0x0B, 3}, // scan limit: 4 digits
		[]byte{0x09, 0, 0x09, 0}, // no decode
		[]byte{0x0A, 8, 0x0A, 8}, // intensity
		[]byte{1, 0, 1, 0}, []byte{2, 0, 2, 0}, []byte{3, 0, 3, 0}, []byte{4, 0, 4, 0},
		[]byte{0x0C, 1, 0x0C, 1}, // leave shutdown
		// chip 1 (last in chain, sent first) shows A023, rightmost digit first
		[]byte{1, 0x79, 0, 0}, []byte{2, 0x6D, 0, 0}, []byte{3, 0x7E, 0, 0}, []byte{4, 0x77, 0, 0},
		// chip 0 brightness 3
		[]byte{0, 0, 0x0A, 3},
		// chip 0 blank
		[]byte{0, 0, 1, 0}, []byte{0, 0, 2, 0}, []byte{0, 0, 3, 0}, []byte{0, 0, 4, 0},
		// chip 1 halt, then show 7 wakes it
		[]byte{0x0C, 0, 0, 0},
		[]byte{1, 0x70, 0, 0}, []byte{2, 0, 0, 0}, []byte{3, 0, 0, 0}, []byte{4, 0, 0, 0},
		[]byte{0x0C, 1, 0, 0},
		// chain halt
		[]byte{0x0C, 0, 0x0C, 0},
	)
	d, err := max7219.New(c, &max7219.Opts{Chips: 2, Digits: 4, Brightness: 8})
	if err != nil {
		t.Fatal(err)
	}
	d0, err := d.Display(0)
	if err != nil {
		t.Fatal(err)
	}
	d1, _ := d.Display(1)
	if d1.String() != "max7219 chip 1" || d.String() != "max7219 chain of 2" {
		t.Errorf("names %q, %q", d1, d)
	}
	steps := []func() error{
		func() error { return d1.Show(display.Content{Counter: 1, Text: "A023"}) },
		func() error { return d0.SetBrightness(3) },
		d0.Blank,
		d1.Halt,
		func() error { return d1.Show(display.Content{Text: "7"}) },
		d.Halt,
	}
	for i, f := range steps {
		if err := f(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	if _, err := d.Display(2); !errors.Is(err, max7219.ErrOpts) {
		t.Errorf("chip 2 of 2: got %v, want ErrOpts", err)
	}
}

func TestCodeB(t *testing.T) {
	init := [][]byte{{0x0F, 0}, {0x0B, 7}, {0x09, 0xFF}, {0x0A, 15}}
	for i := range 8 {
		init = append(init, []byte{byte(1 + i), 0x0F})
	}
	init = append(init, []byte{0x0C, 1})
	// "1   A023": A has no Code-B glyph and shows as '-' (0x0A).
	show := [][]byte{{1, 3}, {2, 2}, {3, 0}, {4, 0x0A}, {5, 0x0F}, {6, 0x0F}, {7, 0x0F}, {8, 1}}
	c := playback(t, append(append(init, show...), []byte{0x0C, 0})...)
	d, err := max7219.New(c, &max7219.Opts{Decode: max7219.CodeB, Brightness: 40})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := d.Display(0)
	if err := p.Show(display.Content{Counter: 1, Text: "A023"}); err != nil {
		t.Fatal(err)
	}
	if err := p.Halt(); err != nil {
		t.Fatal(err)
	}
}

func TestOpts(t *testing.T) {
	for _, o := range []max7219.Opts{{Chips: 65}, {Digits: 9}, {Decode: 7}} {
		if _, err := max7219.New(nil, &o); !errors.Is(err, max7219.ErrOpts) {
			t.Errorf("%+v: got %v, want ErrOpts", o, err)
		}
	}
}

func TestTxError(t *testing.T) {
	c := playback(t) // expects nothing: the first write fails
	if _, err := max7219.New(c, nil); err == nil {
		t.Error("New succeeded on a failing bus")
	}
}
