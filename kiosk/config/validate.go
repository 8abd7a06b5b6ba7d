package config

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"

	_ "time/tzdata" // a Pi image may lack /usr/share/zoneinfo
)

var (
	idRe     = regexp.MustCompile(`^[a-z0-9-]+$`)
	prefixRe = regexp.MustCompile(`^[A-Z0-9]{0,4}$`)
	pinRe    = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
	spiRe    = regexp.MustCompile(`^SPI[0-9]+\.[0-9]+$`)
	i2cRe    = regexp.MustCompile(`^I2C[0-9]+$`)
	qrVarRe  = regexp.MustCompile(`\{[^{}]*\}`)
)

// MinSecretLen is the shortest secret a token may have.
const MinSecretLen = 12

// baudRates are the serial speeds accepted for printers and RS-485.
var baudRates = []int{1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200}

// Validate checks c again, as [Parse] does after decoding, and returns
// a [*Problems] or nil. Call it after changing a [Config] in code; it
// fills in the defaults that depend on other values (a counter's name,
// the parsed endpoints), so do not call it while other goroutines read
// a Config that was changed.
func (c *Config) Validate() error {
	d := &decoder{file: c.Path, lines: c.lines, bad: map[string]bool{}}
	if c.Location == nil {
		d.addf("unit.timezone", "unit.timezone %q is not loaded; parse the file with config.Load or config.Parse", c.Unit.Timezone)
	}
	c.validate(d)
	if len(d.probs) > 0 {
		d.probs.sort()
		return &d.probs
	}
	return nil
}

// RequireDataDir reports a [*Problems] when server.data_dir is not set;
// "motcua run" needs it, "motcua demo" sets its own.
func (c *Config) RequireDataDir() error {
	if c.Server.DataDir != "" {
		return nil
	}
	d := &decoder{file: c.Path, lines: c.lines, bad: map[string]bool{}}
	d.addf("server.data_dir", "server.data_dir is not set; add data_dir = \"/var/lib/motcua\" under [server]: tickets and events are kept there")
	return &d.probs
}

// fill sets the defaults that depend on other values.
func (c *Config) fill() {
	for i := range c.Counters {
		if c.Counters[i].Name == "" && c.Counters[i].ID > 0 {
			c.Counters[i].Name = fmt.Sprintf("Quầy %d", c.Counters[i].ID)
		}
	}
	for i := range c.Displays {
		if c.Displays[i].Driver == DriverHT16K33 && c.Displays[i].Address == 0 {
			c.Displays[i].Address = 0x70
		}
	}
	// Write only on change: a parsed Config is already filled, so that
	// Validate does not race with readers of an unchanged Config.
	for _, p := range append([]*Printer{c.Printer}, c.kioskPrinters()...) {
		if p == nil {
			continue
		}
		if e, err := ParseEndpoint(p.Address); err == nil && e != p.Endpoint {
			p.Endpoint = e
		}
	}
	if c.RS485 != nil {
		if e, err := ParseEndpoint(c.RS485.Port); err == nil && e != c.RS485.Endpoint {
			c.RS485.Endpoint = e
		}
	}
}

func (c *Config) validate(d *decoder) {
	c.fill()
	c.validateUnit(d)
	c.validateServer(d)
	c.validateServerLimits(d)
	c.validatePublicURL(d)
	c.validateQueue(d)
	c.validateServices(d)
	c.validateCounters(d)
	c.validateTokens(d)
	c.validatePrinter(d)
	c.validateKiosks(d)
	c.validateUplink(d)
	c.validateVoice(d)
	c.validateRS485(d)
	c.validateHardware(d)
	c.validateScanners(d)
	c.validateAppointments(d)
	c.validatePriorities(d)
	c.validateRating(d)
	c.validateReturns(d)
	if c.Reports.TargetWait <= 0 {
		d.addf("reports.target_wait", "reports.target_wait must be positive, such as \"15m\"")
	}
}

