package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// base is a valid configuration of 10 lines; most cases append to it, so
// that their own lines start at 11.
const base = `[unit]
id = "u"
name = "U"
[[service]]
id = "a"
name = "A"
prefix = "A"
[[counter]]
id = 1
services = ["a"]
`

// problemLines returns err as "FILE:LINE: message" lines, or nil.
func problemLines(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var ps *Problems
	if !errors.As(err, &ps) {
		t.Fatalf("got error %T %v, want *Problems", err, err)
	}
	var lines []string
	for _, p := range *ps {
		lines = append(lines, p.String())
	}
	return lines
}

// chdirWithFiles changes into a temporary directory holding the files
// that the cases name in secret_file, token_file, ca_file and pack.
func chdirWithFiles(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"admin.token":  "  admin-secret-0123\n",
		"empty.token":  " \n",
		"short.token":  "short\n",
		"uplink.token": "uplink-token\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
}

func TestParseProblems(t *testing.T) {
	chdirWithFiles(t)
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{
			name: "valid",
			doc:  base,
		},
		{
			name: "syntax error",
			doc:  base + "[unit\nid = \"x\"\n",
			want: []string{
				"t.toml:11: invalid TOML: expected ']' to close table name; fix the syntax (https://toml.io)",
			},
		},
		{
			name: "duplicate key",
			doc:  base + "[server]\nlisten = \"a:1\"\nlisten = \"b:2\"\n",
			want: []string{
				"t.toml:13: invalid TOML: key listen is already defined; fix the syntax (https://toml.io)",
			},
		},
		{
			name: "unknown key with a suggestion",
			doc:  base + "[printer]\naddress = \"sim\"\nadress = \"sim\"\n",
			want: []string{
				"t.toml:13: unknown key \"adress\" in [printer]; did you mean \"address\"?",
			},
		},
		{
			name: "unknown key without a suggestion",
			doc:  base + "[server]\ncolour = \"red\"\n",
			want: []string{
				"t.toml:12: unknown key \"colour\" in [server]; remove it (known: listen, data_dir, allowed_origins, max_connections, ticket_rate, ticket_burst, counter_rate, counter_burst, max_connections_per_address, allowed_hosts, log_alarm_mb, public_url)",
			},
		},
		{
			name: "unknown section",
			doc:  base + "[printers]\naddress = \"sim\"\n",
			want: []string{
				"t.toml:11: unknown section [printers]; did you mean [printer]?",
			},
		},
		{
			name: "unknown key at the top",
			doc:  "debug = true\n" + base,
			want: []string{
				"t.toml:1: unknown key \"debug\" at the top of the file; move it into its section, such as [server], or remove it",
			},
		},
		{
			name: "string given an integer",
			doc:  base + "[server]\nlisten = 8080\n",
			want: []string{
				"t.toml:12: server.listen must be a string in quotes, not an integer",
			},
		},
		{
			name: "integer given a string",
			doc:  base + "[server]\nmax_connections = \"100\"\n",
			want: []string{
				"t.toml:12: server.max_connections must be a whole number, not a string",
			},
		},
		{
			name: "integer given a float",
			doc:  base + "[server]\nmax_connections = 1.5\n",
			want: []string{
				"t.toml:12: server.max_connections must be a whole number, not a float",
			},
		},
		{
			name: "integer out of range",
			doc:  base + "[server]\nmax_connections = 99999999999\n",
			want: []string{
				"t.toml:12: server.max_connections = 99999999999 is out of range; use a smaller number",
			},
		},
		{
			name: "boolean given a string",
			doc:  base + "[voice]\nenabled = \"yes\"\n",
			want: []string{
				"t.toml:12: voice.enabled must be true or false, not a string",
			},
		},
		{
			name: "duration given an integer",
			doc:  base + "[queue]\ndefault_service_time = 300\n",
			want: []string{
				"t.toml:12: queue.default_service_time must be a duration in quotes such as \"90s\", \"5m\" or \"2h\", not an integer",
			},
		},
		{
			name: "duration not parsable",
			doc:  base + "[queue]\ndefault_service_time = \"5 minutes\"\n",
			want: []string{
				"t.toml:12: queue.default_service_time = \"5 minutes\" is not a duration; write it like \"90s\", \"5m\" or \"2h\"",
			},
		},
		{
			name: "list given a string",
			doc:  base + "[server]\nallowed_origins = \"http://a.vn\"\n",
			want: []string{
				"t.toml:12: server.allowed_origins must be a list in brackets, such as [...], not a string",
			},
		},
		{
			name: "date given to a string",
			doc:  base + "[printer]\naddress = 1979-05-27\n",
			want: []string{
				"t.toml:12: printer.address must be a string in quotes, not a date or time",
			},
		},
		{
			name: "single table written as an array",
			doc:  base + "[[printer]]\naddress = \"sim\"\n",
			want: []string{
				"t.toml:11: [printer] must be written once as [printer], not as [[printer]]",
			},
		},
		{
			name: "array written as a single table",
			doc:  base + "[token]\nrole = \"admin\"\nsecret = \"0123456789abcdef0123456789abcdef\"\n",
			want: []string{
				"t.toml:11: [token] must be written as [[token]], one per entry",
			},
		},
		{
			name: "unit id missing",
			doc:  "[unit]\nname = \"U\"\n[[service]]\nid = \"a\"\nname = \"A\"\n",
			want: []string{
				"t.toml:1: unit.id is not set; add id = \"ubnd-ten-xa\" under [unit] (lower-case letters, digits and -)",
			},
		},
		{
			name: "unit id invalid",
			doc:  "[unit]\nid = \"UBND Xã\"\nname = \"U\"\n[[service]]\nid = \"a\"\nname = \"A\"\n",
			want: []string{
				"t.toml:2: unit.id \"UBND Xã\" may only have lower-case letters a-z, digits and -; write it like \"ubnd-kien-xuong\"",
			},
		},
		{
			name: "unit name missing",
			doc:  "[unit]\nid = \"u\"\nname = \"  \"\n[[service]]\nid = \"a\"\nname = \"A\"\n",
			want: []string{
				"t.toml:3: unit.name is not set; add name = \"UBND ... – Bộ phận một cửa\" under [unit]: it is printed on tickets",
			},
		},
		{
			name: "unknown time zone",
			doc:  "[unit]\nid = \"u\"\nname = \"U\"\ntimezone = \"Asia/Hanoi\"\n[[service]]\nid = \"a\"\nname = \"A\"\n",
			want: []string{
				"t.toml:4: unknown time zone \"Asia/Hanoi\"; use an IANA name such as \"Asia/Ho_Chi_Minh\"",
			},
		},
		{
			name: "listen without port",
			doc:  base + "[server]\nlisten = \"localhost\"\n",
			want: []string{
				"t.toml:12: server.listen \"localhost\" must be HOST:PORT, such as \"127.0.0.1:8080\" or \":8080\" for every interface",
			},
		},
		{
			name: "listen with a bad port",
			doc:  base + "[server]\nlisten = \"127.0.0.1:99999\"\n",
			want: []string{
				"t.toml:12: server.listen \"127.0.0.1:99999\" must be HOST:PORT, such as \"127.0.0.1:8080\" or \":8080\" for every interface",
			},
		},
		{
			name: "listen with a bad host",
			doc:  base + "[server]\nlisten = \"a b:80\"\n",
			want: []string{
				"t.toml:12: server.listen \"a b:80\" has an invalid host \"a b\"; use an IP address, a host name or nothing (\":8080\")",
			},
		},
		{
			name: "allowed origin with a path",
			doc:  base + "[server]\nallowed_origins = [\"https://tv.example.vn\", \"https://tv.example.vn/page\"]\n",
			want: []string{
				"t.toml:12: allowed origin \"https://tv.example.vn/page\" must be http:// or https:// with a host and no path, such as \"https://tv.example.vn\" or \"http://192.168.1.20:8080\"",
			},
		},
		{
			name: "allowed origin not http",
			doc:  base + "[server]\nallowed_origins = [\"ftp://tv.example.vn\"]\n",
			want: []string{
				"t.toml:12: allowed origin \"ftp://tv.example.vn\" must be http:// or https:// with a host and no path, such as \"https://tv.example.vn\" or \"http://192.168.1.20:8080\"",
			},
		},
		{
			name: "max_connections zero",
			doc:  base + "[server]\nmax_connections = 0\n",
			want: []string{
				"t.toml:12: server.max_connections must be at least 1 (default 2000)",
			},
		},
		{
			name: "ticket_rate zero",
			doc:  base + "[server]\nticket_rate = 0\n",
			want: []string{
				"t.toml:12: server.ticket_rate must be a positive number of tickets per minute (default 30)",
			},
		},
		{
			name: "ticket_burst zero",
			doc:  base + "[server]\nticket_burst = 0\n",
			want: []string{
				"t.toml:12: server.ticket_burst must be at least 1 (default 10)",
			},
		},
		{
			name: "priority_ratio zero",
			doc:  base + "[queue]\npriority_ratio = 0\n",
			want: []string{
				"t.toml:12: queue.priority_ratio must be at least 1 (priority tickets called in a row before a normal one; default 1)",
			},
		},
		{
			name: "default_service_time zero",
			doc:  base + "[queue]\ndefault_service_time = \"0s\"\n",
			want: []string{
				"t.toml:12: queue.default_service_time must be positive, such as \"5m\"",
			},
		},
		{
			name: "service id invalid",
			doc:  base + "[[service]]\nid = \"Dat Dai\"\nname = \"X\"\nprefix = \"X\"\n",
			want: []string{
				"t.toml:12: service id \"Dat Dai\" may only have lower-case letters a-z, digits and -; write it like \"dat-dai\"",
			},
		},
		{
			name: "service id missing",
			doc:  base + "[[service]]\nname = \"X\"\nprefix = \"X\"\n",
			want: []string{
				"t.toml:11: service has no id; add id = \"dat-dai\" (lower-case letters, digits and -)",
			},
		},
		{
			name: "duplicate service ids",
			doc:  base + "[[service]]\nid = \"a\"\nname = \"X\"\nprefix = \"X\"\n",
			want: []string{
				"t.toml:12: service id \"a\" is already used at line 5; give each service its own id",
			},
		},
		{
			name: "service name missing",
			doc:  base + "[[service]]\nid = \"b\"\nprefix = \"B\"\n",
			want: []string{
				"t.toml:11: service \"b\" has no name; add name = \"...\" as citizens should read it",
			},
		},
		{
			name: "prefix lower case",
			doc:  base + "[[service]]\nid = \"b\"\nname = \"B\"\nprefix = \"b\"\n",
			want: []string{
				"t.toml:14: prefix \"b\" must be up to 4 capital letters A-Z or digits (or \"\" for numbers only), such as \"A\"",
			},
		},
		{
			name: "duplicate prefixes",
			doc:  base + "[[service]]\nid = \"b\"\nname = \"B\"\nprefix = \"A\"\n",
			want: []string{
				"t.toml:14: prefix \"A\" is already used by service \"a\" at line 7; give each service its own prefix",
			},
		},
		{
			name: "prefixes that could print the same number",
			doc:  base + "[[service]]\nid = \"b\"\nname = \"B\"\nprefix = \"A1\"\n",
			want: []string{
				"t.toml:14: prefixes \"A1\" and \"A\" (service \"a\", line 7) could print the same number, such as A1001; choose prefixes that do not start with one another followed by digits",
			},
		},
		{
			name: "two services without prefix",
			doc:  base + "[[service]]\nid = \"b\"\nname = \"B\"\n[[service]]\nid = \"c\"\nname = \"C\"\n",
			want: []string{
				"t.toml:14: prefix \"\" is already used by service \"b\" at line 11; give each service its own prefix",
			},
		},
		{
			name: "first negative",
			doc:  base + "[[service]]\nid = \"b\"\nname = \"B\"\nprefix = \"B\"\nfirst = -1\n",
			want: []string{
				"t.toml:15: first = -1 must be 0 or more (the first number of each day, default 1)",
			},
		},
		{
			name: "digits zero",
			doc:  base + "[[service]]\nid = \"b\"\nname = \"B\"\nprefix = \"B\"\ndigits = 0\n",
			want: []string{
				"t.toml:15: digits = 0 must be between 1 and 6 (zero padding, default 3)",
			},
		},
		{
			name: "digits seven",
			doc:  base + "[[service]]\nid = \"b\"\nname = \"B\"\nprefix = \"B\"\ndigits = 7\n",
			want: []string{
				"t.toml:15: digits = 7 must be between 1 and 6 (zero padding, default 3)",
			},
		},
		{
			name: "counter id zero",
			doc:  base + "[[counter]]\nid = 0\nservices = [\"a\"]\n",
			want: []string{
				"t.toml:12: counter has no id; add a positive whole number, such as id = 2",
			},
		},
		{
			name: "counter id negative",
			doc:  base + "[[counter]]\nid = -3\nservices = [\"a\"]\n",
			want: []string{
				"t.toml:12: counter id -3 must be a positive whole number, such as id = 2",
			},
		},
		{
			name: "counter id missing",
			doc:  base + "[[counter]]\nservices = [\"a\"]\n",
			want: []string{
				"t.toml:11: counter has no id; add a positive whole number, such as id = 2",
			},
		},
		{
			name: "duplicate counter ids",
			doc:  base + "[[counter]]\nid = 1\nservices = [\"a\"]\n",
			want: []string{
				"t.toml:12: counter id 1 is already used at line 9; give each counter its own id",
			},
		},
		{
			name: "counter without services",
			doc:  base + "[[counter]]\nid = 2\n",
			want: []string{
				"t.toml:11: counter 2 serves no service; add services = [\"service-id\", ...] in the order it prefers them",
			},
		},
		{
			name: "counter with an unknown service",
			doc:  base + "[[counter]]\nid = 2\nservices = [\"a\",\n  \"x\"]\n",
			want: []string{
				"t.toml:14: counter 2 names unknown service \"x\"; use one of: a",
			},
		},
		{
			name: "counter with a service twice",
			doc:  base + "[[counter]]\nid = 2\nservices = [\"a\", \"a\"]\n",
			want: []string{
				"t.toml:13: counter 2 lists service \"a\" twice; list it once",
			},
		},
		{
			name: "token role unknown",
			doc:  base + "[[token]]\nrole = \"boss\"\nsecret = \"0123456789abcdef0123456789abcdef\"\n",
			want: []string{
				"t.toml:12: unknown role \"boss\"; use \"kiosk\", \"display\", \"counter\", \"booking\" or \"admin\"",
			},
		},
		{
			name: "token role missing",
			doc:  base + "[[token]]\nsecret = \"0123456789abcdef0123456789abcdef\"\n",
			want: []string{
				"t.toml:11: token has no role; add role = \"kiosk\", \"display\", \"counter\", \"booking\" or \"admin\"",
			},
		},
		{
			name: "token without secret",
			doc:  base + "[[token]]\nrole = \"admin\"\n",
			want: []string{
				"t.toml:11: token has no secret; add secret = \"...\" (at least 12 characters) or secret_file = \"FILE\"",
			},
		},
		{
			name: "token with secret and secret_file",
			doc:  base + "[[token]]\nrole = \"admin\"\nsecret = \"0123456789abcdef0123456789abcdef\"\nsecret_file = \"admin.token\"\n",
			want: []string{
				"t.toml:14: token has both secret and secret_file; keep only one",
			},
		},
		{
			name: "token secret too short",
			doc:  base + "[[token]]\nrole = \"admin\"\nsecret = \"short\"\n",
			want: []string{
				"t.toml:13: token secret is shorter than 12 characters; use a longer random secret (for example from: openssl rand -hex 16)",
			},
		},
		{
			name: "token secret with a space",
			doc:  base + "[[token]]\nrole = \"admin\"\nsecret = \"0123456789 abcdef\"\n",
			want: []string{
				"t.toml:13: token secret contains white space or control characters; use letters, digits and punctuation only",
			},
		},
		{
			name: "token secret empty",
			doc:  base + "[[token]]\nrole = \"admin\"\nsecret = \"\"\n",
			want: []string{
				"t.toml:13: token has no secret; add secret = \"...\" (at least 12 characters) or secret_file = \"FILE\"",
			},
		},
		{
			name: "same secret twice",
			doc:  base + "[[token]]\nrole = \"admin\"\nsecret = \"0123456789abcdef0123456789abcdef\"\n[[token]]\nrole = \"kiosk\"\nsecret = \"0123456789abcdef0123456789abcdef\"\n",
			want: []string{
				"t.toml:16: token secret is the same as the token at line 13; give each token its own secret",
			},
		},
		{
			name: "counters on a kiosk token",
			doc:  base + "[[token]]\nrole = \"kiosk\"\nsecret = \"0123456789abcdef0123456789abcdef\"\ncounters = [1]\n",
			want: []string{
				"t.toml:14: counters is only for role \"counter\"; remove it from this kiosk token",
			},
		},
		{
			name: "counter token without counters",
			doc:  base + "[[token]]\nrole = \"counter\"\nsecret = \"0123456789abcdef0123456789abcdef\"\n",
			want: []string{
				"t.toml:11: counter token has no counters; add counters = [1, 2] with the counters it may operate",
			},
		},
		{
			name: "counter token for an unknown counter",
			doc:  base + "[[token]]\nrole = \"counter\"\nsecret = \"0123456789abcdef0123456789abcdef\"\ncounters = [1, 9]\n",
			want: []string{
				"t.toml:14: token names counter 9, which does not exist; use one of: 1",
			},
		},
		{
			name: "secret_file missing",
			doc:  base + "[[token]]\nrole = \"admin\"\nsecret_file = \"missing.token\"\n",
			want: []string{
				"t.toml:13: cannot read secret_file: open missing.token: no such file or directory; create the file or fix the path",
			},
		},
		{
			name: "secret_file empty",
			doc:  base + "[[token]]\nrole = \"admin\"\nsecret_file = \"empty.token\"\n",
			want: []string{
				"t.toml:13: secret_file empty.token is empty; write a secret of at least 12 characters in it",
			},
		},
		{
			name: "secret_file short",
			doc:  base + "[[token]]\nrole = \"admin\"\nsecret_file = \"short.token\"\n",
			want: []string{
				"t.toml:13: token secret is shorter than 12 characters; use a longer random secret (for example from: openssl rand -hex 16)",
			},
		},
		{
			name: "secret_file same as a secret",
			doc:  base + "[[token]]\nrole = \"admin\"\nsecret_file = \"admin.token\"\n[[token]]\nrole = \"kiosk\"\nsecret = \"admin-secret-0123\"\n",
			want: []string{
				"t.toml:16: token secret is the same as the token at line 13; give each token its own secret",
			},
		},
		{
			name: "printer without address",
			doc:  base + "[printer]\npaper = 58\n",
			want: []string{
				"t.toml:11: [printer] has no address; add address = \"usb:VID:PID\", \"serial:/dev/ttyUSB0\", \"lp:/dev/usb/lp0\", \"tcp:HOST:9100\" or \"sim\"",
			},
		},
		{
			name: "printer unknown scheme",
			doc:  base + "[printer]\naddress = \"com:1\"\n",
			want: []string{
				"t.toml:12: printer address \"com:1\" has an unknown scheme \"com\"; use one of sim, serial:, usb:, lp: or tcp: as its scheme",
			},
		},
		{
			name: "printer bad usb ids",
			doc:  base + "[printer]\naddress = \"usb:416:5011\"\n",
			want: []string{
				"t.toml:12: printer address \"usb:416:5011\": VID and PID must be 4 hexadecimal digits each, such as usb:0416:5011; run \"motcua devices\" to list them",
			},
		},
		{
			name: "printer relative serial path",
			doc:  base + "[printer]\naddress = \"serial:ttyUSB0\"\n",
			want: []string{
				"t.toml:12: printer address \"serial:ttyUSB0\" needs an absolute device path, such as serial:/dev/ttyUSB0",
			},
		},
		{
			name: "printer bad values",
			doc:  base + "[printer]\naddress = \"sim\"\nmode = \"utf8\"\npaper = 76\nbaud = 12345\nparity = \"mark\"\nflow = \"dtr\"\n",
			want: []string{
				"t.toml:13: printer mode \"utf8\" is unknown; use \"raster\" (works on every printer), \"tcvn3\" or \"ascii\"",
				"t.toml:14: printer paper = 76 must be 58 or 80 (paper width in mm)",
				"t.toml:15: printer baud = 12345 is not a standard rate; use one of 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200",
				"t.toml:16: printer parity \"mark\" is unknown; use \"none\", \"even\" or \"odd\"",
				"t.toml:17: printer flow \"dtr\" is unknown; use \"none\", \"rtscts\" or \"xonxoff\"",
			},
		},
		{
			name: "printer qr_url unknown placeholder",
			doc:  base + "[printer]\naddress = \"sim\"\nqr_url = \"https://a.vn/{ticket}\"\n",
			want: []string{
				"t.toml:13: qr_url has unknown placeholder {ticket}; use {unit}, {id}, {number} or {public}",
			},
		},
		{
			name: "printer qr_url not http",
			doc:  base + "[printer]\naddress = \"sim\"\nqr_url = \"a.vn/{id}\"\n",
			want: []string{
				"t.toml:13: qr_url \"a.vn/{id}\" must be an http:// or https:// URL, such as \"https://motcua.example.gov.vn/t/{unit}/{id}\"",
			},
		},
		{
			name: "printer qr_mode unknown",
			doc:  base + "[printer]\naddress = \"sim\"\nqr_mode = \"svg\"\n",
			want: []string{
				"t.toml:13: qr_mode \"svg\" is unknown; use \"native\" (the printer draws the QR code) or \"raster\" (motcua draws it)",
			},
		},
		{
			name: "server public_url with a query",
			doc:  base + "[server]\npublic_url = \"https://a.vn/?x=1\"\n",
			want: []string{
				"t.toml:12: server.public_url \"https://a.vn/?x=1\" must be an http:// or https:// address without query, such as \"https://motcua.example.gov.vn\" or \"http://192.168.1.20:8080\"",
			},
		},
		{
			name: "uplink bad url",
			doc:  base + "[uplink]\nurl = \"https://a.vn/ingest\"\ntoken_file = \"uplink.token\"\n",
			want: []string{
				"t.toml:12: uplink url \"https://a.vn/ingest\" must be a ws:// or wss:// URL, such as \"wss://motcua.example.gov.vn/ingest\"",
			},
		},
		{
			name: "uplink without token_file",
			doc:  base + "[uplink]\nurl = \"wss://a.vn/ingest\"\n",
			want: []string{
				"t.toml:11: [uplink] has no token_file; add token_file = \"/etc/motcua/uplink.token\" with the token the receiver gave you",
			},
		},
		{
			name: "uplink token_file missing",
			doc:  base + "[uplink]\nurl = \"wss://a.vn/ingest\"\ntoken_file = \"missing.token\"\n",
			want: []string{
				"t.toml:13: cannot read token_file: open missing.token: no such file or directory; create the file or fix the path",
			},
		},
		{
			name: "uplink durations",
			doc:  base + "[uplink]\nurl = \"wss://a.vn/ingest\"\ntoken_file = \"uplink.token\"\nretention = \"0s\"\nbackoff_max = \"-1s\"\n",
			want: []string{
				"t.toml:14: uplink retention must be positive, such as \"2160h\" (90 days)",
				"t.toml:15: uplink backoff_max must be positive, such as \"15s\"",
			},
		},
		{
			name: "uplink ca_file not PEM",
			doc:  base + "[uplink]\nurl = \"wss://a.vn/ingest\"\ntoken_file = \"uplink.token\"\nca_file = \"admin.token\"\n",
			want: []string{
				"t.toml:14: ca_file admin.token holds no PEM certificate; give the province CA in PEM form (-----BEGIN CERTIFICATE-----)",
			},
		},
		{
			name: "voice numbers unknown",
			doc:  base + "[voice]\nnumbers = \"roman\"\n",
			want: []string{
				"t.toml:12: voice numbers \"roman\" is unknown; use \"words\" (một trăm linh hai) or \"digits\" (một không hai)",
			},
		},
		{
			name: "voice pack not a directory",
			doc:  base + "[voice]\npack = \"admin.token\"\n",
			want: []string{
				"t.toml:12: voice pack admin.token is not a directory; fix the path or remove pack to use the built-in voice",
			},
		},
		{
			name: "rs485 without port",
			doc:  base + "[rs485]\nbaud = 9600\n",
			want: []string{
				"t.toml:11: [rs485] has no port; add port = \"/dev/ttyUSB0\" or \"usb:VID:PID\" (run \"motcua devices\" to list them)",
			},
		},
		{
			name: "rs485 on tcp",
			doc:  base + "[rs485]\nport = \"tcp:10.0.0.2:502\"\n",
			want: []string{
				"t.toml:12: rs485 port \"tcp:10.0.0.2:502\" must be a serial port: \"/dev/ttyUSB0\", \"serial:/dev/ttyAMA0\", \"usb:VID:PID\" or \"sim\"",
			},
		},
		{
			name: "rs485 bad values",
			doc:  base + "[rs485]\nport = \"/dev/ttyUSB0\"\nbaud = 100\nparity = \"space\"\ntimeout = \"0s\"\nretries = 11\n",
			want: []string{
				"t.toml:13: rs485 baud = 100 is not a standard rate; use one of 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200",
				"t.toml:14: rs485 parity \"space\" is unknown; use \"none\", \"even\" or \"odd\"",
				"t.toml:15: rs485 timeout must be positive, such as \"200ms\"",
				"t.toml:16: rs485 retries = 11 must be between 0 and 10 (default 2)",
			},
		},
		{
			name: "button with service and role",
			doc:  base + "[[button]]\npin = \"GPIO17\"\nservice = \"a\"\nrole = \"priority\"\n",
			want: []string{
				"t.toml:14: button has both service and role; keep one",
			},
		},
		{
			name: "button with neither service nor role",
			doc:  base + "[[button]]\npin = \"GPIO17\"\n",
			want: []string{
				"t.toml:11: button has neither service nor role; add service = \"service-id\" or role = \"priority\" or \"diagnostic\"",
			},
		},
		{
			name: "button unknown service",
			doc:  base + "[[button]]\npin = \"GPIO17\"\nservice = \"x\"\n",
			want: []string{
				"t.toml:13: button names unknown service \"x\"; use one of: a",
			},
		},
		{
			name: "button unknown role",
			doc:  base + "[[button]]\npin = \"GPIO17\"\nrole = \"reset\"\n",
			want: []string{
				"t.toml:13: button role \"reset\" is unknown; use \"priority\", \"diagnostic\" or a kiosk key: up, down, left, right, ok, back, guide",
			},
		},
		{
			name: "button bad pin",
			doc:  base + "[[button]]\npin = \"17\"\nservice = \"a\"\n",
			want: []string{
				"t.toml:12: pin \"17\" is not a GPIO name; write it like \"GPIO17\" (run \"motcua devices\" to list them)",
			},
		},
		{
			name: "button without pin",
			doc:  base + "[[button]]\nservice = \"a\"\n",
			want: []string{
				"t.toml:11: button.pin is not set; add the GPIO name, such as \"GPIO17\"",
			},
		},
		{
			name: "button negative durations",
			doc:  base + "[[button]]\npin = \"GPIO17\"\nservice = \"a\"\nlong_press = \"-1s\"\nrate = \"-2s\"\n",
			want: []string{
				"t.toml:14: long_press must not be negative; use \"0s\" to disable it",
				"t.toml:15: rate must not be negative, such as \"2s\"",
			},
		},
		{
			name: "pin used twice",
			doc:  base + "[[button]]\npin = \"GPIO17\"\nservice = \"a\"\n[[output]]\npin = \"gpio17\"\nrole = \"buzzer\"\n",
			want: []string{
				"t.toml:15: pin gpio17 is already used at line 12; wire each button, output and keypad key to its own pin",
			},
		},
		{
			name: "output unknown role",
			doc:  base + "[[output]]\npin = \"GPIO22\"\nrole = \"lamp\"\n",
			want: []string{
				"t.toml:13: output role \"lamp\" is unknown; use \"printing\", \"out_of_order\" or \"buzzer\"",
			},
		},
		{
			name: "display unknown counter",
			doc:  base + "[[display]]\ncounter = 7\ndriver = \"sim\"\n",
			want: []string{
				"t.toml:12: display names counter 7, which does not exist; use one of: 1",
			},
		},
		{
			name: "display unknown driver",
			doc:  base + "[[display]]\ncounter = 1\ndriver = \"lcd\"\n",
			want: []string{
				"t.toml:13: display driver \"lcd\" is unknown; use \"max7219\", \"ht16k33\", \"modbus7seg\" or \"sim\"",
			},
		},
		{
			name: "max7219 without bus",
			doc:  base + "[[display]]\ncounter = 1\ndriver = \"max7219\"\n",
			want: []string{
				"t.toml:11: max7219 display needs bus = \"SPI0.0\" (SPI bus and chip select), not \"\"",
			},
		},
		{
			name: "ht16k33 bad bus and address",
			doc:  base + "[[display]]\ncounter = 1\ndriver = \"ht16k33\"\nbus = \"SPI0.0\"\naddress = 0x20\n",
			want: []string{
				"t.toml:14: ht16k33 display needs bus = \"I2C1\", not \"SPI0.0\"",
				"t.toml:15: ht16k33 address 0x20 must be between 0x70 and 0x77 (set by its solder jumpers)",
			},
		},
		{
			name: "modbus display without rs485",
			doc:  base + "[[display]]\ncounter = 1\ndriver = \"modbus7seg\"\nslave = 3\n",
			want: []string{
				"t.toml:14: slave 3 is on the RS-485 bus, but there is no [rs485] section; add one with the port",
			},
		},
		{
			name: "modbus slave out of range",
			doc:  base + "[rs485]\nport = \"/dev/ttyUSB0\"\n[[display]]\ncounter = 1\ndriver = \"modbus7seg\"\nslave = 248\n",
			want: []string{
				"t.toml:16: modbus slave id 248 must be between 1 and 247",
			},
		},
		{
			name: "display keys of another driver",
			doc:  base + "[[display]]\ncounter = 1\ndriver = \"sim\"\nbus = \"I2C1\"\nslave = 2\naddress = 0x70\n",
			want: []string{
				"t.toml:14: bus is only for max7219 and ht16k33 displays; remove it",
				"t.toml:15: slave is only for modbus7seg displays; remove it",
				"t.toml:16: address is only for ht16k33 displays; remove it",
			},
		},
		{
			name: "display digits and brightness",
			doc:  base + "[[display]]\ncounter = 1\ndriver = \"sim\"\ndigits = 0\nbrightness = 16\n",
			want: []string{
				"t.toml:14: display digits = 0 must be between 1 and 16",
				"t.toml:15: display brightness = 16 must be between 0 and 15",
			},
		},
		{
			name: "slave used twice",
			doc:  base + "[rs485]\nport = \"/dev/ttyUSB0\"\n[[display]]\ncounter = 1\ndriver = \"modbus7seg\"\nslave = 3\n[[keypad]]\ncounter = 1\nkind = \"call\"\nslave = 3\n",
			want: []string{
				"t.toml:20: modbus slave id 3 is already used at line 16; give each device on the RS-485 bus its own id",
			},
		},
		{
			name: "keypad unknown counter and kind",
			doc:  base + "[rs485]\nport = \"/dev/ttyUSB0\"\n[[keypad]]\ncounter = 4\nkind = \"vote\"\nslave = 5\n",
			want: []string{
				"t.toml:14: keypad names counter 4, which does not exist; use one of: 1",
				"t.toml:15: keypad kind \"vote\" is unknown; use \"call\" or \"rating\"",
			},
		},
		{
			name: "keypad without kind",
			doc:  base + "[rs485]\nport = \"/dev/ttyUSB0\"\n[[keypad]]\ncounter = 1\nslave = 5\n",
			want: []string{
				"t.toml:13: keypad has no kind; add kind = \"call\" or \"rating\"",
			},
		},
		{
			name: "keypad with neither slave nor pins",
			doc:  base + "[[keypad]]\ncounter = 1\nkind = \"rating\"\n",
			want: []string{
				"t.toml:11: keypad has neither slave nor pins; add slave = ID (RS-485) or, for a rating keypad, pins = { very_satisfied = \"GPIO5\", satisfied = \"GPIO6\", neutral = \"GPIO13\", dissatisfied = \"GPIO19\" }",
			},
		},
		{
			name: "keypad with slave and pins",
			doc:  base + "[[keypad]]\ncounter = 1\nkind = \"rating\"\nslave = 5\npins = { very_satisfied = \"GPIO5\", satisfied = \"GPIO6\", neutral = \"GPIO13\", dissatisfied = \"GPIO19\" }\n",
			want: []string{
				"t.toml:15: keypad has both slave and pins; keep slave for an RS-485 keypad or pins for a GPIO one",
			},
		},
		{
			name: "call keypad with pins",
			doc:  base + "[[keypad]]\ncounter = 1\nkind = \"call\"\npins = { very_satisfied = \"GPIO5\", satisfied = \"GPIO6\", neutral = \"GPIO13\", dissatisfied = \"GPIO19\" }\n",
			want: []string{
				"t.toml:14: a call keypad is on the RS-485 bus; replace pins with slave = ID",
			},
		},
		{
			name: "rating keypad pins",
			doc:  base + "[[button]]\npin = \"GPIO6\"\nservice = \"a\"\n[[keypad]]\ncounter = 1\nkind = \"rating\"\nrating_window = \"0s\"\n[keypad.pins]\nvery_satisfied = \"GPIO5\"\nsatisfied = \"GPIO6\"\nneutral = \"GPIO13\"\nunknown = \"GPIO19\"\n",
			want: []string{
				"t.toml:17: rating_window must be positive, such as \"2m\"",
				"t.toml:18: keypad.pins.dissatisfied is not set; add the GPIO name, such as \"GPIO17\"",
				"t.toml:20: pin GPIO6 is already used at line 12; wire each button, output and keypad key to its own pin",
				"t.toml:22: unknown key \"unknown\" in [keypad.pins]; remove it (known: very_satisfied, satisfied, neutral, dissatisfied)",
			},
		},
		{
			name: "reports target_wait zero",
			doc:  base + "[reports]\ntarget_wait = \"0s\"\n",
			want: []string{
				"t.toml:12: reports.target_wait must be positive, such as \"15m\"",
			},
		},
		{
			name: "no service",
			doc:  "[unit]\nid = \"u\"\nname = \"U\"\n",
			want: []string{
				"t.toml:1: no service is defined; add at least one [[service]] with id and name",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("t.toml", []byte(tt.doc))
			got := problemLines(t, err)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if (c == nil) != (err != nil) {
				t.Errorf("got config %v with error %v, want exactly one of them", c != nil, err)
			}
		})
	}
}

