// Package inventory lists the hardware that motcua can use on this machine,
// for the `motcua devices` command: serial ports (with USB VID:PID, serial
// number and product, to tell the ticket printer from a USB-RS485 adapter),
// GPIO chips, I2C buses and SPI ports, and the hidraw and input event
// devices where barcode scanners appear (HID POS and keyboard mode), with
// their names.
//
// [List] gathers an [Inventory] from go.bug.st/serial/enumerator, the
// periph.io host drivers and sysfs; a source that fails is recorded in
// [Inventory.Problems] and the others are still listed. [Inventory.Write]
// prints it for a person, saying plainly when a kind of device is absent.
package inventory
