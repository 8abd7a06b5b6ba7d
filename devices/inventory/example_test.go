package inventory_test

import (
	"os"

	"motcua/devices/inventory"
)

func ExampleInventory_Write() {
	inv := &inventory.Inventory{
		Serial: []inventory.SerialPort{
			{Path: "/dev/ttyUSB0", USB: true, VID: "0416", PID: "5011", Product: "POS58 Printer"},
		},
	}
	if err := inv.Write(os.Stdout); err != nil {
		panic(err)
	}
	// Output:
	// Serial ports (cổng nối tiếp):
	//   /dev/ttyUSB0  USB 0416:5011  "POS58 Printer"
	//
	// GPIO chips (chip GPIO):
	//   No GPIO chips found.
	//
	// I2C buses (bus I2C):
	//   No I2C buses found.
	//
	// SPI ports (cổng SPI):
	//   No SPI ports found.
	//
	// HID devices (thiết bị HID; barcode scanners in HID POS mode):
	//   No hidraw devices found.
	//
	// Input devices (thiết bị nhập; barcode scanners in keyboard mode):
	//   No input devices found.
}
