package inventory

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"go.bug.st/serial/enumerator"
	"periph.io/x/conn/v3/driver/driverreg"
)

func TestListThisMachine(t *testing.T) {
	inv, err := List(t.Context())
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	var b strings.Builder
	if err := inv.Write(&b); err != nil {
		t.Fatalf("Write: %v", err)
	}
	out := b.String()
	t.Logf("motcua devices on this machine:\n%s", out)
	tests := []struct {
		kind  string
		found []string
		none  string
	}{
		{"serial", serialPaths(inv), "No serial ports found."},
		{"gpio", chipPaths(inv), "No GPIO chips found."},
		{"i2c", busNames(inv.I2C), "No I2C buses found."},
		{"spi", busNames(inv.SPI), "No SPI ports found."},
		{"hidraw", hidPaths(inv), "No hidraw devices found."},
		{"input", inputPaths(inv), "No input devices found."},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			if len(tt.found) == 0 && !strings.Contains(out, tt.none) {
				t.Errorf("nothing found but output lacks %q", tt.none)
			}
			if len(tt.found) > 0 && strings.Contains(out, tt.none) {
				t.Errorf("found %v but output says %q", tt.found, tt.none)
			}
			for _, f := range tt.found {
				if !strings.Contains(out, f) {
					t.Errorf("output lacks %q", f)
				}
			}
		})
	}
	// Whatever periph makes of it, a machine without /dev/gpiochip* has no
	// GPIO chip to show, and must say so.
	if m, _ := filepath.Glob("/dev/gpiochip*"); len(m) == 0 && len(inv.GPIOChips) != 0 {
		t.Errorf("GPIOChips: got %v on a machine with no /dev/gpiochip*", inv.GPIOChips)
	}
}

func serialPaths(inv *Inventory) []string {
	var out []string
	for _, p := range inv.Serial {
		out = append(out, p.Path)
	}
	return out
}

func hidPaths(inv *Inventory) []string {
	var out []string
	for _, h := range inv.HID {
		out = append(out, h.Path)
	}
	return out
}

func inputPaths(inv *Inventory) []string {
	var out []string
	for _, in := range inv.Input {
		out = append(out, in.Path)
	}
	return out
}

func chipPaths(inv *Inventory) []string {
	var out []string
	for _, c := range inv.GPIOChips {
		out = append(out, c.Path)
	}
	return out
}

func busNames(bs []Bus) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.Name)
	}
	return out
}

