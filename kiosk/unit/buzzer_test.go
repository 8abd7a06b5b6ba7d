package unit

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"motcua/kiosk/config"
)

// testBuzzer is a fake GPIO pin registered as GPIO27 for the test binary.
var testBuzzer = func() *gpiotest.Pin {
	p := &gpiotest.Pin{N: "GPIO27", Num: 27, L: gpio.Low}
	if err := gpioreg.Register(p); err != nil {
		panic(err)
	}
	return p
}()

// handClock fires the waits it is asked for when the test says.
type handClock struct {
	asked chan time.Duration
	fire  chan time.Time
}

func (c *handClock) Now() time.Time { return time.Unix(0, 0) }

func (c *handClock) After(d time.Duration) <-chan time.Time {
	c.asked <- d
	return c.fire
}

// The buzzer has one owner, a loop of the device set on the unit's clock:
// beeps asked while one plays make one more, not a goroutine each, and
// the loop ends with the devices.
func TestBuzzerLoop(t *testing.T) {
	clk := &handClock{asked: make(chan time.Duration, 10), fire: make(chan time.Time)}
	r := &devices{
		cfg:   &config.Config{Outputs: []config.Output{{Pin: "GPIO27", Role: config.OutputBuzzer}}},
		log:   slog.New(slog.DiscardHandler),
		clock: clk,
	}
	if err := r.openOutputs(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.run(ctx) }()
	wait := func() time.Duration {
		t.Helper()
		select {
		case d := <-clk.asked:
			return d
		case err := <-done:
			t.Fatalf("no beep: the devices stopped: %v", err)
		case <-time.After(30 * time.Second):
			t.Fatal("no beep")
		}
		return 0
	}
	r.beep()
	for i := range 2 {
		if d := wait(); d <= 0 || testBuzzer.Read() != gpio.High {
			t.Fatalf("beep %d: %v with the pin %v, want a beep with the pin high", i+1, d, testBuzzer.Read())
		}
		switch i {
		case 0:
			// Two more while the first plays: they make one more beep.
			r.beep()
			r.beep()
		case 1:
			if n := len(r.beeps); n != 0 {
				t.Errorf("%d beeps still queued behind the second, want none", n)
			}
		}
		clk.fire <- time.Time{}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run: %v", err)
	}
	if testBuzzer.Read() != gpio.Low {
		t.Error("the buzzer is on after the devices stopped")
	}
}
