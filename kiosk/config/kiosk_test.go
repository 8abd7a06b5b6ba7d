package config

import (
	"reflect"
	"testing"
)

func TestKiosks(t *testing.T) {
	// base has 10 lines; what follows starts at line 11.
	const tok = "[[token]]\nrole = \"kiosk\"\nsecret = \"kiosk-secret-b-1234\"\nkiosk = \"sanh-b\"\n"
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{"two kiosks", "[printer]\naddress = \"usb:0416:5011:A\"\n[[kiosk]]\nid = \"sanh-b\"\n[kiosk.printer]\naddress = \"usb:0416:5011:B\"\n" + tok, nil},
		{"satellite", "[[kiosk]]\nid = \"sanh-b\"\nsatellite = true\n" + tok, nil},
		{"token of an unknown kiosk", tok, []string{
			"t.toml:14: kiosk \"sanh-b\" is not a [[kiosk]] of this file; use one of: (none; add a [[kiosk]] with that id), or remove kiosk for the unit's own kiosk",
		}},
		{"two kiosks on one printer", "[printer]\naddress = \"serial:/dev/ttyUSB0\"\n[[kiosk]]\nid = \"sanh-b\"\n[kiosk.printer]\naddress = \"/dev/ttyUSB0\"\n", []string{
			"t.toml:16: printer /dev/ttyUSB0 is already the printer at line 12; give each kiosk its own printer",
		}},
		{"bad and duplicate ids", "[[kiosk]]\nid = \"Sảnh\"\n[[kiosk]]\nid = \"b\"\n[[kiosk]]\nid = \"b\"\n[[kiosk]]\n", []string{
			"t.toml:12: kiosk id \"Sảnh\" may only have lower-case letters a-z, digits and -; write it like \"sanh-b\"",
			"t.toml:16: kiosk id \"b\" is already used at line 14; give each kiosk its own id",
			"t.toml:17: kiosk has no id; add id = \"sanh-b\" (lower-case letters, digits and -)",
		}},
		{"satellite with a printer", "[[kiosk]]\nid = \"b\"\nsatellite = true\n[kiosk.printer]\naddress = \"sim\"\n", []string{
			"t.toml:14: kiosk \"b\" is a satellite, whose printer is set on the satellite; remove its [kiosk.printer] here",
		}},
		{"kiosk printer checked", "[[kiosk]]\nid = \"b\"\n[kiosk.printer]\npaper = 57\n", []string{
			"t.toml:13: [kiosk.printer] has no address; add address = \"usb:VID:PID\", \"serial:/dev/ttyUSB0\", \"lp:/dev/usb/lp0\", \"tcp:HOST:9100\" or \"sim\"",
			"t.toml:14: printer paper = 57 must be 58 or 80 (paper width in mm)",
		}},
		{"kiosk keys", "[[kiosk]]\nid = \"b\"\n[[token]]\nrole = \"admin\"\nsecret = \"admin-secret-1234x\"\nkiosk = \"b\"\n" +
			"[[button]]\npin = \"GPIO17\"\nservice = \"a\"\nkiosk = \"c\"\n[[output]]\npin = \"GPIO5\"\nrole = \"buzzer\"\nkiosk = \"b\"\n" +
			"[[scanner]]\naddress = \"sim\"\ncounter = 1\nkiosk = \"b\"\n", []string{
			"t.toml:16: kiosk is only for role \"kiosk\"; remove it from this admin token",
			"t.toml:20: kiosk \"c\" is not a [[kiosk]] of this file; use one of: \"b\", or remove kiosk for the unit's own kiosk",
			"t.toml:24: a buzzer belongs to the room; remove kiosk from it",
			"t.toml:28: kiosk is only for a scanner with place = \"kiosk\"; remove it",
		}},
		{"one scanner per kiosk", "[[kiosk]]\nid = \"b\"\n[[scanner]]\naddress = \"sim\"\nplace = \"kiosk\"\n[[scanner]]\naddress = \"sim\"\nplace = \"kiosk\"\nkiosk = \"b\"\n[[scanner]]\naddress = \"sim\"\nplace = \"kiosk\"\nkiosk = \"b\"\n", []string{
			"t.toml:22: the kiosk b already has a scanner at line 18; give each place one scanner",
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

func TestKioskParsed(t *testing.T) {
	c, err := Parse("t.toml", []byte(base+"[printer]\naddress = \"sim\"\n[[kiosk]]\nid = \"sanh-b\"\n[kiosk.printer]\naddress = \"tcp:10.0.0.9\"\npaper = 58\n[[kiosk]]\nid = \"tang-2\"\nname = \"Tầng 2\"\nsatellite = true\n"))
	if err != nil {
		t.Fatal(err)
	}
	b := c.Kiosk("sanh-b")
	if b == nil || b.Name != "sanh-b" || b.Printer == nil || b.Printer.Endpoint.Scheme != "tcp" || b.Printer.Paper != 58 || b.Printer.Mode != ModeRaster || !b.Printer.Cut {
		t.Fatalf("kiosk sanh-b: got %+v", b)
	}
	if p := c.KioskPrinter(""); p != c.Printer {
		t.Errorf("the unit's own kiosk: got %+v, want [printer]", p)
	}
	if p := c.KioskPrinter("tang-2"); p != nil {
		t.Errorf("satellite: got printer %+v, want none", p)
	}
	if k := c.Kiosk("tang-2"); k == nil || k.Name != "Tầng 2" || !k.Satellite {
		t.Errorf("kiosk tang-2: got %+v", k)
	}
	if c.Kiosk("") != nil || c.Kiosk("x") != nil {
		t.Error("Kiosk of an unknown id must be nil")
	}
}
