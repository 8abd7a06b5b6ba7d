package unit

import (
	"context"
	"fmt"
	"io"

	"motcua/devices/escpos"
	"motcua/devices/printer"
	"motcua/kiosk/config"
)

// OpenPrinter opens the printer at e, an address parsed by the
// configuration, with the serial settings o. A "sim" printer writes a PNG
// of each ticket to simDir ("" = none) on paper of the given width. The
// caller owns the result and closes it.
func OpenPrinter(ctx context.Context, e config.Endpoint, o printer.Options, simDir string, paper escpos.Paper) (io.ReadWriteCloser, error) {
	switch e.Scheme {
	case "serial":
		return printer.OpenSerial(e.Path, o)
	case "usb":
		path, err := printer.FindUSB(e.VID, e.PID, e.Serial)
		if err != nil {
			return nil, err
		}
		return printer.OpenSerial(path, o)
	case "lp":
		return printer.OpenLP(e.Path)
	case "tcp":
		return printer.DialTCP(ctx, e.HostPort, o)
	case "sim":
		return printer.NewSim(simDir, paper)
	}
	return nil, fmt.Errorf("unit: printer address %q has no transport; check it with 'motcua check'", e)
}
