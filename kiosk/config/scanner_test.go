package config

import (
	"reflect"
	"testing"
	"time"
)

func TestScanners(t *testing.T) {
	// base has 10 lines; the [[scanner]] below starts at line 11.
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{"kiosk sim", "[[scanner]]\naddress = \"sim\"\nplace = \"kiosk\"\n", nil},
		{"counter hidraw", "[[scanner]]\naddress = \"hidraw:/dev/hidraw0\"\ncounter = 1\nsuffix = \"none\"\ntimeout = \"50ms\"\n", nil},
		{"no address, no place", "[[scanner]]\nsuffix = \"tab\"\n", []string{
			"t.toml:11: scanner has neither place nor counter; add place = \"kiosk\" or counter = ID",
			"t.toml:11: scanner has no address; add address = \"serial:/dev/ttyACM0\", \"hidraw:/dev/hidraw0\", \"evdev:/dev/input/by-id/...\" or \"sim\"",
		}},
		{"unknown scheme", "[[scanner]]\naddress = \"usb:0c2e:0b61\"\nplace = \"kiosk\"\n", []string{
			"t.toml:12: scanner address \"usb:0c2e:0b61\" is unknown; use \"serial:/dev/ttyACM0\" (USB serial), \"hidraw:/dev/hidraw0\" (HID POS), \"evdev:/dev/input/by-id/...\" (keyboard mode) or \"sim\"; \"motcua devices\" lists them",
		}},
		{"relative path", "[[scanner]]\naddress = \"evdev:input/event3\"\nplace = \"kiosk\"\n", []string{
			"t.toml:12: scanner address \"evdev:input/event3\" needs a device path under /dev, such as evdev:/dev/input/by-id/usb-SCANNER-event-kbd",
		}},
		{"both place and counter, bad values", "[[scanner]]\naddress = \"hidraw:/dev/hidraw0\"\nplace = \"kiosk\"\ncounter = 1\nsuffix = \"crlf\"\ntimeout = \"0s\"\nbaud = 9600\n", []string{
			"t.toml:14: scanner has both place and counter; keep place = \"kiosk\" or counter = ID",
			"t.toml:15: scanner suffix \"crlf\" is unknown; use \"enter\", \"cr\", \"lf\", \"tab\" or \"none\"",
			"t.toml:16: scanner timeout must be between \"1ms\" and \"10s\", such as \"100ms\"",
			"t.toml:17: baud is only for serial scanners; remove it",
		}},
		{"unknown place and counter", "[[scanner]]\naddress = \"serial:/dev/ttyACM0\"\nplace = \"quay\"\nbaud = 1234\n[[scanner]]\naddress = \"serial:/dev/ttyACM1\"\ncounter = 7\n", []string{
			"t.toml:13: scanner place \"quay\" is unknown; use \"kiosk\", or counter = ID for a counter's scanner",
			"t.toml:14: scanner baud = 1234 is not a standard rate; use one of 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200",
			"t.toml:17: scanner names counter 7, which does not exist; use one of: 1",
		}},
		{"same device twice", "[[scanner]]\naddress = \"hidraw:/dev/hidraw0\"\nplace = \"kiosk\"\n[[scanner]]\naddress = \"hidraw:/dev/hidraw0\"\ncounter = 1\n", []string{
			"t.toml:15: scanner hidraw:/dev/hidraw0 is already used at line 12; give each scanner its own device",
		}},
		{"two at the kiosk", "[[scanner]]\naddress = \"sim\"\nplace = \"kiosk\"\n[[scanner]]\naddress = \"sim\"\nplace = \"kiosk\"\n", []string{
			"t.toml:16: the kiosk already has a scanner at line 13; give each place one scanner",
		}},
		{"unknown key", "[[scanner]]\naddress = \"sim\"\nplace = \"kiosk\"\nport = \"/dev/ttyACM0\"\n", []string{
			"t.toml:14: unknown key \"port\" in [[scanner]]; remove it (known: address, place, counter, suffix, timeout, baud, kiosk)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t.toml", []byte(base+tt.doc))
			if got := problemLines(t, err); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q,\nwant %q", got, tt.want)
			}
		})
	}
}

func TestScannerParsed(t *testing.T) {
	c, err := Parse("t.toml", []byte(base+"[[scanner]]\naddress = \"evdev:/dev/input/by-id/usb-X-event-kbd\"\ncounter = 1\n[[scanner]]\naddress = \"sim\"\nplace = \"kiosk\"\nsuffix = \"tab\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := c.Scanners[0]
	if s.Endpoint != (Endpoint{Scheme: "evdev", Path: "/dev/input/by-id/usb-X-event-kbd"}) || s.Endpoint.String() != s.Address {
		t.Errorf("endpoint: got %+v", s.Endpoint)
	}
	if s.Suffix != SuffixEnter || s.Ends() != "\r\n" || s.Timeout.D() != 100*time.Millisecond || s.Baud != 0 {
		t.Errorf("defaults: got %+v", s)
	}
	if k := c.Scanners[1]; k.Place != PlaceKiosk || k.Endpoint.Scheme != "sim" || k.Ends() != "\t" {
		t.Errorf("kiosk scanner: got %+v", k)
	}
	if (Scanner{Suffix: SuffixNone}).Ends() != "" {
		t.Error("suffix none must end scans by timeout only")
	}
}