func (c *Config) validateUnit(d *decoder) {
	switch {
	case c.Unit.ID == "":
		d.addf("unit.id", "unit.id is not set; add id = \"ubnd-ten-xa\" under [unit] (lower-case letters, digits and -)")
	case !idRe.MatchString(c.Unit.ID):
		d.addf("unit.id", "unit.id %q may only have lower-case letters a-z, digits and -; write it like \"ubnd-kien-xuong\"", c.Unit.ID)
	}
	if strings.TrimSpace(c.Unit.Name) == "" {
		d.addf("unit.name", "unit.name is not set; add name = \"UBND ... – Bộ phận một cửa\" under [unit]: it is printed on tickets")
	}
}

func (c *Config) validateServer(d *decoder) {
	s := c.Server
	host, port, err := net.SplitHostPort(s.Listen)
	switch {
	case err != nil || !validPort(port):
		d.addf("server.listen", "server.listen %q must be HOST:PORT, such as \"127.0.0.1:8080\" or \":8080\" for every interface", s.Listen)
	case host != "" && net.ParseIP(host) == nil && !validHostname(host):
		d.addf("server.listen", "server.listen %q has an invalid host %q; use an IP address, a host name or nothing (\":8080\")", s.Listen, host)
	}
	for i, o := range s.AllowedOrigins {
		if msg := checkOrigin(o); msg != "" {
			d.addf(fmt.Sprintf("server.allowed_origins[%d]", i), "%s", msg)
		}
	}
	if s.MaxConnections < 1 {
		d.addf("server.max_connections", "server.max_connections must be at least 1 (default 2000)")
	}
	if s.TicketRate <= 0 {
		d.addf("server.ticket_rate", "server.ticket_rate must be a positive number of tickets per minute (default 30)")
	}
	if s.TicketBurst < 1 {
		d.addf("server.ticket_burst", "server.ticket_burst must be at least 1 (default 10)")
	}
}

func validHostname(h string) bool {
	for _, r := range h {
		if !(r == '.' || r == '-' || r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r))) {
			return false
		}
	}
	return h != ""
}

// checkOrigin returns what is wrong with a browser origin, or "".
func checkOrigin(o string) string {
	u, err := url.Parse(o)
	bad := err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" ||
		u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(o, "?") || strings.HasSuffix(o, "#")
	if bad {
		return fmt.Sprintf("allowed origin %q must be http:// or https:// with a host and no path, such as \"https://tv.example.vn\" or \"http://192.168.1.20:8080\"", o)
	}
	if p := u.Port(); p != "" && !validPort(p) || u.Hostname() == "" {
		return fmt.Sprintf("allowed origin %q has an invalid host or port; write it like \"http://192.168.1.20:8080\"", o)
	}
	return ""
}

func (c *Config) validateQueue(d *decoder) {
	if c.Queue.PriorityRatio < 1 {
		d.addf("queue.priority_ratio", "queue.priority_ratio must be at least 1 (priority tickets called in a row before a normal one; default 1)")
	}
	if c.Queue.DefaultServiceTime <= 0 {
		d.addf("queue.default_service_time", "queue.default_service_time must be positive, such as \"5m\"")
	}
}

