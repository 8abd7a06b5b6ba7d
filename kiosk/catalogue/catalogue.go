package catalogue

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxFile is the largest catalogue file accepted, in bytes.
const MaxFile = 16 << 20

// Limits of a procedure's fields, in characters.
const (
	maxCode    = 40
	maxName    = 400
	maxText    = 1000
	maxPapers  = 100
	maxVersion = 100
	maxCopies  = 100
)

// File is a catalogue as it is imported and stored.
type File struct {
	// Version names this edition of the catalogue, such as "2026-11-01"
	// or the province's revision; it is shown to the admin.
	Version    string      `json:"version"`
	Procedures []Procedure `json:"procedures"`
}

// Procedure is one administrative procedure.
type Procedure struct {
	Code    string  `json:"code"`    // the national code, such as "1.001193"
	Name    string  `json:"name"`    // "Đăng ký khai sinh"
	Field   string  `json:"field"`   // lĩnh vực: "Hộ tịch"
	Service string  `json:"service"` // the [[service]] whose queue takes it
	Papers  []Paper `json:"papers"`  // thành phần hồ sơ
	// Fee (lệ phí) and TimeLimit (thời hạn giải quyết) are free text:
	// "Miễn lệ phí", "Trong ngày".
	Fee       string `json:"fee"`
	TimeLimit string `json:"time_limit"`
	// OnlineURL is where the procedure can be done online; "" for none.
	OnlineURL string `json:"online_url,omitempty"`
}

// Paper is one paper of a procedure's dossier.
type Paper struct {
	Name   string `json:"name"`
	Copies int    `json:"copies"` // 0 in the file means 1
	// VNeID marks a paper the office reads from VNeID or the national
	// database: the citizen need not bring it.
	VNeID bool   `json:"vneid"`
	Note  string `json:"note,omitempty"` // "bản chính để đối chiếu"
}

// Problem is one thing wrong in a catalogue file.
type Problem struct {
	// Index is the procedure's position in "procedures", from 0; -1 for
	// the file as a whole.
	Index int `json:"index"`
	// Code is the procedure's code when it has one.
	Code string `json:"code,omitempty"`
	// Field is the JSON path inside the procedure ("service",
	// "papers[2].name") or of the file ("version").
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Index >= 0 {
		fmt.Fprintf(&b, "procedures[%d]", p.Index)
		if p.Code != "" {
			fmt.Fprintf(&b, " (%s)", p.Code)
		}
		if p.Field != "" {
			b.WriteString(" ." + p.Field)
		}
	} else {
		b.WriteString(p.Field)
	}
	b.WriteString(": " + p.Message)
	return b.String()
}

// Problems is the error of a catalogue file that cannot be taken: every
// problem found, in file order.
type Problems []Problem

