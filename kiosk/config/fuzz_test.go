package config

import (
	"bytes"
	"errors"
	"os"
	"testing"
)

// FuzzParse checks that Parse never panics, that every rejection is a
// *Problems with sane lines, and that an accepted configuration
// validates again.
func FuzzParse(f *testing.F) {
	f.Add([]byte(base))
	f.Add(DemoTOML)
	if example, err := os.ReadFile("example.toml"); err == nil {
		f.Add(example)
		f.Add([]byte(uncomment(string(example))))
	}
	f.Add([]byte(base + "[[service]]\nid = \"b\"\nname = \"B\"\nprefix = \"A1\"\n"))
	f.Add([]byte(base + "[[keypad]]\ncounter = 1\nkind = \"rating\"\npins = { very_satisfied = \"GPIO5\", satisfied = \"GPIO6\", neutral = \"GPIO13\", dissatisfied = \"GPIO19\" }\n"))
	f.Add([]byte(base + "[[scanner]]\naddress = \"hidraw:/dev/hidraw0\"\ncounter = 1\nsuffix = \"tab\"\n[[scanner]]\naddress = \"sim\"\nplace = \"kiosk\"\n"))
	f.Add([]byte(base + "[[token]]\nrole = \"counter\"\nsecret = \"0123456789abcdef\"\ncounters = [1]\n"))
	f.Add([]byte("service = [{id = \"a\", name = \"A\"}]\nunit = {id = \"u\", name = \"U\"}\n"))
	f.Add([]byte(base + "[printer]\naddress = \"/dev/ttyUSB0\"\n[[kiosk]]\nid = \"b\"\n[kiosk.printer]\naddress = \"serial:/dev/ttyUSB0\"\n[[token]]\nrole = \"kiosk\"\nsecret = \"0123456789abcdef\"\nkiosk = \"c\"\n"))
	f.Add([]byte("[unit\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("f.toml", data)
		if err != nil {
			if c != nil {
				t.Fatalf("got a config with error %v, want nil", err)
			}
			var ps *Problems
			if !errors.As(err, &ps) || len(*ps) == 0 {
				t.Fatalf("got %T %v, want a non-empty *Problems", err, err)
			}
			lines := bytes.Count(data, []byte("\n")) + 1
			for _, p := range *ps {
				if p.Line < 1 || p.Line > lines || p.File != "f.toml" || p.Msg == "" {
					t.Fatalf("got problem %+v, want file f.toml and a line in 1..%d", p, lines)
				}
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("accepted config does not validate again: %v", err)
		}
		if c.Location == nil || len(c.Services) == 0 {
			t.Fatalf("accepted config without location or services: %+v", c)
		}
	})
}
