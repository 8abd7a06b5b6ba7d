package inventory

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"go.bug.st/serial/enumerator"
	"periph.io/x/conn/v3/driver/driverreg"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/conn/v3/i2c/i2creg"
	"periph.io/x/conn/v3/spi/spireg"
	host "periph.io/x/host/v3"
	"periph.io/x/host/v3/gpioioctl"
)

// SerialPort is one serial port. The USB fields are empty for a port that
// is not on USB (the Pi's own UART, /dev/ttyAMA0).
type SerialPort struct {
	Path         string // e.g. /dev/ttyUSB0
	USB          bool
	VID, PID     string // four hex digits each, e.g. "0416", "5011"
	SerialNumber string
	Manufacturer string
	Product      string
}

// GPIOChip is one GPIO controller. Lines is -1 when only the device file
// was found (periph could not open the chip).
type GPIOChip struct {
	Name  string // e.g. gpiochip0
	Path  string // e.g. /dev/gpiochip0
	Label string // e.g. pinctrl-bcm2711
	Lines int
}

// Bus is one I2C bus or SPI port as registered by periph.
type Bus struct {
	Name    string // e.g. I2C1, SPI0.0
	Number  int    // -1 when the bus has no number
	Aliases []string
}

// Inventory is what [List] found.
type Inventory struct {
	Serial    []SerialPort
	GPIOChips []GPIOChip
	// GPIOPins is the number of GPIO pins that periph registered (names such
	// as GPIO17 accepted in the configuration).
	GPIOPins int
	I2C      []Bus
	SPI      []Bus
	// HID and Input are the hidraw and input event devices, where barcode
	// scanners in HID POS and keyboard mode appear.
	HID   []HIDDevice
	Input []InputDevice
	// Problems are errors from a source that could not be read; the other
	// sources are listed all the same.
	Problems []error
}

// sources are where List looks; tests replace them.
type sources struct {
	serialPorts func() ([]*enumerator.PortDetails, error)
	hostInit    func() (*driverreg.State, error)
	gpioChips   func() []GPIOChip
	gpioPins    func() int
	i2cBuses    func() []Bus
	spiPorts    func() []Bus
	glob        func(pattern string) ([]string, error)
	hid         func() []HIDDevice
	input       func() []InputDevice
}

func realSources() sources {
	return sources{
		serialPorts: func() ([]*enumerator.PortDetails, error) { return enumerator.GetDetailedPortsList() },
		hostInit:    host.Init,
		gpioChips: func() []GPIOChip {
			var out []GPIOChip
			for _, c := range gpioioctl.Chips {
				out = append(out, GPIOChip{Name: c.Name(), Path: c.Path(), Label: c.Label(), Lines: c.LineCount()})
			}
			return out
		},
		gpioPins: func() int { return len(gpioreg.All()) },
		i2cBuses: func() []Bus {
			var out []Bus
			for _, r := range i2creg.All() {
				out = append(out, Bus{Name: r.Name, Number: r.Number, Aliases: r.Aliases})
			}
			return out
		},
		spiPorts: func() []Bus {
			var out []Bus
			for _, r := range spireg.All() {
				out = append(out, Bus{Name: r.Name, Number: r.Number, Aliases: r.Aliases})
			}
			return out
		},
		glob:  filepath.Glob,
		hid:   func() []HIDDevice { return listHID("/sys", "/dev") },
		input: func() []InputDevice { return listInput("/sys", "/dev") },
	}
}

// List looks for serial ports, GPIO chips, I2C buses, SPI ports, hidraw
// and input devices. It
// initialises the periph.io host drivers (host.Init), which is safe to do
// again later. It returns an error only when ctx ends; a source that fails
// is recorded in [Inventory.Problems].
func List(ctx context.Context) (*Inventory, error) {
	return list(ctx, realSources())
}

