package config

import (
	"fmt"
	"strings"
)

// Kiosk is one more kiosk of the room ([[kiosk]]): a touch screen or a
// box of buttons with its own ticket printer. A kiosk token, button,
// scanner or light names it by ID in its own kiosk key; the tickets
// issued there print on its printer. The unit's own kiosk, whose
// printer is [Config.Printer], has no [[kiosk]] and the id "".
type Kiosk struct {
	ID   string `toml:"id"`   // [a-z0-9-]+
	Name string `toml:"name"` // for the admin page and logs; default the id
	// Satellite says that the kiosk's devices are on another machine
	// running "motcua satellite", which prints its tickets: this daemon
	// has no printer for it.
	Satellite bool `toml:"satellite"`
	// Printer is the kiosk's printer ([kiosk.printer]); nil for a
	// satellite, or a kiosk whose tickets are shown on screen only.
	Printer *Printer `toml:"printer"`
}

// Kiosk returns the [[kiosk]] with the given id, or nil ("" is the unit's
// own kiosk, which has none).
func (c *Config) Kiosk(id string) *Kiosk {
	for i := range c.Kiosks {
		if c.Kiosks[i].ID == id {
			return &c.Kiosks[i]
		}
	}
	return nil
}

// KioskPrinter returns the printer of kiosk id ("" the unit's own), or
// nil when it has none.
func (c *Config) KioskPrinter(id string) *Printer {
	if id == "" {
		return c.Printer
	}
	if k := c.Kiosk(id); k != nil {
		return k.Printer
	}
	return nil
}

func (c *Config) kioskIDs() string {
	if len(c.Kiosks) == 0 {
		return "(none; add a [[kiosk]] with that id)"
	}
	ids := make([]string, len(c.Kiosks))
	for i, k := range c.Kiosks {
		ids[i] = fmt.Sprintf("%q", k.ID)
	}
	return strings.Join(ids, ", ")
}

// validateKiosks checks [[kiosk]], that no two kiosks share a printer,
// and that every kiosk key names a kiosk.
func (c *Config) validateKiosks(d *decoder) {
	ids := map[string]string{}
	printers := map[Endpoint]string{} // printer device -> path of first use
	usePrinter := func(path string, p *Printer) {
		if p == nil || p.Endpoint.Scheme == "" || p.Endpoint.Scheme == "sim" {
			return
		}
		if first, dup := printers[p.Endpoint]; dup {
			d.addf(path+".address", "printer %s is already the printer at line %d; give each kiosk its own printer", p.Address, lineOf(d.lines, first))
			return
		}
		printers[p.Endpoint] = path + ".address"
	}
	usePrinter("printer", c.Printer)
	for i := range c.Kiosks {
		k := &c.Kiosks[i]
		p := fmt.Sprintf("kiosk[%d]", i)
		switch {
		case k.ID == "":
			d.addf(p+".id", "kiosk has no id; add id = \"sanh-b\" (lower-case letters, digits and -)")
		case !idRe.MatchString(k.ID):
			d.addf(p+".id", "kiosk id %q may only have lower-case letters a-z, digits and -; write it like \"sanh-b\"", k.ID)
		default:
			if first, dup := ids[k.ID]; dup {
				d.addf(p+".id", "kiosk id %q is already used at line %d; give each kiosk its own id", k.ID, lineOf(d.lines, first))
			}
			ids[k.ID] = p + ".id"
		}
		if k.Name == "" {
			k.Name = k.ID
		}
		if k.Printer == nil {
			continue
		}
		if k.Satellite {
			d.addf(p+".printer", "kiosk %q is a satellite, whose printer is set on the satellite; remove its [kiosk.printer] here", k.ID)
			continue
		}
		validatePrinter(d, p+".printer", k.Printer)
		usePrinter(p+".printer", k.Printer)
	}
	known := func(path, id string) {
		if id != "" && c.Kiosk(id) == nil {
			d.addf(path, "kiosk %q is not a [[kiosk]] of this file; use one of: %s, or remove kiosk for the unit's own kiosk", id, c.kioskIDs())
		}
	}
	for i, t := range c.Tokens {
		p := fmt.Sprintf("token[%d].kiosk", i)
		if t.Kiosk != "" && t.Role != RoleKiosk && t.Role != "" {
			d.addf(p, "kiosk is only for role \"kiosk\"; remove it from this %s token", t.Role)
			continue
		}
		known(p, t.Kiosk)
	}
	for i, b := range c.Buttons {
		known(fmt.Sprintf("button[%d].kiosk", i), b.Kiosk)
	}
	for i, o := range c.Outputs {
		p := fmt.Sprintf("output[%d].kiosk", i)
		if o.Kiosk != "" && o.Role == OutputBuzzer {
			d.addf(p, "a buzzer belongs to the room; remove kiosk from it")
			continue
		}
		known(p, o.Kiosk)
	}
	for i, s := range c.Scanners {
		p := fmt.Sprintf("scanner[%d].kiosk", i)
		if s.Kiosk != "" && s.Place != PlaceKiosk {
			d.addf(p, "kiosk is only for a scanner with place = \"kiosk\"; remove it")
			continue
		}
		known(p, s.Kiosk)
	}
}

// kioskPrinters are the printers of the [[kiosk]]s that have one.
func (c *Config) kioskPrinters() []*Printer {
	var out []*Printer
	for i := range c.Kiosks {
		if p := c.Kiosks[i].Printer; p != nil {
			out = append(out, p)
		}
	}
	return out
}
