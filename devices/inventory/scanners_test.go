package inventory

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// fakeSys builds a sysfs and /dev tree with a HID POS scanner, a USB
// keyboard (its hidraw and input device), a keyboard-mode scanner and a
// power button.
func fakeSys(t *testing.T) (sys, dev string) {
	root := t.TempDir()
	sys, dev = filepath.Join(root, "sys"), filepath.Join(root, "dev")
	write := func(path, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	hid := func(n, uevent string, desc []byte) {
		d := filepath.Join(sys, "class", "hidraw", n, "device")
		write(filepath.Join(d, "uevent"), uevent)
		write(filepath.Join(d, "report_descriptor"), string(desc))
	}
	// Usage Page (Bar Code Scanner 0x8C) as a 2-byte item, Usage, Collection.
	hid("hidraw0", "DRIVER=hid-generic\nHID_ID=0003:00000C2E:00000B61\nHID_NAME=Honeywell Imaging 1950g\n",
		[]byte{0x06, 0x8C, 0x00, 0x09, 0x02, 0xA1, 0x01, 0xC0})
	// A keyboard: Usage Page (Generic Desktop), Usage (Keyboard); a data
	// byte 0x8C inside another item must not count.
	hid("hidraw10", "HID_ID=0003:0000046D:0000C31C\nHID_NAME=Logitech USB Keyboard\n",
		[]byte{0x05, 0x01, 0x09, 0x06, 0xA1, 0x01, 0x15, 0x8C, 0xC0})
	hid("hidraw2", "HID_NAME=odd\n", []byte{0x06, 0x8C})
	input := func(n, name, keys string) {
		d := filepath.Join(sys, "class", "input", n, "device")
		write(filepath.Join(d, "name"), name+"\n")
		write(filepath.Join(d, "capabilities", "key"), keys+"\n")
	}
	// Keyboards have KEY_1..KEY_0 (2..11) and KEY_ENTER (28): bits in the
	// lowest word, written last.
	input("event3", "Symbol Bar Code Scanner", "1000000000007 ff9f207ac14057ff febeffdfffefffff fffffffffffffffe")
	input("event0", "Power Button", "10000000000000 0")
	if err := os.MkdirAll(filepath.Join(dev, "input", "by-id"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../event3", filepath.Join(dev, "input", "by-id", "usb-Symbol_Bar_Code_Scanner-event-kbd")); err != nil {
		t.Fatal(err)
	}
	return sys, dev
}

func TestListScanners(t *testing.T) {
	sys, dev := fakeSys(t)
	hid := listHID(sys, dev)
	wantHID := []HIDDevice{
		{Path: dev + "/hidraw0", Name: "Honeywell Imaging 1950g", VID: "0c2e", PID: "0b61", Scanner: true},
		{Path: dev + "/hidraw2", Name: "odd"}, // truncated descriptor
		{Path: dev + "/hidraw10", Name: "Logitech USB Keyboard", VID: "046d", PID: "c31c"},
	}
	if !reflect.DeepEqual(hid, wantHID) {
		t.Errorf("HID: got %+v,\nwant %+v", hid, wantHID)
	}
	in := listInput(sys, dev)
	wantIn := []InputDevice{
		{Path: dev + "/input/event0", Name: "Power Button"},
		{Path: dev + "/input/event3", Name: "Symbol Bar Code Scanner", Keyboard: true,
			ByID: []string{dev + "/input/by-id/usb-Symbol_Bar_Code_Scanner-event-kbd"}},
	}
	if !reflect.DeepEqual(in, wantIn) {
		t.Errorf("input: got %+v,\nwant %+v", in, wantIn)
	}
	var b strings.Builder
	inv := &Inventory{HID: hid, Input: in}
	if err := inv.Write(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		`0c2e:0b61  "Honeywell Imaging 1950g"  barcode scanner (HID POS): address = "hidraw:` + dev + `/hidraw0"`,
		`"Symbol Bar Code Scanner"  keyboard; if it is a scanner: address = "evdev:` + dev + `/input/by-id/usb-Symbol_Bar_Code_Scanner-event-kbd"`,
		`event0  "Power Button"` + "\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	empty := &Inventory{}
	b.Reset()
	empty.Write(&b)
	if !strings.Contains(b.String(), "No hidraw devices found.") || !strings.Contains(b.String(), "No input devices found.") {
		t.Errorf("empty inventory: %s", b.String())
	}
}

func TestIsHIDPOS(t *testing.T) {
	sys, dev := fakeSys(t)
	if ok, err := isHIDPOS(sys, dev+"/hidraw0"); !ok || err != nil {
		t.Errorf("scanner: got %v %v, want true", ok, err)
	}
	if ok, err := isHIDPOS(sys, dev+"/hidraw10"); ok || err != nil {
		t.Errorf("keyboard: got %v %v, want false", ok, err)
	}
	if _, err := isHIDPOS(sys, dev+"/hidraw9"); err == nil {
		t.Error("absent device: got no error")
	}
}
