package keypad_test

import (
	"fmt"

	"motcua/devices/keypad"
)

// The queue maps a press, from the bus or from a GPIO button, to a counter
// action of the HTTP API.
func ExampleKey_Action() {
	for _, k := range keypad.KindCombined.Keys() {
		p := keypad.Press{Counter: 2, Key: k}
		if s := p.Key.Score(); s > 0 {
			fmt.Printf("POST /api/v1/counters/%d/%s {\"score\":%d}\n", p.Counter, p.Key.Action(), s)
			continue
		}
		fmt.Printf("POST /api/v1/counters/%d/%s\n", p.Counter, p.Key.Action())
	}
	// Output:
	// POST /api/v1/counters/2/next
	// POST /api/v1/counters/2/recall
	// POST /api/v1/counters/2/skip
	// POST /api/v1/counters/2/done
	// POST /api/v1/counters/2/transfer
	// POST /api/v1/counters/2/rating {"score":4}
	// POST /api/v1/counters/2/rating {"score":3}
	// POST /api/v1/counters/2/rating {"score":2}
	// POST /api/v1/counters/2/rating {"score":1}
}
