package scan

import "strconv"

// Place is where a scan was made: the kiosk, or a counter. The zero Place
// is the kiosk.
type Place struct {
	Counter int // the counter's id; 0 for a kiosk
	// Kiosk is the [[kiosk]] id of a kiosk's scanner; "" for the unit's
	// own kiosk (and for counters).
	Kiosk string
}

// Kiosk is the Place of the kiosk's scanner.
var Kiosk = Place{}

// IsKiosk reports whether p is the kiosk.
func (p Place) IsKiosk() bool { return p.Counter == 0 }

// String returns "kiosk" or "counter N".
func (p Place) String() string {
	if p.IsKiosk() {
		if p.Kiosk != "" {
			return "kiosk " + p.Kiosk
		}
		return "kiosk"
	}
	return "counter " + strconv.Itoa(p.Counter)
}