func TestWriteEmpty(t *testing.T) {
	var b strings.Builder
	if err := (&Inventory{}).Write(&b); err != nil {
		t.Fatal(err)
	}
	want := `Serial ports (cổng nối tiếp):
  No serial ports found.

GPIO chips (chip GPIO):
  No GPIO chips found.

I2C buses (bus I2C):
  No I2C buses found.

SPI ports (cổng SPI):
  No SPI ports found.

HID devices (thiết bị HID; barcode scanners in HID POS mode):
  No hidraw devices found.

Input devices (thiết bị nhập; barcode scanners in keyboard mode):
  No input devices found.
`
	if got := b.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestWriteFull(t *testing.T) {
	inv := &Inventory{
		Serial: []SerialPort{
			{Path: "/dev/ttyAMA0"},
			{Path: "/dev/ttyUSB0", USB: true, VID: "0416", PID: "5011", SerialNumber: "A1B2", Manufacturer: "Winbond", Product: "POS58 Printer"},
			{Path: "/dev/ttyUSB1", USB: true, VID: "1a86", PID: "7523"},
		},
		GPIOChips: []GPIOChip{
			{Name: "gpiochip0", Path: "/dev/gpiochip0", Label: "pinctrl-bcm2711", Lines: 58},
			{Name: "gpiochip1", Path: "/dev/gpiochip1", Lines: -1},
		},
		GPIOPins: 58,
		I2C:      []Bus{{Name: "I2C1", Number: 1, Aliases: []string{"/dev/i2c-1"}}},
		SPI:      []Bus{{Name: "SPI0.0", Number: 0}, {Name: "SPI0.1", Number: -1}},
		HID:      []HIDDevice{{Path: "/dev/hidraw0", Name: "Honeywell Imaging 1950g", VID: "0c2e", PID: "0b61", Scanner: true}},
		Input:    []InputDevice{{Path: "/dev/input/event3", Name: "Scanner", Keyboard: true}},
		Problems: []error{errors.New("inventory: serial ports: permission denied")},
	}
	var b strings.Builder
	if err := inv.Write(&b); err != nil {
		t.Fatal(err)
	}
	want := `Serial ports (cổng nối tiếp):
  /dev/ttyAMA0  not USB
  /dev/ttyUSB0  USB 0416:5011  serial A1B2  "POS58 Printer" by "Winbond"
  /dev/ttyUSB1  USB 1a86:7523

GPIO chips (chip GPIO):
  gpiochip0  /dev/gpiochip0  pinctrl-bcm2711  58 lines
  gpiochip1  /dev/gpiochip1  (could not be opened: check permissions, group gpio)
  58 GPIO pins usable by name (e.g. GPIO17).

I2C buses (bus I2C):
  I2C1  number 1  aliases /dev/i2c-1

SPI ports (cổng SPI):
  SPI0.0  number 0
  SPI0.1

HID devices (thiết bị HID; barcode scanners in HID POS mode):
  /dev/hidraw0  0c2e:0b61  "Honeywell Imaging 1950g"  barcode scanner (HID POS): address = "hidraw:/dev/hidraw0"

Input devices (thiết bị nhập; barcode scanners in keyboard mode):
  /dev/input/event3  "Scanner"  keyboard; if it is a scanner: address = "evdev:/dev/input/event3"

Problems (lỗi):
  inventory: serial ports: permission denied
`
	if got := b.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.n == 0 {
		return 0, errors.New("disk full")
	}
	f.n--
	return len(p), nil
}

func TestWriteError(t *testing.T) {
	err := (&Inventory{}).Write(&failWriter{n: 2})
	if err == nil || !strings.Contains(err.Error(), "disk full") || !strings.HasPrefix(err.Error(), "inventory: ") {
		t.Errorf("got %v, want inventory: write: disk full", err)
	}
}

func fakeSources() sources {
	return sources{
		serialPorts: func() ([]*enumerator.PortDetails, error) { return nil, nil },
		hostInit:    func() (*driverreg.State, error) { return &driverreg.State{}, nil },
		gpioChips:   func() []GPIOChip { return nil },
		gpioPins:    func() int { return 0 },
		i2cBuses:    func() []Bus { return nil },
		spiPorts:    func() []Bus { return nil },
		glob:        func(string) ([]string, error) { return nil, nil },
	}
}

func TestListReportsProblems(t *testing.T) {
	enumErr := errors.New("open /sys/class/tty: permission denied")
	hostErr := errors.New("driverreg: boom")
	src := fakeSources()
	src.serialPorts = func() ([]*enumerator.PortDetails, error) { return nil, enumErr }
	src.hostInit = func() (*driverreg.State, error) { return nil, hostErr }
	src.glob = func(string) ([]string, error) { return []string{"/dev/gpiochip0"}, nil }
	src.i2cBuses = func() []Bus { return []Bus{{Name: "I2C1", Number: 1}} }
	inv, err := list(t.Context(), src)
	if err != nil {
		t.Fatalf("list: got %v, want nil (problems are not fatal)", err)
	}
	if len(inv.Problems) != 2 || !errors.Is(inv.Problems[0], enumErr) || !errors.Is(inv.Problems[1], hostErr) {
		t.Errorf("Problems: got %v, want the enumerator and host errors", inv.Problems)
	}
	if len(inv.GPIOChips) != 1 || inv.GPIOChips[0].Path != "/dev/gpiochip0" || inv.GPIOChips[0].Lines != -1 {
		t.Errorf("GPIOChips: got %+v, want /dev/gpiochip0 from the glob", inv.GPIOChips)
	}
	if len(inv.I2C) != 1 {
		t.Errorf("I2C: got %v, want I2C1 listed despite the problems", inv.I2C)
	}
	var b strings.Builder
	if err := inv.Write(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"No serial ports found.", "Problems (lỗi):", enumErr.Error(), hostErr.Error()} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, b.String())
		}
	}
}

func TestListSerialDetails(t *testing.T) {
	src := fakeSources()
	src.serialPorts = func() ([]*enumerator.PortDetails, error) {
		return []*enumerator.PortDetails{
			{Name: "/dev/ttyUSB1", IsUSB: true, VID: "1A86", PID: "7523"},
			{Name: "/dev/ttyUSB0", IsUSB: true, VID: "0416", PID: "5011", SerialNumber: "A1B2", Product: "POS58"},
		}, nil
	}
	src.hostInit = func() (*driverreg.State, error) {
		return &driverreg.State{Failed: []driverreg.DriverFailure{{Err: errors.New("no access")}}}, nil
	}
	inv, err := list(t.Context(), src)
	if err != nil {
		t.Fatal(err)
	}
	want := []SerialPort{
		{Path: "/dev/ttyUSB0", USB: true, VID: "0416", PID: "5011", SerialNumber: "A1B2", Product: "POS58"},
		{Path: "/dev/ttyUSB1", USB: true, VID: "1a86", PID: "7523"},
	}
	if len(inv.Serial) != 2 || inv.Serial[0] != want[0] || inv.Serial[1] != want[1] {
		t.Errorf("Serial: got %+v, want %+v", inv.Serial, want)
	}
	if len(inv.Problems) != 1 || !strings.Contains(inv.Problems[0].Error(), "no access") {
		t.Errorf("Problems: got %v, want the failed driver", inv.Problems)
	}
}

func TestListCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := list(ctx, fakeSources()); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want %v", err, context.Canceled)
	}
}