func (c *Config) validateServices(d *decoder) {
	if len(c.Services) == 0 {
		d.addf("service", "no service is defined; add at least one [[service]] with id and name")
		return
	}
	ids := map[string]int{}
	for i, s := range c.Services {
		p := fmt.Sprintf("service[%d]", i)
		switch {
		case s.ID == "":
			d.addf(p+".id", "service has no id; add id = \"dat-dai\" (lower-case letters, digits and -)")
		case !idRe.MatchString(s.ID):
			d.addf(p+".id", "service id %q may only have lower-case letters a-z, digits and -; write it like \"dat-dai\"", s.ID)
		default:
			if j, dup := ids[s.ID]; dup {
				d.addf(p+".id", "service id %q is already used at line %d; give each service its own id", s.ID, lineOf(d.lines, fmt.Sprintf("service[%d].id", j)))
			} else {
				ids[s.ID] = i
			}
		}
		if strings.TrimSpace(s.Name) == "" {
			d.addf(p+".name", "service %q has no name; add name = \"...\" as citizens should read it", s.ID)
		}
		if !prefixRe.MatchString(s.Prefix) {
			d.addf(p+".prefix", "prefix %q must be up to 4 capital letters A-Z or digits (or \"\" for numbers only), such as \"A\"", s.Prefix)
		}
		if s.First < 0 {
			d.addf(p+".first", "first = %d must be 0 or more (the first number of each day, default 1)", s.First)
		}
		if s.Digits < 1 || s.Digits > 6 {
			d.addf(p+".digits", "digits = %d must be between 1 and 6 (zero padding, default 3)", s.Digits)
		}
	}
	for i, s := range c.Services {
		if !prefixRe.MatchString(s.Prefix) {
			continue
		}
		for j := range i {
			o := c.Services[j]
			if !prefixRe.MatchString(o.Prefix) {
				continue
			}
			p := fmt.Sprintf("service[%d].prefix", i)
			line := lineOf(d.lines, fmt.Sprintf("service[%d].prefix", j))
			switch {
			case s.Prefix == o.Prefix:
				d.addf(p, "prefix %q is already used by service %q at line %d; give each service its own prefix", s.Prefix, o.ID, line)
			case prefixClash(s.Prefix, o.Prefix):
				long := max(s.Prefix, o.Prefix)
				d.addf(p, "prefixes %q and %q (service %q, line %d) could print the same number, such as %s001; choose prefixes that do not start with one another followed by digits",
					s.Prefix, o.Prefix, o.ID, line, long)
			}
		}
	}
}

