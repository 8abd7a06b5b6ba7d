package config

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
)

// Load reads and parses the configuration file at path; see [Parse].
// A file that cannot be read gives a plain error; a file with problems
// gives a [*Problems].
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(path, data)
}

// LoadRun loads the configuration at path as [Load] does and requires
// what `motcua run` needs beyond a valid file, a data directory
// ([Config.RequireDataDir]): the configuration of the daemon and of the
// commands that work on its data.
func LoadRun(path string) (*Config, error) {
	c, err := Load(path)
	if err != nil {
		return nil, err
	}
	if err := c.RequireDataDir(); err != nil {
		return nil, err
	}
	return c, nil
}

// Parse parses and validates a configuration. filename names the file in
// problems and locates relative paths (secret_file, token_file, ca_file,
// data_dir, pack), which are resolved against its directory and read
// now. Every problem found is returned at once as a [*Problems].
//
// Parse does not require server.data_dir; "motcua run" calls
// [Config.RequireDataDir].
func Parse(filename string, data []byte) (*Config, error) {
	d := &decoder{file: filename, bad: map[string]bool{}}
	var doc map[string]any
	if err := toml.Unmarshal(data, &doc); err != nil {
		line := 1
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, _ = de.Position()
		}
		msg := strings.TrimPrefix(err.Error(), "toml: ")
		ps := Problems{{File: filename, Line: line, Msg: "invalid TOML: " + msg + "; fix the syntax (https://toml.io)"}}
		return nil, &ps
	}
	c := &Config{Path: filename, lines: keyLines(data)}
	d.lines = c.lines
	c.setDefaults()
	d.decodeStruct("", doc, reflect.ValueOf(c).Elem())
	c.load(d)
	c.validate(d)
	if len(d.probs) > 0 {
		d.probs.sort()
		return nil, &d.probs
	}
	return c, nil
}

// decoder turns go-toml's generic values into the typed [Config],
// collecting problems instead of stopping at the first.
type decoder struct {
	file  string
	lines map[string]int
	probs Problems
	// bad holds the key paths that already have a problem, so that
	// validation does not report them a second time.
	bad map[string]bool
}

// addf records a problem for the key path.
func (d *decoder) addf(path string, format string, args ...any) {
	if d.bad[path] {
		return
	}
	d.bad[path] = true
	d.probs = append(d.probs, Problem{File: d.file, Line: lineOf(d.lines, path), Msg: fmt.Sprintf(format, args...)})
}

// defaulter is implemented by the sections and elements that have
// default values; they are set before the file's values are decoded.
type defaulter interface{ setDefaults() }

var durationType = reflect.TypeFor[Duration]()

// decodeStruct decodes the table m into the struct v.
func (d *decoder) decodeStruct(path string, m map[string]any, v reflect.Value) {
	t := v.Type()
	fields := map[string]int{}
	var names []string
	for i := range t.NumField() {
		tag := t.Field(i).Tag.Get("toml")
		if tag == "" || tag == "-" {
			continue
		}
		fields[tag] = i
		names = append(names, tag)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := joinKey(path, k)
		i, ok := fields[k]
		if !ok {
			d.unknown(path, p, k, m[k], names)
			continue
		}
		d.decodeValue(p, m[k], v.Field(i))
	}
}

// unknown reports a key that the section does not have.
func (d *decoder) unknown(section, path, key string, val any, names []string) {
	what := fmt.Sprintf("unknown key %q in %s", key, sectionName(section))
	if section == "" {
		switch val.(type) {
		case map[string]any:
			what = fmt.Sprintf("unknown section [%s]", key)
		case []any:
			what = fmt.Sprintf("unknown key or section %q", key)
		default:
			d.addf(path, "unknown key %q at the top of the file; move it into its section, such as [server], or remove it", key)
			return
		}
	}
	if s := closest(key, names); s != "" {
		if _, tbl := val.(map[string]any); tbl && section == "" {
			s = "[" + s + "]"
		} else {
			s = strconv.Quote(s)
		}
		d.addf(path, "%s; did you mean %s?", what, s)
		return
	}
	d.addf(path, "%s; remove it (known: %s)", what, strings.Join(names, ", "))
}

// sectionName names the table at path for messages: "[server]",
// "[[service]]", "[keypad.pins]".
func sectionName(path string) string {
	if path == "" {
		return "the top of the file"
	}
	name := stripIndexes(path)
	if strings.HasSuffix(path, "]") && !strings.Contains(name, ".") {
		return "[[" + name + "]]"
	}
	return "[" + name + "]"
}

