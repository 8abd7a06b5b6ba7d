// Package led drives a GPIO output: a status LED on the kiosk (the
// "printing" LED, the "out of order" LED lit when the printer has no paper)
// or an active buzzer.
//
// A [Dev] is switched with [Dev.On] and [Dev.Off] and plays a [Pattern]
// once with [Dev.Play] (a beep on a buzzer). The last call wins: On, Off,
// Halt or a new Play stop a Play that is running in another goroutine.
// [Dev.Halt] turns the output off. Time comes from an injected
// clock.Clock, so tests drive it by hand.
package led