// prefixClash reports whether two different prefixes could print the same
// ticket number: one starts with the other and the rest is digits, which
// a zero-padded number can also be.
func prefixClash(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if !strings.HasPrefix(b, a) {
		return false
	}
	for _, r := range b[len(a):] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func (c *Config) validateCounters(d *decoder) {
	ids := map[int]int{}
	for i, k := range c.Counters {
		p := fmt.Sprintf("counter[%d]", i)
		if k.ID == 0 {
			d.addf(p+".id", "counter has no id; add a positive whole number, such as id = %d", i+1)
		} else if k.ID < 0 {
			d.addf(p+".id", "counter id %d must be a positive whole number, such as id = %d", k.ID, i+1)
		} else if j, dup := ids[k.ID]; dup {
			d.addf(p+".id", "counter id %d is already used at line %d; give each counter its own id", k.ID, lineOf(d.lines, fmt.Sprintf("counter[%d].id", j)))
		} else {
			ids[k.ID] = i
		}
		if len(k.Services) == 0 {
			d.addf(p+".services", "counter %d serves no service; add services = [\"service-id\", ...] in the order it prefers them", k.ID)
		}
		seen := map[string]bool{}
		for j, s := range k.Services {
			sp := fmt.Sprintf("%s.services[%d]", p, j)
			switch {
			case c.Service(s) == nil:
				d.addf(sp, "counter %d names unknown service %q; use one of: %s", k.ID, s, c.serviceIDs())
			case seen[s]:
				d.addf(sp, "counter %d lists service %q twice; list it once", k.ID, s)
			}
			seen[s] = true
		}
	}
}

func (c *Config) serviceIDs() string {
	ids := make([]string, len(c.Services))
	for i, s := range c.Services {
		ids[i] = s.ID
	}
	return strings.Join(ids, ", ")
}

func (c *Config) validateTokens(d *decoder) {
	secrets := map[string]int{}
	for i, t := range c.Tokens {
		p := fmt.Sprintf("token[%d]", i)
		switch t.Role {
		case RoleKiosk, RoleDisplay, RoleCounter, RoleAdmin, RoleBooking:
		case "":
			d.addf(p+".role", "token has no role; add role = \"kiosk\", \"display\", \"counter\", \"booking\" or \"admin\"")
		default:
			d.addf(p+".role", "unknown role %q; use \"kiosk\", \"display\", \"counter\", \"booking\" or \"admin\"", t.Role)
		}
		switch {
		case t.Secret == "":
			if !d.bad[p+".secret"] && !d.bad[p+".secret_file"] {
				d.addf(p+".secret", "token secret is empty; set a random secret of at least %d characters (for example from: openssl rand -hex 16)", MinSecretLen)
			}
		case len([]rune(t.Secret)) < MinSecretLen:
			d.addf(p+".secret", "token secret is shorter than %d characters; use a longer random secret (for example from: openssl rand -hex 16)", MinSecretLen)
		case strings.IndexFunc(t.Secret, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
			d.addf(p+".secret", "token secret contains white space or control characters; use letters, digits and punctuation only")
		default:
			checkSecretStrength(d, p, t.Secret)
			if j, dup := secrets[t.Secret]; dup {
				d.addf(p+".secret", "token secret is the same as the token at line %d; give each token its own secret", lineOf(d.lines, fmt.Sprintf("token[%d].secret", j)))
			} else {
				secrets[t.Secret] = i
			}
		}
		if t.Role == RoleCounter {
			if len(t.Counters) == 0 {
				d.addf(p+".counters", "counter token has no counters; add counters = [1, 2] with the counters it may operate")
			}
			for j, id := range t.Counters {
				if c.Counter(id) == nil {
					d.addf(fmt.Sprintf("%s.counters[%d]", p, j), "token names counter %d, which does not exist; use one of: %s", id, c.counterIDs())
				}
			}
		} else if len(t.Counters) > 0 && t.Role != "" {
			d.addf(p+".counters", "counters is only for role \"counter\"; remove it from this %s token", t.Role)
		}
	}
}

func (c *Config) counterIDs() string {
	if len(c.Counters) == 0 {
		return "(none; add a [[counter]])"
	}
	ids := make([]string, len(c.Counters))
	for i, k := range c.Counters {
		ids[i] = fmt.Sprint(k.ID)
	}
	return strings.Join(ids, ", ")
}

func (c *Config) validatePrinter(d *decoder) {
	if c.Printer != nil {
		validatePrinter(d, "printer", c.Printer)
	}
}

// validatePrinter checks the printer section at path ("printer" or
// "kiosk[1].printer").
func validatePrinter(d *decoder, path string, p *Printer) {
	section := "[" + stripIndexes(path) + "]"
	if p.Address == "" {
		d.addf(path+".address", "%s has no address; add address = \"usb:VID:PID\", \"serial:/dev/ttyUSB0\", \"lp:/dev/usb/lp0\", \"tcp:HOST:9100\" or \"sim\"", section)
	} else if _, err := ParseEndpoint(p.Address); err != nil {
		d.addf(path+".address", "printer %v", err)
	}
	if !slices.Contains([]string{ModeRaster, ModeTCVN3, ModeASCII}, p.Mode) {
		d.addf(path+".mode", "printer mode %q is unknown; use \"raster\" (works on every printer), \"tcvn3\" or \"ascii\"", p.Mode)
	}
	if p.Paper != 58 && p.Paper != 80 {
		d.addf(path+".paper", "printer paper = %d must be 58 or 80 (paper width in mm)", p.Paper)
	}
	checkSerial(d, path, p.Baud, p.Parity)
	if !slices.Contains([]string{"none", "rtscts", "xonxoff"}, p.Flow) {
		d.addf(path+".flow", "printer flow %q is unknown; use \"none\", \"rtscts\" or \"xonxoff\"", p.Flow)
	}
	for i, b := range p.Blocks {
		path := fmt.Sprintf(path+".block[%d]", i)
		if !slices.Contains(blockFields, b.Field) {
			d.addf(path+".field", "block field %q is unknown; use one of %s", b.Field, strings.Join(blockFields, ", "))
		}
		if !slices.Contains([]string{"", "left", "center", "right"}, b.Align) {
			d.addf(path+".align", "block align %q is unknown; use \"left\", \"center\" or \"right\"", b.Align)
		}
		if !slices.Contains([]string{"", "small", "normal", "large"}, b.Size) {
			d.addf(path+".size", "block size %q is unknown; use \"small\", \"normal\" or \"large\"", b.Size)
		}
		if b.Scale < 0 || b.Scale > 8 {
			d.addf(path+".scale", "block scale = %d must be 0 (as large as fits) to 8", b.Scale)
		}
	}
	if p.QRMode != "" && p.QRMode != "native" && p.QRMode != "raster" {
		d.addf(path+".qr_mode", "qr_mode %q is unknown; use \"native\" (the printer draws the QR code) or \"raster\" (motcua draws it)", p.QRMode)
	}
	if p.QRURL != "" {
		for _, v := range qrVarRe.FindAllString(p.QRURL, -1) {
			if v != "{unit}" && v != "{id}" && v != "{number}" && v != "{public}" {
				d.addf(path+".qr_url", "qr_url has unknown placeholder %s; use {unit}, {id}, {number} or {public}", v)
			}
		}
		u, err := url.Parse(qrVarRe.ReplaceAllString(p.QRURL, "x"))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			d.addf(path+".qr_url", "qr_url %q must be an http:// or https:// URL, such as \"https://motcua.example.gov.vn/t/{unit}/{id}\"", p.QRURL)
		}
	}
}

// blockFields are the fields a [[printer.block]] may print.
var blockFields = []string{"unit", "lines", "service", "number", "priority", "appointment", "issued", "wait", "qr", "code128", "checklist", "footer", "text", "rule"}

// checkSerial validates the baud and parity of the section.
func checkSerial(d *decoder, section string, baud int, parity string) {
	if !slices.Contains(baudRates, baud) {
		d.addf(section+".baud", "%s baud = %d is not a standard rate; use one of 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200", section, baud)
	}
	if !slices.Contains([]string{"none", "even", "odd"}, parity) {
		d.addf(section+".parity", "%s parity %q is unknown; use \"none\", \"even\" or \"odd\"", section, parity)
	}
}

func (c *Config) validateUplink(d *decoder) {
	u := c.Uplink
	if u == nil {
		return
	}
	pu, err := url.Parse(u.URL)
	if u.URL == "" || err != nil || (pu.Scheme != "ws" && pu.Scheme != "wss") || pu.Host == "" {
		d.addf("uplink.url", "uplink url %q must be a ws:// or wss:// URL, such as \"wss://motcua.example.gov.vn/ingest\"", u.URL)
	}
	if u.Retention <= 0 {
		d.addf("uplink.retention", "uplink retention must be positive, such as \"2160h\" (90 days)")
	}
	if u.BackoffMax <= 0 {
		d.addf("uplink.backoff_max", "uplink backoff_max must be positive, such as \"15s\"")
	}
}

func (c *Config) validateVoice(d *decoder) {
	if c.Voice.Numbers != "words" && c.Voice.Numbers != "digits" {
		d.addf("voice.numbers", "voice numbers %q is unknown; use \"words\" (một trăm linh hai) or \"digits\" (một không hai)", c.Voice.Numbers)
	}
}

func (c *Config) validateRS485(d *decoder) {
	r := c.RS485
	if r == nil {
		return
	}
	if r.Port == "" {
		d.addf("rs485.port", "[rs485] has no port; add port = \"/dev/ttyUSB0\" or \"usb:VID:PID\" (run \"motcua devices\" to list them)")
	} else if e, err := ParseEndpoint(r.Port); err != nil {
		d.addf("rs485.port", "rs485 port: %v", err)
	} else if e.Scheme != "serial" && e.Scheme != "usb" && e.Scheme != "sim" {
		d.addf("rs485.port", "rs485 port %q must be a serial port: \"/dev/ttyUSB0\", \"serial:/dev/ttyAMA0\", \"usb:VID:PID\" or \"sim\"", r.Port)
	}
	checkSerial(d, "rs485", r.Baud, r.Parity)
	if r.Timeout <= 0 {
		d.addf("rs485.timeout", "rs485 timeout must be positive, such as \"200ms\"")
	}
	if r.Retries < 0 || r.Retries > 10 {
		d.addf("rs485.retries", "rs485 retries = %d must be between 0 and 10 (default 2)", r.Retries)
	}
}

// validateHardware checks buttons, outputs, displays and keypads, and
// that no GPIO pin and no Modbus slave id is used twice.
func (c *Config) validateHardware(d *decoder) {
	pins := map[string]string{} // upper-case pin -> path of first use
	usePin := func(path, pin string) {
		if pin == "" {
			d.addf(path, "%s is not set; add the GPIO name, such as \"GPIO17\"", stripIndexes(path))
			return
		}
		if !pinRe.MatchString(pin) {
			d.addf(path, "pin %q is not a GPIO name; write it like \"GPIO17\" (run \"motcua devices\" to list them)", pin)
			return
		}
		k := strings.ToUpper(pin)
		if first, dup := pins[k]; dup {
			d.addf(path, "pin %s is already used at line %d; wire each button, output and keypad key to its own pin", pin, lineOf(d.lines, first))
			return
		}
		pins[k] = path
	}
	slaves := map[int]string{}
	useSlave := func(path string, id int) {
		if id < 1 || id > 247 {
			d.addf(path, "modbus slave id %d must be between 1 and 247", id)
			return
		}
		if first, dup := slaves[id]; dup {
			d.addf(path, "modbus slave id %d is already used at line %d; give each device on the RS-485 bus its own id", id, lineOf(d.lines, first))
			return
		}
		slaves[id] = path
		if c.RS485 == nil {
			d.addf(path, "slave %d is on the RS-485 bus, but there is no [rs485] section; add one with the port", id)
		}
	}

	for i, b := range c.Buttons {
		p := fmt.Sprintf("button[%d]", i)
		usePin(p+".pin", b.Pin)
		switch {
		case b.Service != "" && b.Role != "":
			d.addf(p+".role", "button has both service and role; keep one")
		case b.Service == "" && b.Role == "":
			d.addf(p, "button has neither service nor role; add service = \"service-id\" or role = \"priority\" or \"diagnostic\"")
		case b.Service != "" && c.Service(b.Service) == nil:
			d.addf(p+".service", "button names unknown service %q; use one of: %s", b.Service, c.serviceIDs())
		case b.Role != "" && b.Role != ButtonPriority && b.Role != ButtonDiagnostic && !slices.Contains(ButtonKeys, b.Role):
			d.addf(p+".role", "button role %q is unknown; use \"priority\", \"diagnostic\" or a kiosk key: %s", b.Role, strings.Join(ButtonKeys, ", "))
		}
		if b.LongPress < 0 {
			d.addf(p+".long_press", "long_press must not be negative; use \"0s\" to disable it")
		}
		if b.Rate < 0 {
			d.addf(p+".rate", "rate must not be negative, such as \"2s\"")
		}
	}
	for i, o := range c.Outputs {
		p := fmt.Sprintf("output[%d]", i)
		usePin(p+".pin", o.Pin)
		if !slices.Contains([]string{OutputPrinting, OutputOutOfOrder, OutputBuzzer}, o.Role) {
			d.addf(p+".role", "output role %q is unknown; use \"printing\", \"out_of_order\" or \"buzzer\"", o.Role)
		}
	}
	for i, x := range c.Displays {
		p := fmt.Sprintf("display[%d]", i)
		if c.Counter(x.Counter) == nil {
			d.addf(p+".counter", "display names counter %d, which does not exist; use one of: %s", x.Counter, c.counterIDs())
		}
		switch x.Driver {
		case DriverMAX7219:
			if !spiRe.MatchString(x.Bus) {
				d.addf(p+".bus", "max7219 display needs bus = \"SPI0.0\" (SPI bus and chip select), not %q", x.Bus)
			}
		case DriverHT16K33:
			if !i2cRe.MatchString(x.Bus) {
				d.addf(p+".bus", "ht16k33 display needs bus = \"I2C1\", not %q", x.Bus)
			}
			if x.Address < 0x70 || x.Address > 0x77 {
				d.addf(p+".address", "ht16k33 address 0x%x must be between 0x70 and 0x77 (set by its solder jumpers)", x.Address)
			}
		case DriverModbus7Seg:
			useSlave(p+".slave", x.Slave)
		case DriverSim:
		default:
			d.addf(p+".driver", "display driver %q is unknown; use \"max7219\", \"ht16k33\", \"modbus7seg\" or \"sim\"", x.Driver)
		}
		if x.Bus != "" && x.Driver != DriverMAX7219 && x.Driver != DriverHT16K33 {
			d.addf(p+".bus", "bus is only for max7219 and ht16k33 displays; remove it")
		}
		if x.Slave != 0 && x.Driver != DriverModbus7Seg {
			d.addf(p+".slave", "slave is only for modbus7seg displays; remove it")
		}
		if x.Address != 0 && x.Driver != DriverHT16K33 {
			d.addf(p+".address", "address is only for ht16k33 displays; remove it")
		}
		if x.Digits < 1 || x.Digits > 16 {
			d.addf(p+".digits", "display digits = %d must be between 1 and 16", x.Digits)
		}
		if x.Brightness < 0 || x.Brightness > 15 {
			d.addf(p+".brightness", "display brightness = %d must be between 0 and 15", x.Brightness)
		}
	}
	for i, k := range c.Keypads {
		p := fmt.Sprintf("keypad[%d]", i)
		if c.Counter(k.Counter) == nil {
			d.addf(p+".counter", "keypad names counter %d, which does not exist; use one of: %s", k.Counter, c.counterIDs())
		}
		switch k.Kind {
		case KeypadCall, KeypadRating:
		case "":
			d.addf(p+".kind", "keypad has no kind; add kind = \"call\" or \"rating\"")
		default:
			d.addf(p+".kind", "keypad kind %q is unknown; use \"call\" or \"rating\"", k.Kind)
		}
		switch {
		case k.Slave != 0 && !k.Pins.isZero():
			d.addf(p+".pins", "keypad has both slave and pins; keep slave for an RS-485 keypad or pins for a GPIO one")
		case k.Slave != 0:
			useSlave(p+".slave", k.Slave)
		case !k.Pins.isZero():
			if k.Kind == KeypadCall {
				d.addf(p+".pins", "a call keypad is on the RS-485 bus; replace pins with slave = ID")
				break
			}
			for _, f := range []struct{ key, pin string }{
				{"very_satisfied", k.Pins.VerySatisfied}, {"satisfied", k.Pins.Satisfied},
				{"neutral", k.Pins.Neutral}, {"dissatisfied", k.Pins.Dissatisfied},
			} {
				usePin(p+".pins."+f.key, f.pin)
			}
		default:
			d.addf(p, "keypad has neither slave nor pins; add slave = ID (RS-485) or, for a rating keypad, pins = { very_satisfied = \"GPIO5\", satisfied = \"GPIO6\", neutral = \"GPIO13\", dissatisfied = \"GPIO19\" }")
		}
		if k.RatingWindow <= 0 {
			d.addf(p+".rating_window", "rating_window must be positive, such as \"2m\"")
		}
	}
}
