package config

import (
	"errors"
	"strings"
	"testing"
)

func TestPrinterBlocks(t *testing.T) {
	base := `[unit]
id = "u"
name = "U"
[[service]]
id = "a"
name = "A"
prefix = "A"
[[counter]]
id = 1
services = ["a"]
[printer]
address = "sim"
`
	tests := []struct {
		name   string
		blocks string
		want   string // a problem line, or "" for valid
	}{
		{"valid", "[[printer.block]]\nfield = \"number\"\nscale = 6\n[[printer.block]]\nfield = \"wait\"\ntext = \"{ahead} người\"\nalign = \"left\"\nsize = \"small\"\n", ""},
		{"unknown field", "[[printer.block]]\nfield = \"logo\"\n", `b.toml:14: block field "logo" is unknown`},
		{"bad align", "[[printer.block]]\nfield = \"unit\"\nalign = \"middle\"\n", `b.toml:15: block align "middle" is unknown`},
		{"bad scale", "[[printer.block]]\nfield = \"number\"\nscale = 9\n", `b.toml:15: block scale = 9 must be 0`},
		{"unknown key", "[[printer.block]]\nfield = \"unit\"\ncolour = \"red\"\n", `b.toml:15:`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("b.toml", []byte(base+tt.blocks))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got %v, want valid", err)
				}
				if n := len(cfg.Printer.Blocks); n != 2 || cfg.Printer.Blocks[0].Scale != 6 || cfg.Printer.Blocks[1].Text != "{ahead} người" {
					t.Errorf("blocks: got %+v", cfg.Printer.Blocks)
				}
				return
			}
			var ps *Problems
			if !errors.As(err, &ps) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want a problem %q", err, tt.want)
			}
		})
	}
}
