// Package button reads a push button wired between a GPIO pin and ground.
//
// The pin is set as an input with the internal pull-up and edge detection on
// both edges, so the level is High at rest and Low while the button is held.
// [Dev.Run] waits for edges with a bounded timeout (the Linux gpioioctl driver
// returns at once from WaitForEdge(-1) and waits forever on 0), re-reads the
// level and applies, in this order:
//
//   - debounce: a change counts only once the level has been stable for
//     [Opts.Debounce] (30 ms by default), so contact bounce and short
//     electrical glitches are ignored;
//   - long press: with [Opts.LongPress] set, a press shorter than it is
//     reported as [Press] on release and a hold that reaches it as [LongPress]
//     at that moment; without it, [Press] is reported as soon as the button
//     is down;
//   - stuck detection: a button held for [Opts.StuckAfter] (stuck, or taped
//     down) gives a [Status] warning and is ignored until it is released, when
//     an ok [Status] follows; such a hold yields at most one event;
//   - rate limit: events closer than [Opts.MinInterval] (2 s by default) to
//     the last one delivered are counted ([Dev.Dropped]) and dropped, so a child
//     pressing 500 times prints a handful of tickets, not 500.
//
// Time comes from an injected clock.Clock, so tests drive it by hand.
package button
