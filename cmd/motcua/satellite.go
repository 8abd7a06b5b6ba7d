package main

import (
	"context"
	"fmt"
	"io"
	"net"

	"motcua/kiosk/satellite"
)

const satelliteUsage = "motcua satellite -server URL -token-file F [-data DIR] [-printer ADDR] [-button PIN=SERVICE]..."

// buttonFlags collects repeated -button flags.
type buttonFlags []satellite.Button

func (b *buttonFlags) String() string { return fmt.Sprint(*b) }

func (b *buttonFlags) Set(s string) error {
	v, err := satellite.ParseButton(s)
	if err != nil {
		return err
	}
	*b = append(*b, v)
	return nil
}

func satelliteCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("satellite", satelliteUsage, stderr)
	server := fs.String("server", "", "the main daemon's `URL`, such as http://10.0.0.2:8080")
	tokenFile := fs.String("token-file", "", "`file` holding the kiosk token of this satellite's [[kiosk]] (satellite = true) on the main daemon")
	dataDir := fs.String("data", "/var/lib/motcua-satellite", "`directory` where the satellite keeps what it printed")
	printerAddr := fs.String("printer", "", "printer `address`: usb:VID:PID[:SERIAL], serial:/dev/ttyUSB0, lp:/dev/usb/lp0, tcp:HOST:9100 or sim")
	mode := fs.String("mode", "raster", "how Vietnamese is printed: raster, tcvn3 or ascii")
	paper := fs.Int("paper", 80, "paper width in mm: 58 or 80")
	baud := fs.Int("baud", 19200, "serial printer speed")
	footer := fs.String("footer", "", "line printed at the bottom of each ticket")
	publicURL := fs.String("public-url", "", "the main daemon's server.public_url, printed as the ticket's QR code")
	scannerAddr := fs.String("scanner", "", "kiosk scanner `address`: serial:/dev/ttyACM0, hidraw:/dev/hidraw0 or evdev:/dev/input/by-id/...")
	outOfOrder := fs.String("out-of-order", "", "GPIO `pin` of the out-of-order light: on while the main daemon is unreachable or the printer fails")
	buzzer := fs.String("buzzer", "", "GPIO `pin` of the buzzer: beeps when a button is refused")
	var buttons buttonFlags
	fs.Var(&buttons, "button", "a ticket button, `PIN=SERVICE` or PIN=priority; repeat for each")
	listen := fs.String("listen", "127.0.0.1:8081", "`address` where the satellite serves the main daemon's pages to its own screen, saying so when the main daemon is unreachable; \"\" for none")
	debug := fs.Bool("debug", false, "log at debug level")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *server == "" || *tokenFile == "" {
		fmt.Fprintln(stderr, "satellite: -server and -token-file are required, e.g. -server http://10.0.0.2:8080 -token-file /etc/motcua/satellite.token")
		return errUsage
	}
	return satellite.Setup{
		Server: *server, TokenFile: *tokenFile, Footer: *footer, PublicURL: *publicURL, Logger: newLogger(stderr, *debug),
		Devices: satellite.DeviceConfig{
			Printer: *printerAddr, Mode: *mode, Paper: *paper, Baud: *baud, Buttons: buttons,
			OutOfOrder: *outOfOrder, Buzzer: *buzzer, Scanner: *scannerAddr, DataDir: *dataDir,
		},
		Listen: *listen,
	}.Run(ctx, func(pages net.Addr) {
		if pages != nil {
			fmt.Fprintf(stdout, "motcua satellite of %s; kiosk page: http://%s/kiosk?token=…\n", *server, pages)
			return
		}
		fmt.Fprintf(stdout, "motcua satellite of %s\n", *server)
	})
}
