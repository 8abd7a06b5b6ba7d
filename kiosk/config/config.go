package config

import "time"

// Config is a parsed and validated motcua configuration file. The zero
// value is not valid; obtain one with [Load], [Parse] or [Demo].
//
// After parsing, defaults are filled in, relative paths are resolved
// against the directory of the file, and every [Token.Secret] holds the
// secret (read from [Token.SecretFile] when that was given).
type Config struct {
	Unit     Unit      `toml:"unit"`
	Server   Server    `toml:"server"`
	Queue    Queue     `toml:"queue"`
	Services []Service `toml:"service"`
	Counters []Counter `toml:"counter"`
	Tokens   []Token   `toml:"token"`

	// Printer is the ticket printer of the unit's own kiosk; nil when the
	// file has no [printer].
	Printer *Printer `toml:"printer"`
	// Kiosks are the further kiosks, each with its own printer
	// ([[kiosk]]); none in a room with one kiosk, which [Printer] serves.
	Kiosks []Kiosk `toml:"kiosk"`
	// Uplink is the connection to the one-stop software; nil when the
	// file has no [uplink].
	Uplink *Uplink `toml:"uplink"`
	// Voice is how numbers are called aloud.
	Voice Voice `toml:"voice"`
	// RS485 is the Modbus RTU bus of displays and keypads; nil when the
	// file has no [rs485].
	RS485    *RS485    `toml:"rs485"`
	Buttons  []Button  `toml:"button"`
	Outputs  []Output  `toml:"output"`
	Displays []Display `toml:"display"`
	Keypads  []Keypad  `toml:"keypad"`
	Scanners []Scanner `toml:"scanner"`
	Reports  Reports   `toml:"reports"`
	// Appointments are the rules of booked visits ([appointments]).
	Appointments Appointments `toml:"appointments"`
	// Priorities are the named priority categories ([[priority]]); the
	// defaults when the file has none (see [DefaultPriorities]).
	Priorities []Priority `toml:"priority"`
	// Rating is what the rating page asks ([rating]).
	Rating Rating `toml:"rating"`

	// Path is the file the configuration was read from ("" when parsed
	// from memory). Relative secret_file paths are resolved against its
	// directory.
	Path string `toml:"-"`
	// Location is Unit.Timezone loaded.
	Location *time.Location `toml:"-"`

	// lines maps key paths ("service[1].prefix") to the line that set
	// them, for messages of [Config.Validate].
	lines map[string]int
}

// Unit describes the office.
type Unit struct {
	ID       string `toml:"id"`       // [a-z0-9-]+
	Name     string `toml:"name"`     // shown on pages and tickets
	Timezone string `toml:"timezone"` // IANA name; default "Asia/Ho_Chi_Minh"
}

// Server holds the HTTP server settings.
type Server struct {
	Listen         string   `toml:"listen"`          // default "127.0.0.1:8080"
	DataDir        string   `toml:"data_dir"`        // required for run
	AllowedOrigins []string `toml:"allowed_origins"` // extra browser origins, "https://host:port"
	MaxConnections int      `toml:"max_connections"` // default 2000
	// TicketRate is how many tickets one kiosk token from one address may
	// issue per minute (default 30), with a burst of TicketBurst (default 10).
	TicketRate  float64 `toml:"ticket_rate"`
	TicketBurst int     `toml:"ticket_burst"`
	// CounterRate is how many actions one counter token from one address
	// may take per minute (default 60), with a burst of CounterBurst
	// (default 20).
	CounterRate  float64 `toml:"counter_rate"`
	CounterBurst int     `toml:"counter_burst"`
	// MaxConnectionsPerAddress is how many connections one address may
	// hold before it shows a valid token (default 64).
	MaxConnectionsPerAddress int `toml:"max_connections_per_address"`
	// AllowedHosts are host names (or addresses) that requests may name
	// in Host besides the machine's own; see docs/security.md.
	AllowedHosts []string `toml:"allowed_hosts"`
	// LogAlarmMB is the size of the day's events, in MB, past which the
	// daemon raises a warning (default 64).
	LogAlarmMB int `toml:"log_alarm_mb"`
	// PublicURL is the address citizens' phones reach the daemon at,
	// "https://motcua.example.gov.vn": the ticket's QR code points at
	// PublicURL + "/t/" + the ticket's public id. "": no such QR code.
	PublicURL string `toml:"public_url"`
}

