package display_test

import (
	"context"
	"fmt"

	"motcua/display"
	"motcua/display/sim"
)

// The queue hands content to a Supervised, which never blocks; Run talks
// to the display.
func ExampleSupervised() {
	changes := make(chan sim.State, 8)
	room := sim.NewRoom(func(s sim.State) { changes <- s })
	sup := display.NewSupervised(room.Add(1, 8), display.Options{})

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- sup.Run(ctx) }()

	sup.Set(display.Content{Counter: 1, Text: "A023"})
	s := <-changes
	fmt.Printf("%q blink=%v\n", s.Text, s.Blink)
	cancel()
	<-done
	// Output:
	// "1   A023" blink=false
}
