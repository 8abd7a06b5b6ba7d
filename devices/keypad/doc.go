// Package keypad reads the counter keypads and rating keypads on the RS-485
// bus and turns their presses into [Press] values for the queue.
//
// A counter keypad has the keys Next, Recall, Skip, Done and Transfer; a
// rating keypad has four keys, Rất hài lòng (4), Hài lòng (3), Bình thường (2)
// and Không hài lòng (1), that rate the ticket last served at its counter. A
// combined keypad has all nine. GPIO buttons are handled elsewhere but can
// produce the same [Press] values, so the queue maps one type to its actions:
// [Key.Action] names the counter action (the path segment of the HTTP API:
// "next", "recall", "skip", "done", "transfer", "rating") and [Key.Score]
// the rating.
//
// # Register map
//
// Each keypad is a Modbus RTU slave. It counts presses of each key in an
// input register, starting at address 0, one 16-bit counter per key that
// wraps from 65535 to 0:
//
//	KindCall:     0 Next, 1 Recall, 2 Skip, 3 Done, 4 Transfer
//	KindRating:   0 Rất hài lòng (4), 1 Hài lòng (3), 2 Bình thường (2), 3 Không hài lòng (1)
//	KindCombined: 0..4 as KindCall, then 5..8 as KindRating's 0..3
//
// A poll is one function-04 read of all of a keypad's counters (for a
// counter keypad 8 bytes out, 15 back). Counters rather than latched bits
// mean no write is needed to acknowledge, and a lost or repeated answer never
// loses or doubles a press: the poller delivers the difference from the last
// poll. The first poll only records the counters. A difference above
// Options.MaxPresses is taken as a keypad restart (counters back at 0) and
// only records the new values.
//
// A keypad that does not answer is polled again after a jittered
// exponential backoff, so a dead keypad costs the bus little, and each
// change between answering and not is reported to Options.OnStatus.
package keypad