// stripIndexes turns "service[1].prefix" into "service.prefix".
func stripIndexes(path string) string {
	var b strings.Builder
	skip := false
	for _, r := range path {
		switch {
		case r == '[':
			skip = true
		case r == ']':
			skip = false
		case !skip:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// closest returns the known name nearest to key when it is a likely
// typo (edit distance at most 2), else "".
func closest(key string, names []string) string {
	best, bestD := "", 3
	for _, n := range names {
		if dist := editDistance(strings.ToLower(key), n); dist < bestD {
			best, bestD = n, dist
		}
	}
	return best
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 100
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// decodeValue decodes val into v, reporting a value of the wrong type.
func (d *decoder) decodeValue(path string, val any, v reflect.Value) {
	name := stripIndexes(path)
	if v.Type() == durationType {
		s, ok := val.(string)
		if !ok {
			d.addf(path, "%s must be a duration in quotes such as \"90s\", \"5m\" or \"2h\", not %s", name, kindOf(val))
			return
		}
		dur, err := time.ParseDuration(s)
		if err != nil {
			d.addf(path, "%s = %q is not a duration; write it like \"90s\", \"5m\" or \"2h\"", name, s)
			return
		}
		v.SetInt(int64(dur))
		return
	}
	switch v.Kind() {
	case reflect.String:
		s, ok := val.(string)
		if !ok {
			d.addf(path, "%s must be a string in quotes, not %s", name, kindOf(val))
			return
		}
		v.SetString(s)
	case reflect.Bool:
		b, ok := val.(bool)
		if !ok {
			d.addf(path, "%s must be true or false, not %s", name, kindOf(val))
			return
		}
		v.SetBool(b)
	case reflect.Int:
		n, ok := val.(int64)
		if !ok {
			d.addf(path, "%s must be a whole number, not %s", name, kindOf(val))
			return
		}
		if n < math.MinInt32 || n > math.MaxInt32 {
			d.addf(path, "%s = %d is out of range; use a smaller number", name, n)
			return
		}
		v.SetInt(n)
	case reflect.Float64:
		switch n := val.(type) {
		case int64:
			v.SetFloat(float64(n))
		case float64:
			if math.IsNaN(n) || math.IsInf(n, 0) {
				d.addf(path, "%s must be a finite number", name)
				return
			}
			v.SetFloat(n)
		default:
			d.addf(path, "%s must be a number, not %s", name, kindOf(val))
		}
	case reflect.Struct:
		m, ok := val.(map[string]any)
		if !ok {
			if _, arr := val.([]any); arr && !strings.Contains(name, ".") {
				d.addf(path, "[%s] must be written once as [%s], not as [[%s]]", name, name, name)
				return
			}
			d.addf(path, "%s must be a table, not %s", name, kindOf(val))
			return
		}
		d.decodeStruct(path, m, v)
	case reflect.Pointer:
		m, ok := val.(map[string]any)
		if !ok {
			if _, arr := val.([]any); arr && !strings.Contains(name, ".") {
				d.addf(path, "[%s] must be written once as [%s], not as [[%s]]", name, name, name)
				return
			}
			d.addf(path, "%s must be a table [%s], not %s", name, name, kindOf(val))
			return
		}
		p := reflect.New(v.Type().Elem())
		if df, ok := p.Interface().(defaulter); ok {
			df.setDefaults()
		}
		d.decodeStruct(path, m, p.Elem())
		v.Set(p)
	case reflect.Slice:
		arr, ok := val.([]any)
		if !ok {
			if _, tbl := val.(map[string]any); tbl && !strings.Contains(name, ".") {
				d.addf(path, "[%s] must be written as [[%s]], one per entry", name, name)
				return
			}
			d.addf(path, "%s must be a list in brackets, such as [...], not %s", name, kindOf(val))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(arr), len(arr))
		for i, e := range arr {
			elem := s.Index(i)
			if df, ok := elem.Addr().Interface().(defaulter); ok {
				df.setDefaults()
			}
			d.decodeValue(path+"["+strconv.Itoa(i)+"]", e, elem)
		}
		v.Set(s)
	default:
		d.addf(path, "%s: unsupported field type %s", name, v.Type())
	}
}

// kindOf names the TOML type of a generic value for messages.
func kindOf(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	case time.Time, toml.LocalDate, toml.LocalTime, toml.LocalDateTime:
		return "a date or time"
	}
	return fmt.Sprintf("%T", v)
}

func (c *Config) setDefaults() {
	c.Unit.Timezone = "Asia/Ho_Chi_Minh"
	c.Server.Listen = "127.0.0.1:8080"
	c.Server.MaxConnections = 2000
	c.Server.TicketRate = 30
	c.Server.TicketBurst = 10
	c.Server.CounterRate, c.Server.CounterBurst = 60, 20
	c.Server.MaxConnectionsPerAddress = 64
	c.Server.LogAlarmMB = 64
	c.Queue.PriorityRatio = 1
	c.Queue.DefaultServiceTime = Duration(5 * time.Minute)
	c.Voice.Numbers = "words"
	c.Reports.TargetWait = Duration(15 * time.Minute)
	c.Appointments.setDefaults()
	c.Queue.PriorityAge = 75
	c.Priorities = DefaultPriorities()
}

func (s *Service) setDefaults() { s.First, s.Digits = 1, 3 }

func (p *Printer) setDefaults() {
	p.Mode, p.Paper, p.Baud, p.Parity, p.Flow, p.Cut = ModeRaster, 80, 19200, "none", "none", true
}

func (u *Uplink) setDefaults() {
	u.Retention = Duration(2160 * time.Hour)
	u.BackoffMax = Duration(15 * time.Second)
}

func (r *RS485) setDefaults() {
	r.Baud, r.Parity, r.Timeout, r.Retries = 9600, "none", Duration(200*time.Millisecond), 2
}

func (b *Button) setDefaults() { b.Rate = Duration(2 * time.Second) }

func (d *Display) setDefaults() { d.Digits, d.Brightness = 4, 8 }

func (k *Keypad) setDefaults() { k.RatingWindow = Duration(2 * time.Minute) }

// load does what needs the file system: reads secret and token files,
// resolves relative paths and loads the time zone.
func (c *Config) load(d *decoder) {
	dir := filepath.Dir(c.Path)
	resolve := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	if c.Server.DataDir != "" {
		c.Server.DataDir = resolve(c.Server.DataDir)
	}
	for i := range c.Tokens {
		t := &c.Tokens[i]
		path := fmt.Sprintf("token[%d]", i)
		switch {
		case t.Secret != "" && t.SecretFile != "":
			d.addf(path+".secret_file", "token has both secret and secret_file; keep only one")
		case t.Secret == "" && t.SecretFile == "":
			if !d.bad[path+".secret"] && !d.bad[path+".secret_file"] {
				d.addf(path+".secret", "token has no secret; add secret = \"...\" (at least 12 characters) or secret_file = \"FILE\"")
			}
		case t.SecretFile != "":
			t.SecretFile = resolve(t.SecretFile)
			s, err := readTrimmed(t.SecretFile)
			if err != nil {
				d.addf(path+".secret_file", "cannot read secret_file: %v; create the file or fix the path", err)
				d.bad[path+".secret"] = true
				continue
			}
			if s == "" {
				d.addf(path+".secret_file", "secret_file %s is empty; write a secret of at least 12 characters in it", t.SecretFile)
				d.bad[path+".secret"] = true
				continue
			}
			t.Secret = s
			if d.lines != nil {
				// Problems of the secret belong to the secret_file line.
				d.lines[path+".secret"] = lineOf(d.lines, path+".secret_file")
			}
		}
	}
	if u := c.Uplink; u != nil {
		if u.TokenFile == "" {
			d.addf("uplink.token_file", "[uplink] has no token_file; add token_file = \"/etc/motcua/uplink.token\" with the token the receiver gave you")
		} else {
			u.TokenFile = resolve(u.TokenFile)
			s, err := readTrimmed(u.TokenFile)
			switch {
			case err != nil:
				d.addf("uplink.token_file", "cannot read token_file: %v; create the file or fix the path", err)
			case s == "":
				d.addf("uplink.token_file", "token_file %s is empty; write the uplink token in it", u.TokenFile)
			default:
				u.Token = s
			}
		}
		if u.CAFile != "" {
			u.CAFile = resolve(u.CAFile)
			if err := checkPEM(u.CAFile); err != nil {
				d.addf("uplink.ca_file", "%v", err)
			}
		}
	}
	if c.Voice.Pack != "" {
		c.Voice.Pack = resolve(c.Voice.Pack)
		if fi, err := os.Stat(c.Voice.Pack); err != nil || !fi.IsDir() {
			d.addf("voice.pack", "voice pack %s is not a directory; fix the path or remove pack to use the built-in voice", c.Voice.Pack)
		}
	}
	if !d.bad["unit.timezone"] {
		loc, err := time.LoadLocation(c.Unit.Timezone)
		if err != nil || c.Unit.Timezone == "" {
			d.addf("unit.timezone", "unknown time zone %q; use an IANA name such as \"Asia/Ho_Chi_Minh\"", c.Unit.Timezone)
		} else {
			c.Location = loc
		}
	}
}

func readTrimmed(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}