func (ps Problems) Error() string {
	const show = 10
	var b strings.Builder
	b.WriteString("catalogue: the file is not valid and was not taken: ")
	for i, p := range ps {
		if i == show {
			fmt.Fprintf(&b, "; and %d more", len(ps)-show)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// ErrInvalid is wrapped by every error of [Parse] about the file's content.
var ErrInvalid = errors.New("catalogue: invalid file")

// Is lets errors.Is(err, ErrInvalid) find a [Problems].
func (ps Problems) Is(target error) bool { return target == ErrInvalid }

// Parse reads and checks a catalogue file. services are the ids of the
// configured services: a procedure of another service is refused. A file
// with problems returns a [Problems] listing each with its position.
func Parse(data []byte, services []string) (*File, error) {
	if len(data) > MaxFile {
		return nil, Problems{{Index: -1, Field: "file", Message: fmt.Sprintf("the file is over %d MiB", MaxFile>>20)}}
	}
	if !utf8.Valid(data) {
		return nil, Problems{{Index: -1, Field: "file", Message: "the file is not UTF-8; save it as UTF-8"}}
	}
	var top struct {
		Version    *string           `json:"version"`
		Procedures []json.RawMessage `json:"procedures"`
	}
	if err := strictDecode(data, &top); err != nil {
		return nil, Problems{{Index: -1, Field: "file", Message: jsonMessage(data, err)}}
	}
	var ps Problems
	f := &File{Procedures: make([]Procedure, 0, len(top.Procedures))}
	switch {
	case top.Version == nil || strings.TrimSpace(*top.Version) == "":
		ps = append(ps, Problem{Index: -1, Field: "version", Message: `"version" is required, such as "2026-11-01"`})
	case utf8.RuneCountInString(*top.Version) > maxVersion:
		ps = append(ps, Problem{Index: -1, Field: "version", Message: fmt.Sprintf("longer than %d characters", maxVersion)})
	default:
		f.Version = strings.TrimSpace(*top.Version)
	}
	if top.Procedures == nil {
		ps = append(ps, Problem{Index: -1, Field: "procedures", Message: `"procedures" is required: a list of procedures`})
	}
	known := map[string]bool{}
	for _, s := range services {
		known[s] = true
	}
	codes := map[string]int{}
	for i, raw := range top.Procedures {
		var p Procedure
		if err := strictDecode(raw, &p); err != nil {
			ps = append(ps, Problem{Index: i, Field: jsonField(err), Message: jsonMessage(raw, err)})
			continue
		}
		n := len(ps)
		ps = p.check(i, ps, known, services)
		if first, dup := codes[p.Code]; dup && p.Code != "" {
			ps = append(ps, Problem{Index: i, Code: p.Code, Field: "code", Message: fmt.Sprintf("the code is also used by procedures[%d]; each code once", first)})
		} else {
			codes[p.Code] = i
		}
		if len(ps) == n {
			f.Procedures = append(f.Procedures, p.normal())
		}
	}
	if len(ps) > 0 {
		return nil, ps
	}
	return f, nil
}

func (p *Procedure) check(i int, ps Problems, known map[string]bool, services []string) Problems {
	add := func(field, format string, args ...any) {
		ps = append(ps, Problem{Index: i, Code: p.Code, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	text := func(field, v string, required bool, limit int) {
		switch {
		case required && strings.TrimSpace(v) == "":
			add(field, "%q is required", field)
		case utf8.RuneCountInString(v) > limit:
			add(field, "longer than %d characters", limit)
		case strings.IndexFunc(v, func(r rune) bool { return unicode.IsControl(r) && r != '\n' }) >= 0:
			add(field, "has control characters")
		}
	}
	text("code", p.Code, true, maxCode)
	if strings.ContainsAny(p.Code, " /?#%\t\n") {
		add("code", "a code has no spaces, '/', '?', '#' or '%%'")
	}
	text("name", p.Name, true, maxName)
	text("field", p.Field, true, maxName)
	text("fee", p.Fee, false, maxText)
	text("time_limit", p.TimeLimit, false, maxText)
	switch {
	case p.Service == "":
		add("service", `"service" is required: the id of the [[service]] that takes this procedure`)
	case !known[p.Service]:
		add("service", "service %q is not configured; use one of %s or add a [[service]] with this id", p.Service, strings.Join(services, ", "))
	}
	if p.OnlineURL != "" {
		if u, err := url.Parse(p.OnlineURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("online_url", "%q is not an http:// or https:// address", p.OnlineURL)
		}
	}
	if len(p.Papers) > maxPapers {
		add("papers", "more than %d papers", maxPapers)
	}
	for j, pp := range p.Papers {
		f := fmt.Sprintf("papers[%d]", j)
		text(f+".name", pp.Name, true, maxText)
		text(f+".note", pp.Note, false, maxText)
		if pp.Copies < 0 || pp.Copies > maxCopies {
			add(f+".copies", "copies must be 0 to %d (0 means 1)", maxCopies)
		}
	}
	return ps
}

// normal returns p with its text trimmed and copies filled in.
func (p Procedure) normal() Procedure {
	p.Code = strings.TrimSpace(p.Code)
	p.Name = strings.TrimSpace(p.Name)
	p.Field = strings.TrimSpace(p.Field)
	p.Papers = slices.Clone(p.Papers)
	if p.Papers == nil {
		p.Papers = []Paper{}
	}
	for i := range p.Papers {
		p.Papers[i].Name = strings.TrimSpace(p.Papers[i].Name)
		if p.Papers[i].Copies == 0 {
			p.Papers[i].Copies = 1
		}
	}
	return p
}

func strictDecode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("more than one JSON value")
	}
	return nil
}

// jsonField is the field a decoding error is about, "" when unknown.
func jsonField(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return te.Field
	}
	if s, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return strings.Trim(s, `"`)
	}
	return ""
}

// jsonMessage says what is wrong, with the line and column for syntax
// errors of data.
func jsonMessage(data []byte, err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		line, col := position(data, se.Offset-1) // Offset is just after the bad byte
		return fmt.Sprintf("not valid JSON at line %d, column %d: %v", line, col, strings.TrimPrefix(se.Error(), "json: "))
	case errors.As(err, &te):
		return fmt.Sprintf("%s must be %s, not %s", te.Field, kind(te.Type.Kind().String()), te.Value)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON ends too early"
	}
	if s, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return "unknown field " + s + "; the fields are code, name, field, service, papers, fee, time_limit, online_url (papers: name, copies, vneid, note)"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

func kind(k string) string {
	switch k {
	case "slice":
		return "a list"
	case "struct":
		return "an object"
	case "int":
		return "a whole number"
	case "bool":
		return "true or false"
	}
	return "a " + k
}

func position(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:]) + 1
	return line, col
}