// Queue holds the calling rules.
type Queue struct {
	// PriorityRatio is how many priority tickets a counter calls in a row
	// while normal tickets wait, before it calls one normal ticket
	// (default 1: one priority, one normal).
	PriorityRatio int `toml:"priority_ratio"`
	// DefaultServiceTime is the service time assumed for estimates before
	// any ticket of the day has been served (default 5m).
	DefaultServiceTime Duration `toml:"default_service_time"`
	// PriorityAge is the age from which a citizen's ID card scanned at the
	// kiosk makes the ticket a priority one, category "elderly"
	// (default 75; 0: never).
	PriorityAge int `toml:"priority_age"`
	// MaxPriorityCalls caps the priority tickets of its service called
	// while a normal ticket waits; at the cap the normal ticket goes
	// first (default 0: no cap).
	MaxPriorityCalls int `toml:"max_priority_calls"`
	// MaxWait: a normal ticket that has waited this long goes before
	// priority tickets (default 0: no cap).
	MaxWait Duration `toml:"max_wait"`
	// PerPersonDay is how many tickets one citizen may take a day with
	// an ID card scanned at the kiosk (default 0: no limit).
	PerPersonDay int `toml:"per_person_day"`
}

// Service is one kind of procedure with its own numbering.
type Service struct {
	ID     string `toml:"id"`     // [a-z0-9-]+
	Name   string `toml:"name"`   // Vietnamese display name
	Prefix string `toml:"prefix"` // "" means numbers only; else up to 4 of A-Z, 0-9
	First  int    `toml:"first"`  // first number of each day, default 1
	Digits int    `toml:"digits"` // zero padding, default 3
	// Kind is "" for a service that takes dossiers, or "return" (trả
	// kết quả): where an appointment slip scanned at the kiosk takes a
	// number (see [Config.ReturnService]).
	Kind string `toml:"kind"`
	// EarlyReturn lets a return service take a slip before its return
	// date.
	EarlyReturn bool `toml:"early_return"`
}

// Counter is one desk where an officer serves citizens.
type Counter struct {
	ID       int      `toml:"id"`       // positive
	Name     string   `toml:"name"`     // default "Quầy ID"
	Services []string `toml:"services"` // in order of preference
}

// Role is what a token allows.
type Role string

// The roles of [Token].
const (
	RoleKiosk   Role = "kiosk"
	RoleDisplay Role = "display"
	RoleCounter Role = "counter"
	RoleAdmin   Role = "admin"
	// RoleBooking is the province's booking system: it books and cancels
	// appointments.
	RoleBooking Role = "booking"
)

// Token is one bearer secret with its role.
type Token struct {
	Role       Role   `toml:"role"`
	Name       string `toml:"name"` // optional label for logs, never the secret
	Secret     string `toml:"secret"`
	SecretFile string `toml:"secret_file"`
	Counters   []int  `toml:"counters"` // role counter only
	// Kiosk binds a kiosk token to a [[kiosk]] by its id: the tickets it
	// issues print at that kiosk. "": the unit's own kiosk ([printer]).
	Kiosk string `toml:"kiosk"`
}

// Duration is a time.Duration written in TOML as a Go duration string
// ("90s", "5m").
type Duration time.Duration

// D returns d as a [time.Duration].
func (d Duration) D() time.Duration { return time.Duration(d) }

// String formats d like [time.Duration.String].
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalText writes d as a Go duration string, so that a [Config]
// can be written back as TOML.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads a Go duration string such as "90s".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// Printer is the thermal ticket printer ([printer]).
type Printer struct {
	// Address says how to reach the printer: "sim", "serial:/dev/ttyUSB0",
	// "usb:VID:PID[:SERIAL]", "lp:/dev/usb/lp0" or "tcp:HOST:9100".
	// Parsed into Endpoint.
	Address string `toml:"address"`
	// Mode is how Vietnamese text is printed: "raster" (default; any
	// printer, text drawn as an image), "tcvn3" (the printer's TCVN3
	// code page) or "ascii" (diacritics removed).
	Mode  string `toml:"mode"`
	Paper int    `toml:"paper"` // paper width in mm: 58 or 80 (default 80)
	// Baud, Parity and Flow apply to serial printers only
	// (defaults 19200, "none", "none").
	Baud   int    `toml:"baud"`
	Parity string `toml:"parity"` // "none", "even" or "odd"
	Flow   string `toml:"flow"`   // "none", "rtscts" or "xonxoff"
	// QRURL is a URL template printed as a QR code; {unit}, {id},
	// {number} and {public} are replaced by the unit id, ticket id, number
	// and public id. "": the citizen's page when server.public_url is set,
	// else no QR code.
	QRURL string `toml:"qr_url"`
	// QRMode is how the QR code is printed: "native" (the printer's own
	// GS ( k, default) or "raster" (drawn by motcua and sent as an image,
	// for printers without QR codes).
	QRMode string   `toml:"qr_mode"`
	Header []string `toml:"header"` // extra lines under the unit name
	Footer string   `toml:"footer"` // line at the bottom of each ticket
	Cut    bool     `toml:"cut"`    // cut the paper after each ticket (default true)
	// Blocks is the ticket's layout, top to bottom ([[printer.block]]);
	// none means the usual one: unit, header lines, service, number,
	// priority mark, date, people ahead and wait, QR code, footer.
	Blocks []PrinterBlock `toml:"block"`

	// Endpoint is Address parsed.
	Endpoint Endpoint `toml:"-"`
}