func TestAllProblemsAtOnce(t *testing.T) {
	doc := `[unit]
id = "Xã"
nam = "U"
timezone = "Mars/Base"
[server]
listen = 8080
max_connections = 0
[[service]]
id = "a"
name = "A"
digits = 9
[[service]]
id = "a"
name = "B"
[[counter]]
id = 1
services = ["b"]
[[token]]
role = "counter"
secret = "short"
counters = [2]
`
	want := []string{
		"t.toml:1: unit.name is not set; add name = \"UBND ... – Bộ phận một cửa\" under [unit]: it is printed on tickets",
		"t.toml:2: unit.id \"Xã\" may only have lower-case letters a-z, digits and -; write it like \"ubnd-kien-xuong\"",
		"t.toml:3: unknown key \"nam\" in [unit]; did you mean \"name\"?",
		"t.toml:4: unknown time zone \"Mars/Base\"; use an IANA name such as \"Asia/Ho_Chi_Minh\"",
		"t.toml:6: server.listen must be a string in quotes, not an integer",
		"t.toml:7: server.max_connections must be at least 1 (default 2000)",
		"t.toml:11: digits = 9 must be between 1 and 6 (zero padding, default 3)",
		"t.toml:12: prefix \"\" is already used by service \"a\" at line 8; give each service its own prefix",
		"t.toml:13: service id \"a\" is already used at line 9; give each service its own id",
		"t.toml:17: counter 1 names unknown service \"b\"; use one of: a, a",
		"t.toml:20: token secret is shorter than 12 characters; use a longer random secret (for example from: openssl rand -hex 16)",
		"t.toml:21: token names counter 2, which does not exist; use one of: 1",
	}
	_, err := Parse("t.toml", []byte(doc))
	got := problemLines(t, err)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if err != nil && err.Error() != strings.Join(want, "\n") {
		t.Errorf("got Error() %q, want the lines joined", err.Error())
	}
}

