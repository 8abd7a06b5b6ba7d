package button_test

import (
	"context"
	"fmt"
	"log"
	"os/signal"
	"syscall"
	"time"

	"periph.io/x/conn/v3/gpio/gpioreg"
	host "periph.io/x/host/v3"

	"motcua/devices/button"
)

// A ticket button on GPIO17, wired to ground. On a machine without that
// pin it stops at ByName, so the example has no output to check.
func Example() {
	if _, err := host.Init(); err != nil {
		log.Fatal(err)
	}
	pin := gpioreg.ByName("GPIO17")
	if pin == nil {
		fmt.Println("no GPIO17 on this machine")
		return
	}
	b, err := button.New(pin, button.Opts{
		Name:      "ticket-1",
		LongPress: 3 * time.Second,
		OnEvent: func(e button.Event) {
			fmt.Println(e.Kind, e.At.Format(time.TimeOnly))
		},
		OnStatus: func(s button.Status) {
			fmt.Println(s.Level, s.DetailVI)
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer b.Halt()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := b.Run(ctx); err != nil {
		log.Fatal(err)
	}
}