// PrinterBlock is one part of the ticket layout ([[printer.block]]).
type PrinterBlock struct {
	// Field is what the block prints: "unit", "lines" (the header lines),
	// "service", "number", "priority", "issued", "wait", "qr", "code128",
	// "footer", "text" or "rule".
	Field string `toml:"field"`
	// Text is a template: "{value}" is the field's text; for "issued" a Go
	// time layout such as "Ngày 02/01/2006  15:04"; for "wait" a text with
	// {ahead} and {wait}; for "priority" the mark; for "text" the text.
	Text  string `toml:"text"`
	Alt   string `toml:"alt"`   // "wait" when nobody is ahead
	Align string `toml:"align"` // "left", "center" or "right" (default center)
	Size  string `toml:"size"`  // "small", "normal" or "large" (default normal)
	Bold  bool   `toml:"bold"`
	Scale int    `toml:"scale"` // "number": 1 to 8; 0 = as large as fits
}

// The printer modes of [Printer.Mode].
const (
	ModeRaster = "raster"
	ModeTCVN3  = "tcvn3"
	ModeASCII  = "ascii"
)

// Uplink is the connection to the one-stop software ([uplink]).
type Uplink struct {
	URL       string `toml:"url"`        // ws:// or wss://
	TokenFile string `toml:"token_file"` // bearer token, surrounding white space trimmed
	CAFile    string `toml:"ca_file"`    // optional PEM roots for wss
	// Retention is how long events already acknowledged are kept
	// (default 2160h, 90 days).
	Retention Duration `toml:"retention"`
	// BackoffMax caps the reconnection delay (default 15s).
	BackoffMax Duration `toml:"backoff_max"`

	// Token is the content of TokenFile.
	Token string `toml:"-"`
}

// Voice is how numbers are called aloud ([voice]).
type Voice struct {
	Enabled bool `toml:"enabled"`
	// Numbers is "words" (default: "một trăm linh hai") or "digits"
	// ("một không hai").
	Numbers string `toml:"numbers"`
	// Pack is a directory of recorded clips; "" is the built-in voice.
	Pack string `toml:"pack"`
	// PlayLocal plays calls on this machine with aplay, besides the
	// display pages.
	PlayLocal   bool   `toml:"play_local"`
	AplayDevice string `toml:"aplay_device"` // aplay -D value; "" is the default device
}

// Button is a push button wired to a GPIO pin ([[button]]). It issues a
// ticket for Service, or has a Role.
type Button struct {
	Pin     string `toml:"pin"`     // GPIO name, e.g. "GPIO17"
	Service string `toml:"service"` // service id; or Role
	Role    string `toml:"role"`    // "priority", "diagnostic" or a kiosk key (ButtonKeys); or Service
	// LongPress: holding a service button at least this long issues a
	// priority ticket; holding the diagnostic button this long prints the
	// diagnostic page. 0 (default) disables long presses.
	LongPress Duration `toml:"long_press"`
	// Rate is the minimum interval between two tickets from this button
	// (default 2s).
	Rate Duration `toml:"rate"`
	// Kiosk is the [[kiosk]] the button belongs to: its tickets print
	// there. "": the unit's own kiosk.
	Kiosk string `toml:"kiosk"`
}

// The button roles of [Button.Role].
const (
	ButtonPriority   = "priority"
	ButtonDiagnostic = "diagnostic"
)

// ButtonKeys are the button roles that are keys of the kiosk's keypad,
// passed to the open kiosk pages as a USB keypad's would be: the arrows,
// OK, back, and "guide", the "hướng dẫn bằng giọng nói" button that starts
// and stops the spoken guidance.
var ButtonKeys = []string{"up", "down", "left", "right", "ok", "back", "guide"}

