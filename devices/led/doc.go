// Package led drives a GPIO output: a status LED on the kiosk (the
// "printing" LED, the "out of order" LED lit when the printer has no paper)
// or an active buzzer.
//
// A [Dev] is switched with [Dev.On] and [Dev.Off], blinks with [Dev.Blink]
// until its context ends, and plays a [Pattern] once with [Dev.Play] (a beep
// on a buzzer). The last call wins: On, Off, Halt or a new Blink or Play stop
// a Blink or Play that is running in another goroutine. [Dev.Halt] turns the
// output off. Time comes from an injected [Clock], so tests drive it by hand.
package led