func list(ctx context.Context, src sources) (*Inventory, error) {
	inv := &Inventory{}
	ports, err := src.serialPorts()
	if err != nil {
		inv.Problems = append(inv.Problems, fmt.Errorf("inventory: serial ports: %w", err))
	}
	for _, p := range ports {
		inv.Serial = append(inv.Serial, SerialPort{
			Path: p.Name, USB: p.IsUSB,
			VID: strings.ToLower(p.VID), PID: strings.ToLower(p.PID),
			SerialNumber: p.SerialNumber, Manufacturer: p.Manufacturer, Product: p.Product,
		})
	}
	slices.SortFunc(inv.Serial, func(a, b SerialPort) int { return strings.Compare(a.Path, b.Path) })
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}

	st, err := src.hostInit()
	if err != nil {
		inv.Problems = append(inv.Problems, fmt.Errorf("inventory: periph host drivers: %w", err))
	}
	if st != nil {
		for _, f := range st.Failed {
			inv.Problems = append(inv.Problems, fmt.Errorf("inventory: periph driver %s: %w", f.D, f.Err))
		}
	}
	inv.GPIOChips = src.gpioChips()
	if len(inv.GPIOChips) == 0 {
		// periph may fail to open a chip (permissions): still show the
		// device files so the user knows there is something to fix.
		paths, err := src.glob("/dev/gpiochip*")
		if err != nil {
			inv.Problems = append(inv.Problems, fmt.Errorf("inventory: GPIO chips: %w", err))
		}
		for _, p := range paths {
			inv.GPIOChips = append(inv.GPIOChips, GPIOChip{Name: filepath.Base(p), Path: p, Lines: -1})
		}
	}
	inv.GPIOPins = src.gpioPins()
	inv.I2C = src.i2cBuses()
	inv.SPI = src.spiPorts()
	if src.hid != nil {
		inv.HID = src.hid()
	}
	if src.input != nil {
		inv.Input = src.input()
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	return inv, nil
}

// Write prints inv for a person, in English with the Vietnamese name of
// each kind of device. A kind with nothing found gets a plain line such as
// "No serial ports found.".
func (inv *Inventory) Write(w io.Writer) error {
	ew := &errWriter{w: w}

	ew.printf("Serial ports (cổng nối tiếp):\n")
	if len(inv.Serial) == 0 {
		ew.printf("  No serial ports found.\n")
	}
	for _, p := range inv.Serial {
		ew.printf("  %s", p.Path)
		if !p.USB {
			ew.printf("  not USB")
		} else {
			ew.printf("  USB %s:%s", orUnknown(p.VID), orUnknown(p.PID))
			if p.SerialNumber != "" {
				ew.printf("  serial %s", p.SerialNumber)
			}
			if p.Product != "" {
				ew.printf("  %q", p.Product)
			}
			if p.Manufacturer != "" {
				ew.printf(" by %q", p.Manufacturer)
			}
		}
		ew.printf("\n")
	}

	ew.printf("\nGPIO chips (chip GPIO):\n")
	if len(inv.GPIOChips) == 0 {
		ew.printf("  No GPIO chips found.\n")
	}
	for _, c := range inv.GPIOChips {
		ew.printf("  %s  %s", c.Name, c.Path)
		if c.Label != "" {
			ew.printf("  %s", c.Label)
		}
		if c.Lines >= 0 {
			ew.printf("  %d lines\n", c.Lines)
		} else {
			ew.printf("  (could not be opened: check permissions, group gpio)\n")
		}
	}
	if inv.GPIOPins > 0 {
		ew.printf("  %d GPIO pins usable by name (e.g. GPIO17).\n", inv.GPIOPins)
	}

	writeBuses(ew, "I2C buses (bus I2C)", "No I2C buses found.", inv.I2C)
	writeBuses(ew, "SPI ports (cổng SPI)", "No SPI ports found.", inv.SPI)
	inv.writeScanners(ew)

	if len(inv.Problems) > 0 {
		ew.printf("\nProblems (lỗi):\n")
		for _, err := range inv.Problems {
			ew.printf("  %v\n", err)
		}
	}
	return ew.err
}

func writeBuses(ew *errWriter, title, none string, buses []Bus) {
	ew.printf("\n%s:\n", title)
	if len(buses) == 0 {
		ew.printf("  %s\n", none)
	}
	for _, b := range buses {
		ew.printf("  %s", b.Name)
		if b.Number >= 0 {
			ew.printf("  number %d", b.Number)
		}
		if len(b.Aliases) > 0 {
			ew.printf("  aliases %s", strings.Join(b.Aliases, ", "))
		}
		ew.printf("\n")
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "????"
	}
	return s
}

// errWriter keeps the first write error and skips later writes.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err != nil {
		return
	}
	if _, err := fmt.Fprintf(e.w, format, args...); err != nil {
		e.err = fmt.Errorf("inventory: write: %w", err)
	}
}