// Output is a GPIO output ([[output]]): a lamp, relay or buzzer.
type Output struct {
	Pin       string `toml:"pin"`
	Role      string `toml:"role"`       // "printing", "out_of_order" or "buzzer"
	ActiveLow bool   `toml:"active_low"` // drive the pin low to switch on
	// Kiosk is the [[kiosk]] whose printer a "printing" or
	// "out_of_order" light shows. "": the unit's own kiosk.
	Kiosk string `toml:"kiosk"`
}

// The output roles of [Output.Role].
const (
	OutputPrinting   = "printing"
	OutputOutOfOrder = "out_of_order"
	OutputBuzzer     = "buzzer"
)

// RS485 is the Modbus RTU bus shared by displays and keypads ([rs485]).
type RS485 struct {
	Port    string   `toml:"port"`    // "/dev/ttyUSB0", "serial:/dev/ttyAMA0" or "usb:VID:PID[:SERIAL]"
	Baud    int      `toml:"baud"`    // default 9600
	Parity  string   `toml:"parity"`  // "none" (default), "even" or "odd"
	Timeout Duration `toml:"timeout"` // per request, default 200ms
	Retries int      `toml:"retries"` // default 2

	// Endpoint is Port parsed.
	Endpoint Endpoint `toml:"-"`
}

// Display is a number display above a counter ([[display]]).
type Display struct {
	Counter int    `toml:"counter"` // counter id
	Driver  string `toml:"driver"`  // "max7219", "ht16k33", "modbus7seg" or "sim"
	// Bus is "SPI0.0" (max7219) or "I2C1" (ht16k33).
	Bus        string `toml:"bus"`
	Address    int    `toml:"address"`    // ht16k33 I2C address 0x70..0x77 (default 0x70)
	Slave      int    `toml:"slave"`      // modbus7seg slave id 1..247
	Digits     int    `toml:"digits"`     // characters shown, 1..16 (default 4)
	Brightness int    `toml:"brightness"` // 0..15 (default 8)
}

// The display drivers of [Display.Driver].
const (
	DriverMAX7219    = "max7219"
	DriverHT16K33    = "ht16k33"
	DriverModbus7Seg = "modbus7seg"
	DriverSim        = "sim"
)

// Keypad is an officer's call keypad or a citizen's rating keypad
// ([[keypad]]) on the RS-485 bus (Slave) or, for ratings, on four GPIO
// pins (Pins).
type Keypad struct {
	Counter int        `toml:"counter"` // counter id
	Kind    string     `toml:"kind"`    // "call" or "rating"
	Slave   int        `toml:"slave"`   // modbus slave id 1..247; or Pins
	Pins    RatingPins `toml:"pins"`    // rating keypads on GPIO
	// RatingWindow is how long after a ticket is done a rating is
	// accepted for it (default 2m).
	RatingWindow Duration `toml:"rating_window"`
}

// The keypad kinds of [Keypad.Kind].
const (
	KeypadCall   = "call"
	KeypadRating = "rating"
)

// RatingPins are the four GPIO pins of a rating keypad, one per score.
type RatingPins struct {
	VerySatisfied string `toml:"very_satisfied"` // score 4, rất hài lòng
	Satisfied     string `toml:"satisfied"`      // score 3, hài lòng
	Neutral       string `toml:"neutral"`        // score 2, bình thường
	Dissatisfied  string `toml:"dissatisfied"`   // score 1, không hài lòng
}

// Pin returns the pin of score 1..4, or "" for another score.
func (p RatingPins) Pin(score int) string {
	switch score {
	case 4:
		return p.VerySatisfied
	case 3:
		return p.Satisfied
	case 2:
		return p.Neutral
	case 1:
		return p.Dissatisfied
	}
	return ""
}

func (p RatingPins) isZero() bool { return p == RatingPins{} }

// Reports holds the settings of daily reports ([reports]).
type Reports struct {
	// TargetWait is the waiting time a citizen should not exceed; reports
	// count the tickets above it (default 15m).
	TargetWait Duration `toml:"target_wait"`
}

// Service returns the service with the given id, or nil.
func (c *Config) Service(id string) *Service {
	for i := range c.Services {
		if c.Services[i].ID == id {
			return &c.Services[i]
		}
	}
	return nil
}

// Counter returns the counter with the given id, or nil.
func (c *Config) Counter(id int) *Counter {
	for i := range c.Counters {
		if c.Counters[i].ID == id {
			return &c.Counters[i]
		}
	}
	return nil
}
