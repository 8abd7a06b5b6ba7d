package inventory

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// HIDDevice is one hidraw device: a barcode scanner in HID POS mode, or
// any other HID device (keyboards, mice and UPSes have one too).
type HIDDevice struct {
	Path     string // e.g. /dev/hidraw0
	Name     string // as the device names itself (HID_NAME)
	VID, PID string // four hex digits each; empty when unknown
	// Scanner is true when the device's report descriptor declares the
	// bar code scanner usage page (0x8C): a scanner in HID POS mode.
	Scanner bool
}

// InputDevice is one input event device: a scanner in keyboard mode
// shows up as a keyboard.
type InputDevice struct {
	Path     string   // e.g. /dev/input/event3
	ByID     []string // stable names under /dev/input/by-id that point to it
	Name     string
	Keyboard bool // it has digit and Enter keys
}

// listHID reads the hidraw devices from sysfs under sys; their device
// files are under dev.
func listHID(sys, dev string) []HIDDevice {
	dirs, _ := filepath.Glob(filepath.Join(sys, "class", "hidraw", "hidraw*"))
	var out []HIDDevice
	for _, d := range dirs {
		h := HIDDevice{Path: filepath.Join(dev, filepath.Base(d))}
		ue, _ := os.ReadFile(filepath.Join(d, "device", "uevent"))
		for line := range strings.Lines(string(ue)) {
			k, v, _ := strings.Cut(strings.TrimSpace(line), "=")
			switch k {
			case "HID_NAME":
				h.Name = v
			case "HID_ID": // BUS:VENDOR:PRODUCT, 4 and 8 hex digits
				if p := strings.Split(v, ":"); len(p) == 3 && len(p[1]) == 8 && len(p[2]) == 8 {
					h.VID, h.PID = strings.ToLower(p[1][4:]), strings.ToLower(p[2][4:])
				}
			}
		}
		desc, _ := os.ReadFile(filepath.Join(d, "device", "report_descriptor"))
		h.Scanner = hasUsagePage(desc, 0x8C)
		out = append(out, h)
	}
	slices.SortFunc(out, func(a, b HIDDevice) int { return naturalCompare(a.Path, b.Path) })
	return out
}

// hasUsagePage reports whether a HID report descriptor has a global Usage
// Page item with the value page.
func hasUsagePage(desc []byte, page uint16) bool {
	for i := 0; i < len(desc); {
		b := desc[i]
		if b == 0xFE { // long item: 0xFE, size, tag, data
			if i+1 >= len(desc) {
				return false
			}
			i += 3 + int(desc[i+1])
			continue
		}
		size := []int{0, 1, 2, 4}[b&3]
		if i+1+size > len(desc) {
			return false
		}
		if b&0xFC == 0x04 { // Usage Page, global
			var v uint32
			for j := size - 1; j >= 0; j-- {
				v = v<<8 | uint32(desc[i+1+j])
			}
			if v == uint32(page) {
				return true
			}
		}
		i += 1 + size
	}
	return false
}

// listInput reads the input event devices from sysfs under sys; their
// device files and by-id links are under dev.
func listInput(sys, dev string) []InputDevice {
	dirs, _ := filepath.Glob(filepath.Join(sys, "class", "input", "event*"))
	links := map[string][]string{}
	byID, _ := filepath.Glob(filepath.Join(dev, "input", "by-id", "*"))
	for _, l := range byID {
		if t, err := os.Readlink(l); err == nil {
			links[filepath.Base(t)] = append(links[filepath.Base(t)], l)
		}
	}
	var out []InputDevice
	for _, d := range dirs {
		base := filepath.Base(d)
		in := InputDevice{Path: filepath.Join(dev, "input", base), ByID: links[base]}
		name, _ := os.ReadFile(filepath.Join(d, "device", "name"))
		in.Name = strings.TrimSpace(string(name))
		keys, _ := os.ReadFile(filepath.Join(d, "device", "capabilities", "key"))
		in.Keyboard = hasBits(keys, 2, 11, 28) // KEY_1, KEY_0, KEY_ENTER
		out = append(out, in)
	}
	slices.SortFunc(out, func(a, b InputDevice) int { return naturalCompare(a.Path, b.Path) })
	return out
}

// hasBits reports whether a sysfs capability bitmap (hex words, most
// significant first, each as wide as a long) has every one of the bits.
func hasBits(bitmap []byte, bits ...int) bool {
	words := strings.Fields(string(bytes.TrimSpace(bitmap)))
	slices.Reverse(words)
	width := strconv.IntSize
	for _, bit := range bits {
		w := bit / width
		if w >= len(words) {
			return false
		}
		v, err := strconv.ParseUint(words[w], 16, 64)
		if err != nil || v&(1<<(bit%width)) == 0 {
			return false
		}
	}
	return true
}

// naturalCompare orders "event2" before "event10".
func naturalCompare(a, b string) int {
	ta, na := splitNumber(a)
	tb, nb := splitNumber(b)
	if c := strings.Compare(ta, tb); c != 0 {
		return c
	}
	return na - nb
}

func splitNumber(s string) (string, int) {
	i := len(s)
	for i > 0 && s[i-1] >= '0' && s[i-1] <= '9' {
		i--
	}
	n, _ := strconv.Atoi(s[i:])
	return s[:i], n
}

func (inv *Inventory) writeScanners(ew *errWriter) {
	ew.printf("\nHID devices (thiết bị HID; barcode scanners in HID POS mode):\n")
	if len(inv.HID) == 0 {
		ew.printf("  No hidraw devices found.\n")
	}
	for _, h := range inv.HID {
		ew.printf("  %s", h.Path)
		if h.VID != "" {
			ew.printf("  %s:%s", h.VID, h.PID)
		}
		if h.Name != "" {
			ew.printf("  %q", h.Name)
		}
		if h.Scanner {
			ew.printf("  barcode scanner (HID POS): address = \"hidraw:%s\"", h.Path)
		}
		ew.printf("\n")
	}
	ew.printf("\nInput devices (thiết bị nhập; barcode scanners in keyboard mode):\n")
	if len(inv.Input) == 0 {
		ew.printf("  No input devices found.\n")
	}
	for _, in := range inv.Input {
		ew.printf("  %s", in.Path)
		if in.Name != "" {
			ew.printf("  %q", in.Name)
		}
		if in.Keyboard {
			addr := in.Path
			if len(in.ByID) > 0 {
				addr = in.ByID[0]
			}
			ew.printf("  keyboard; if it is a scanner: address = \"evdev:%s\"", addr)
		}
		ew.printf("\n")
	}
}

// IsHIDPOS reports whether the hidraw device at path (/dev/hidraw0 or a
// link to it) declares the bar code scanner usage page: a scanner in HID
// POS mode, not its keyboard interface. The error says why it cannot be
// told (no such hidraw device in sysfs).
func IsHIDPOS(path string) (bool, error) { return isHIDPOS("/sys", path) }

func isHIDPOS(sys, path string) (bool, error) {
	if p, err := filepath.EvalSymlinks(path); err == nil {
		path = p
	}
	desc, err := os.ReadFile(filepath.Join(sys, "class", "hidraw", filepath.Base(path), "device", "report_descriptor"))
	if err != nil {
		return false, fmt.Errorf("inventory: report descriptor of %s: %w", path, err)
	}
	return hasUsagePage(desc, 0x8C), nil
}
