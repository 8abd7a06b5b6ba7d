package config

import (
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

// Endpoint is a parsed device address, such as [Printer.Address] or
// [RS485.Port].
type Endpoint struct {
	// Scheme is "sim", "serial", "usb", "lp" or "tcp"; for scanners
	// also "hidraw" and "evdev".
	Scheme string
	// Path is the device path of "serial", "lp", "hidraw" and "evdev".
	Path string
	// VID, PID and Serial select a USB device of scheme "usb"; Serial
	// is optional.
	VID, PID uint16
	Serial   string
	// HostPort is the address of scheme "tcp", with the port (9100 when
	// the address had none).
	HostPort string
}

// String formats e back as an address.
func (e Endpoint) String() string {
	switch e.Scheme {
	case "serial", "lp", "hidraw", "evdev":
		return e.Scheme + ":" + e.Path
	case "usb":
		s := fmt.Sprintf("usb:%04x:%04x", e.VID, e.PID)
		if e.Serial != "" {
			s += ":" + e.Serial
		}
		return s
	case "tcp":
		return "tcp:" + e.HostPort
	}
	return e.Scheme
}

// ParseEndpoint parses a device address: "sim", "serial:/dev/ttyUSB0",
// "usb:VID:PID[:SERIAL]" (hexadecimal ids, as lsusb shows them),
// "lp:/dev/usb/lp0" or "tcp:HOST[:PORT]". A bare absolute path is a
// serial port.
func ParseEndpoint(s string) (Endpoint, error) {
	if s == "sim" {
		return Endpoint{Scheme: "sim"}, nil
	}
	if strings.HasPrefix(s, "/") {
		return Endpoint{Scheme: "serial", Path: s}, nil
	}
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok {
		return Endpoint{}, fmt.Errorf("address %q has no scheme; write sim, serial:/dev/ttyUSB0, usb:VID:PID, lp:/dev/usb/lp0 or tcp:HOST:9100", s)
	}
	switch scheme {
	case "serial", "lp":
		if !strings.HasPrefix(rest, "/") {
			return Endpoint{}, fmt.Errorf("address %q needs an absolute device path, such as %s:/dev/%s", s, scheme, map[string]string{"serial": "ttyUSB0", "lp": "usb/lp0"}[scheme])
		}
		return Endpoint{Scheme: scheme, Path: rest}, nil
	case "usb":
		parts := strings.SplitN(rest, ":", 3)
		if len(parts) < 2 {
			return Endpoint{}, fmt.Errorf("address %q must be usb:VID:PID or usb:VID:PID:SERIAL with hexadecimal ids, such as usb:0416:5011; run \"motcua devices\" to list them", s)
		}
		vid, err1 := strconv.ParseUint(parts[0], 16, 16)
		pid, err2 := strconv.ParseUint(parts[1], 16, 16)
		if err1 != nil || err2 != nil || len(parts[0]) != 4 || len(parts[1]) != 4 {
			return Endpoint{}, fmt.Errorf("address %q: VID and PID must be 4 hexadecimal digits each, such as usb:0416:5011; run \"motcua devices\" to list them", s)
		}
		e := Endpoint{Scheme: "usb", VID: uint16(vid), PID: uint16(pid)}
		if len(parts) == 3 {
			if parts[2] == "" {
				return Endpoint{}, fmt.Errorf("address %q ends with an empty serial number; remove the last colon", s)
			}
			e.Serial = parts[2]
		}
		return e, nil
	case "tcp":
		hp := rest
		if _, _, err := net.SplitHostPort(hp); err != nil {
			hp = net.JoinHostPort(rest, "9100")
		}
		host, port, err := net.SplitHostPort(hp)
		if err != nil || host == "" || !validPort(port) {
			return Endpoint{}, fmt.Errorf("address %q must be tcp:HOST or tcp:HOST:PORT, such as tcp:192.168.1.50:9100", s)
		}
		return Endpoint{Scheme: "tcp", HostPort: hp}, nil
	}
	return Endpoint{}, fmt.Errorf("address %q has an unknown scheme %q; use one of sim, serial:, usb:, lp: or tcp: as its scheme", s, scheme)
}

func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n >= 0 && n <= 65535 && p == strconv.Itoa(n)
}

// checkPEM checks that the file holds at least one PEM certificate.
func checkPEM(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("cannot read ca_file: %v; fix the path or remove ca_file", err)
	}
	if !x509.NewCertPool().AppendCertsFromPEM(b) {
		return fmt.Errorf("ca_file %s holds no PEM certificate; give the province CA in PEM form (-----BEGIN CERTIFICATE-----)", path)
	}
	return nil
}