func TestDefaults(t *testing.T) {
	_, err := Parse("t.toml", []byte(base+"[printer]\naddress = \"tcp:10.0.0.5\"\n[uplink]\nurl = \"wss://a.vn/x\"\ntoken_file = \"/dev/null\"\n[rs485]\nport = \"/dev/ttyUSB1\"\n[[button]]\npin = \"GPIO17\"\nservice = \"a\"\n[[display]]\ncounter = 1\ndriver = \"ht16k33\"\nbus = \"I2C1\"\n[[keypad]]\ncounter = 1\nkind = \"rating\"\nslave = 4\n"))
	if err == nil {
		t.Fatal("got no error for an empty uplink token file, want one")
	}
	// The same without the uplink, to look at the values.
	c, err := Parse("t.toml", []byte(base+"[printer]\naddress = \"tcp:10.0.0.5\"\n[rs485]\nport = \"/dev/ttyUSB1\"\n[[button]]\npin = \"GPIO17\"\nservice = \"a\"\n[[display]]\ncounter = 1\ndriver = \"ht16k33\"\nbus = \"I2C1\"\n[[keypad]]\ncounter = 1\nkind = \"rating\"\nslave = 4\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"unit.timezone", c.Unit.Timezone, "Asia/Ho_Chi_Minh"},
		{"location", c.Location.String(), "Asia/Ho_Chi_Minh"},
		{"server.listen", c.Server.Listen, "127.0.0.1:8080"},
		{"server.max_connections", c.Server.MaxConnections, 2000},
		{"server.ticket_rate", c.Server.TicketRate, 30.0},
		{"server.ticket_burst", c.Server.TicketBurst, 10},
		{"queue.priority_ratio", c.Queue.PriorityRatio, 1},
		{"queue.default_service_time", c.Queue.DefaultServiceTime.D(), 5 * time.Minute},
		{"service.first", c.Services[0].First, 1},
		{"service.digits", c.Services[0].Digits, 3},
		{"counter.name", c.Counters[0].Name, "Quầy 1"},
		{"printer.mode", c.Printer.Mode, "raster"},
		{"printer.paper", c.Printer.Paper, 80},
		{"printer.baud", c.Printer.Baud, 19200},
		{"printer.parity", c.Printer.Parity, "none"},
		{"printer.flow", c.Printer.Flow, "none"},
		{"printer.cut", c.Printer.Cut, true},
		{"printer endpoint", c.Printer.Endpoint, Endpoint{Scheme: "tcp", HostPort: "10.0.0.5:9100"}},
		{"uplink", c.Uplink == nil, true},
		{"voice.enabled", c.Voice.Enabled, false},
		{"voice.numbers", c.Voice.Numbers, "words"},
		{"rs485.baud", c.RS485.Baud, 9600},
		{"rs485.parity", c.RS485.Parity, "none"},
		{"rs485.timeout", c.RS485.Timeout.D(), 200 * time.Millisecond},
		{"rs485.retries", c.RS485.Retries, 2},
		{"rs485 endpoint", c.RS485.Endpoint, Endpoint{Scheme: "serial", Path: "/dev/ttyUSB1"}},
		{"button.rate", c.Buttons[0].Rate.D(), 2 * time.Second},
		{"button.long_press", c.Buttons[0].LongPress.D(), time.Duration(0)},
		{"display.address", c.Displays[0].Address, 0x70},
		{"display.digits", c.Displays[0].Digits, 4},
		{"display.brightness", c.Displays[0].Brightness, 8},
		{"keypad.rating_window", c.Keypads[0].RatingWindow.D(), 2 * time.Minute},
		{"reports.target_wait", c.Reports.TargetWait.D(), 15 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}

func TestUplinkDefaults(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "up.token"), []byte("\n  tok-123 \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Parse(filepath.Join(dir, "m.toml"), []byte(base+"[uplink]\nurl = \"wss://a.vn/x\"\ntoken_file = \"up.token\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := *c.Uplink
	want := Uplink{URL: "wss://a.vn/x", TokenFile: filepath.Join(dir, "up.token"), Retention: Duration(2160 * time.Hour), BackoffMax: Duration(15 * time.Second), Token: "tok-123"}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestSecretFileRelativeToConfig(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "admin.token"), []byte("\tsecret-of-admin-42\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "motcua.toml")
	doc := base + "[server]\ndata_dir = \"data\"\n[[token]]\nrole = \"admin\"\nsecret_file = \"admin.token\"\n"
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		got, want string
	}{
		{"secret", c.Tokens[0].Secret, "secret-of-admin-42"},
		{"secret_file", c.Tokens[0].SecretFile, filepath.Join(dir, "admin.token")},
		{"data_dir", c.Server.DataDir, filepath.Join(dir, "data")},
		{"path", c.Path, path},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "none.toml"))
	var ps *Problems
	if err == nil || errors.As(err, &ps) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got %v, want a plain error wrapping os.ErrNotExist", err)
	}
}

func TestRequireDataDir(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{"set", base + "[server]\ndata_dir = \"/var/lib/motcua\"\n", nil},
		{"section without it", base + "[server]\nlisten = \":80\"\n", []string{
			"t.toml:11: server.data_dir is not set; add data_dir = \"/var/lib/motcua\" under [server]: tickets and events are kept there",
		}},
		{"no section", base, []string{
			"t.toml:1: server.data_dir is not set; add data_dir = \"/var/lib/motcua\" under [server]: tickets and events are kept there",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("t.toml", []byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			got := problemLines(t, c.RequireDataDir())
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestLoadRun loads a file that motcua run can use, and refuses one
// without a data directory and one that is not there.
func TestLoadRun(t *testing.T) {
	dir := t.TempDir()
	good, bare := filepath.Join(dir, "good.toml"), filepath.Join(dir, "bare.toml")
	os.WriteFile(good, []byte(base+"[server]\ndata_dir = \"data\"\n"), 0o600)
	os.WriteFile(bare, []byte(base), 0o600)
	if c, err := LoadRun(good); err != nil || c.Server.DataDir != filepath.Join(dir, "data") {
		t.Errorf("good: got %v, want data_dir %s", err, filepath.Join(dir, "data"))
	}
	var ps *Problems
	if c, err := LoadRun(bare); c != nil || !errors.As(err, &ps) || !strings.Contains(err.Error(), "server.data_dir is not set") {
		t.Errorf("no data_dir: got %v %v, want its problem", c, err)
	}
	if c, err := LoadRun(filepath.Join(dir, "none.toml")); c != nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("no file: got %v %v, want not found", c, err)
	}
}

func TestAddToken(t *testing.T) {
	tests := []struct {
		name  string
		token Token
		want  []string
	}{
		{"kiosk", Token{Role: RoleKiosk, Secret: "kiosk-secret-123"}, nil},
		{"counter", Token{Role: RoleCounter, Secret: "counter-secret-1", Counters: []int{1}}, nil},
		{"same secret as the file's", Token{Role: RoleAdmin, Secret: "file-admin-secret"}, []string{
			"t.toml: token secret is the same as the token at line 13; give each token its own secret",
		}},
		{"unknown counter", Token{Role: RoleCounter, Secret: "counter-secret-2", Counters: []int{3}}, []string{
			"t.toml: token names counter 3, which does not exist; use one of: 1",
		}},
		{"short", Token{Role: RoleDisplay, Secret: "x"}, []string{
			"t.toml: token secret is shorter than 12 characters; use a longer random secret (for example from: openssl rand -hex 16)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("t.toml", []byte(base+"[[token]]\nrole = \"admin\"\nsecret = \"file-admin-secret\"\n"))
			if err != nil {
				t.Fatal(err)
			}
			got := problemLines(t, c.AddToken(tt.token))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			wantN := 2
			if tt.want != nil {
				wantN = 1
			}
			if len(c.Tokens) != wantN {
				t.Errorf("got %d tokens, want %d", len(c.Tokens), wantN)
			}
		})
	}
}

func TestValidateAfterChange(t *testing.T) {
	c, err := Parse("t.toml", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("got %v, want nil for a parsed config", err)
	}
	c.Services[0].Digits = 0
	got := problemLines(t, c.Validate())
	want := []string{"t.toml:4: digits = 0 must be between 1 and 6 (zero padding, default 3)"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestKeyLines(t *testing.T) {
	doc := `unit.id = "u"
[[keypad]]
counter = 1
[keypad.pins]
neutral = "GPIO5"
[[keypad]]
counter = 2
pins = { satisfied = "GPIO6",
  neutral = "GPIO7" }
[server]
allowed_origins = [
  # first
  "http://a",
  "http://b",
]
[[a.b]]
x = 1
[[a.b]]
y = [[1, 2], [
  3]]
`
	want := map[string]int{
		"unit":                      1,
		"unit.id":                   1,
		"keypad":                    2,
		"keypad[0]":                 2,
		"keypad[0].counter":         3,
		"keypad[0].pins":            4,
		"keypad[0].pins.neutral":    5,
		"keypad[1]":                 6,
		"keypad[1].counter":         7,
		"keypad[1].pins":            8,
		"keypad[1].pins.satisfied":  8,
		"keypad[1].pins.neutral":    9,
		"server":                    10,
		"server.allowed_origins":    11,
		"server.allowed_origins[0]": 13,
		"server.allowed_origins[1]": 14,
		"a.b":                       16,
		"a.b[0]":                    16,
		"a.b[0].x":                  17,
		"a.b[1]":                    18,
		"a.b[1].y":                  19,
		"a.b[1].y[0]":               19,
		"a.b[1].y[0][0]":            19,
		"a.b[1].y[0][1]":            19,
		"a.b[1].y[1]":               20,
		"a.b[1].y[1][0]":            20,
	}
	got := keyLines([]byte(doc))
	for k, line := range want {
		if got[k] != line {
			t.Errorf("%s: got line %d, want %d", k, got[k], line)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok && k != "a" {
			t.Errorf("got unexpected path %q", k)
		}
	}
}

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		in      string
		want    Endpoint
		wantErr bool
	}{
		{in: "sim", want: Endpoint{Scheme: "sim"}},
		{in: "/dev/ttyUSB0", want: Endpoint{Scheme: "serial", Path: "/dev/ttyUSB0"}},
		{in: "serial:/dev/ttyAMA0", want: Endpoint{Scheme: "serial", Path: "/dev/ttyAMA0"}},
		{in: "lp:/dev/usb/lp0", want: Endpoint{Scheme: "lp", Path: "/dev/usb/lp0"}},
		{in: "usb:0416:5011", want: Endpoint{Scheme: "usb", VID: 0x0416, PID: 0x5011}},
		{in: "usb:0416:5011:AB12:3", want: Endpoint{Scheme: "usb", VID: 0x0416, PID: 0x5011, Serial: "AB12:3"}},
		{in: "tcp:10.0.0.9", want: Endpoint{Scheme: "tcp", HostPort: "10.0.0.9:9100"}},
		{in: "tcp:printer.lan:9101", want: Endpoint{Scheme: "tcp", HostPort: "printer.lan:9101"}},
		{in: "tcp:[fe80::1]:9100", want: Endpoint{Scheme: "tcp", HostPort: "[fe80::1]:9100"}},
		{in: "", wantErr: true},
		{in: "ttyUSB0", wantErr: true},
		{in: "usb:0416", wantErr: true},
		{in: "usb:0416:zzzz", wantErr: true},
		{in: "usb:0416:5011:", wantErr: true},
		{in: "tcp:", wantErr: true},
		{in: "tcp:host:99999", wantErr: true},
		{in: "lp:lp0", wantErr: true},
		{in: "http://printer", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseEndpoint(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("got error %v, want error %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if err == nil {
				again, err := ParseEndpoint(got.String())
				if err != nil || again != got {
					t.Errorf("got %+v, %v from String() %q, want %+v", again, err, got.String(), got)
				}
			}
		})
	}
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{File: "a.toml", Line: 3, Msg: "bad"}, "a.toml:3: bad"},
		{Problem{File: "a.toml", Msg: "bad"}, "a.toml: bad"},
		{Problem{Line: 2, Msg: "bad"}, "config:2: bad"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("got %v, want %v", got, tt.want)
		}
	}
}

func TestRatingPins(t *testing.T) {
	p := RatingPins{VerySatisfied: "G4", Satisfied: "G3", Neutral: "G2", Dissatisfied: "G1"}
	for score, want := range map[int]string{4: "G4", 3: "G3", 2: "G2", 1: "G1", 0: "", 5: ""} {
		if got := p.Pin(score); got != want {
			t.Errorf("Pin(%d): got %v, want %v", score, got, want)
		}
	}
}

func BenchmarkParseDemo(b *testing.B) {
	for b.Loop() {
		if _, err := Parse("demo.toml", DemoTOML); err != nil {
			b.Fatal(err)
		}
	}
}

func TestValidateInMemoryConfig(t *testing.T) {
	c := &Config{Unit: Unit{ID: "u", Name: "U"}, Location: time.UTC}
	c.setDefaults()
	c.Services = []Service{{ID: "a", Name: "A", Digits: 3}}
	c.Counters = []Counter{{ID: 1, Services: []string{"b"}}}
	got := problemLines(t, c.Validate())
	want := []string{"config: counter 1 names unknown service \"b\"; use one of: a"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := c.Counters[0].Name, "Quầy 1"; got != want {
		t.Errorf("got %v, want %v", got, want)
	}
}
