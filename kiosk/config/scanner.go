package config

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Scanner is a 2D barcode scanner ([[scanner]]) at the kiosk or at a
// counter. Give Place = "kiosk" or Counter, not both.
type Scanner struct {
	// Address says how the scanner is connected: "serial:/dev/ttyACM0"
	// (USB serial or RS-232), "hidraw:/dev/hidraw0" (HID POS),
	// "evdev:/dev/input/by-id/...-event-kbd" (keyboard mode, grabbed) or
	// "sim" (fed through the API). Parsed into Endpoint.
	Address string `toml:"address"`
	Place   string `toml:"place"`   // "kiosk"; or Counter
	Counter int    `toml:"counter"` // counter id; or Place
	// Suffix is what the scanner sends after each code: "enter" (CR or
	// LF, default), "cr", "lf", "tab" or "none" (only Timeout ends a scan).
	Suffix string `toml:"suffix"`
	// Timeout ends a scan when no byte came for this long (default 100ms).
	Timeout Duration `toml:"timeout"`
	// Baud is the bit rate of an RS-232 scanner (serial only; default
	// 9600; USB serial scanners ignore it).
	Baud int `toml:"baud"`
	// Kiosk is the [[kiosk]] a scanner with Place = "kiosk" belongs to:
	// the tickets of its scans print there. "": the unit's own kiosk.
	Kiosk string `toml:"kiosk"`

	// Endpoint is Address parsed: Scheme "serial", "hidraw", "evdev" or
	// "sim", and Path.
	Endpoint Endpoint `toml:"-"`
}

// PlaceKiosk is the [Scanner.Place] of the kiosk's scanner.
const PlaceKiosk = "kiosk"

// The suffixes of [Scanner.Suffix].
const (
	SuffixEnter = "enter"
	SuffixCR    = "cr"
	SuffixLF    = "lf"
	SuffixTab   = "tab"
	SuffixNone  = "none"
)

// Ends returns the bytes that end a scan for s.Suffix: "\r\n" for enter,
// "" for none.
func (s Scanner) Ends() string {
	return map[string]string{SuffixEnter: "\r\n", SuffixCR: "\r", SuffixLF: "\n", SuffixTab: "\t"}[s.Suffix]
}

func (s *Scanner) setDefaults() {
	s.Suffix, s.Timeout = SuffixEnter, Duration(100*time.Millisecond)
}

// ParseScannerAddress parses a scanner address: "sim",
// "serial:/dev/ttyACM0", "hidraw:/dev/hidraw0" or
// "evdev:/dev/input/by-id/usb-...-event-kbd".
func ParseScannerAddress(s string) (Endpoint, error) {
	if s == "sim" {
		return Endpoint{Scheme: "sim"}, nil
	}
	scheme, path, ok := strings.Cut(s, ":")
	examples := map[string]string{"serial": "/dev/ttyACM0", "hidraw": "/dev/hidraw0", "evdev": "/dev/input/by-id/usb-SCANNER-event-kbd"}
	ex, known := examples[scheme]
	switch {
	case !ok || !known:
		return Endpoint{}, fmt.Errorf("scanner address %q is unknown; use \"serial:/dev/ttyACM0\" (USB serial), \"hidraw:/dev/hidraw0\" (HID POS), \"evdev:/dev/input/by-id/...\" (keyboard mode) or \"sim\"; \"motcua devices\" lists them", s)
	case !strings.HasPrefix(path, "/dev/"):
		return Endpoint{}, fmt.Errorf("scanner address %q needs a device path under /dev, such as %s:%s", s, scheme, ex)
	}
	return Endpoint{Scheme: scheme, Path: path}, nil
}

// validateScanners checks [[scanner]] and sets each Endpoint.
func (c *Config) validateScanners(d *decoder) {
	used := map[string]string{}   // address -> path of first use
	places := map[string]string{} // "kiosk" or "counter N" -> path of first use
	for i := range c.Scanners {
		s := &c.Scanners[i]
		p := fmt.Sprintf("scanner[%d]", i)
		e, err := ParseScannerAddress(s.Address)
		switch {
		case s.Address == "":
			d.addf(p+".address", "scanner has no address; add address = \"serial:/dev/ttyACM0\", \"hidraw:/dev/hidraw0\", \"evdev:/dev/input/by-id/...\" or \"sim\"")
		case err != nil:
			d.addf(p+".address", "%v", err)
		default:
			if e != s.Endpoint {
				s.Endpoint = e
			}
			if first, dup := used[s.Address]; dup && e.Scheme != "sim" {
				d.addf(p+".address", "scanner %s is already used at line %d; give each scanner its own device", s.Address, lineOf(d.lines, first))
			}
			used[s.Address] = p + ".address"
		}
		switch {
		case s.Place != "" && s.Counter != 0:
			d.addf(p+".counter", "scanner has both place and counter; keep place = \"kiosk\" or counter = ID")
		case s.Place == "" && s.Counter == 0:
			d.addf(p, "scanner has neither place nor counter; add place = \"kiosk\" or counter = ID")
		case s.Place != "" && s.Place != PlaceKiosk:
			d.addf(p+".place", "scanner place %q is unknown; use \"kiosk\", or counter = ID for a counter's scanner", s.Place)
		case s.Counter != 0 && c.Counter(s.Counter) == nil:
			d.addf(p+".counter", "scanner names counter %d, which does not exist; use one of: %s", s.Counter, c.counterIDs())
		default:
			key, where := PlaceKiosk, p+".place"
			if s.Kiosk != "" {
				key = PlaceKiosk + " " + s.Kiosk
			}
			if s.Counter != 0 {
				key, where = fmt.Sprintf("counter %d", s.Counter), p+".counter"
			}
			if first, dup := places[key]; dup {
				d.addf(where, "the %s already has a scanner at line %d; give each place one scanner", key, lineOf(d.lines, first))
			}
			places[key] = where
		}
		if !slices.Contains([]string{SuffixEnter, SuffixCR, SuffixLF, SuffixTab, SuffixNone}, s.Suffix) {
			d.addf(p+".suffix", "scanner suffix %q is unknown; use \"enter\", \"cr\", \"lf\", \"tab\" or \"none\"", s.Suffix)
		}
		if s.Timeout <= 0 || s.Timeout.D() > 10*time.Second {
			d.addf(p+".timeout", "scanner timeout must be between \"1ms\" and \"10s\", such as \"100ms\"")
		}
		switch {
		case s.Baud != 0 && e.Scheme != "serial":
			d.addf(p+".baud", "baud is only for serial scanners; remove it")
		case s.Baud != 0 && !slices.Contains(baudRates, s.Baud):
			d.addf(p+".baud", "scanner baud = %d is not a standard rate; use one of 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200", s.Baud)
		}
	}
}
