package led_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"periph.io/x/conn/v3/gpio/gpioreg"
	host "periph.io/x/host/v3"

	"motcua/devices/led"
)

// The "printing" LED blinks while a ticket prints, after a beep.
// Without the pins it stops at ByName, so the example has no output to check.
func Example() {
	if _, err := host.Init(); err != nil {
		log.Fatal(err)
	}
	ledPin, buzzPin := gpioreg.ByName("GPIO22"), gpioreg.ByName("GPIO27")
	if ledPin == nil || buzzPin == nil {
		fmt.Println("no GPIO22 or GPIO27 on this machine")
		return
	}
	printing, err := led.New(ledPin, led.Opts{Name: "printing"})
	if err != nil {
		log.Fatal(err)
	}
	defer printing.Halt()
	buzzer, err := led.New(buzzPin, led.Opts{Name: "buzzer"})
	if err != nil {
		log.Fatal(err)
	}
	defer buzzer.Halt()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := buzzer.Play(ctx, led.Beep()); err != nil {
		log.Fatal(err)
	}
	if err := printing.Play(ctx, led.Pattern{250 * time.Millisecond, 250 * time.Millisecond, 250 * time.Millisecond}); err != nil {
		log.Fatal(err)
	}
}
