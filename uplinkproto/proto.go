package uplinkproto

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"
)

// Subprotocol is the websocket subprotocol of the uplink.
const Subprotocol = "motcua.uplink.v1"

// ProtocolVersion is the "protocol" of the hello message.
const ProtocolVersion = 1

// MaxMessage is the largest message either side accepts, in bytes. A
// snapshot of a busy office is well under 1 MiB.
const MaxMessage = 4 << 20

// Message types.
const (
	TypeHello    = "hello"
	TypeWelcome  = "welcome"
	TypeEvent    = "event"
	TypeSnapshot = "snapshot"
	TypeAck      = "ack"
	TypeGap      = "gap"
	TypeCommand  = "command"
	TypeResult   = "result"
)

// Command names a server may send.
const (
	CmdNext   = "counter.next"
	CmdRecall = "counter.recall"
	CmdPause  = "counter.pause"
	// CmdCatalogue replaces the procedure catalogue with the file in the
	// command's "catalogue" field.
	CmdCatalogue = "catalogue.update"

	CmdBook   = "appointment.book"
	CmdCancel = "appointment.cancel"
)

// ErrProtocol is wrapped by every error a decoder returns: the peer sent
// something that is not a valid message of the protocol.
var ErrProtocol = errors.New("uplink: protocol error")

// Message is any uplink message, decoded. Which fields are set depends on
// Type; see docs/uplink.md.
type Message struct {
	Type string `json:"type"`

	// hello
	Unit     string `json:"unit,omitempty"`
	Protocol int    `json:"protocol,omitempty"`
	First    int64  `json:"first,omitempty"`
	Last     int64  `json:"last,omitempty"`

	// welcome
	Ack int64 `json:"ack,omitempty"`
	// Fleet: the receiver takes status messages (docs/fleet.md).
	Fleet bool `json:"fleet,omitempty"`

	// event, snapshot, ack
	Seq int64 `json:"seq,omitempty"`
	// Event is the event's name; At its time (RFC 3339), as sent.
	Event string `json:"event,omitempty"`
	At    string `json:"at,omitempty"`
	// State is the snapshot's state.
	State json.RawMessage `json:"state,omitempty"`

	// gap
	From int64 `json:"from,omitempty"`
	To   int64 `json:"to,omitempty"`

	// command, result
	ID      string `json:"id,omitempty"`
	Name    string `json:"name,omitempty"`
	Counter int    `json:"counter,omitempty"`
	Reason  string `json:"reason,omitempty"`
	// Catalogue is the file of a catalogue.update command.
	Catalogue json.RawMessage `json:"catalogue,omitempty"`
	// Config is the TOML file of a config.apply command.
	Config string `json:"config,omitempty"`
	// Booking holds the fields of appointment.book and
	// appointment.cancel (the code only), as in the HTTP API.
	Booking *Booking `json:"-"`

	// query (also Name and ID)
	Code string `json:"code,omitempty"`
	// answer (also ID, OK and Error)
	Dossier *Dossier `json:"dossier,omitempty"`

	// result
	OK     bool            `json:"ok,omitempty"`
	Ticket json.RawMessage `json:"ticket,omitempty"`
	Error  *ResultError    `json:"error,omitempty"`

	// Body is an event message's event, parsed and checked.
	Body *Event `json:"-"`
	// Snap is a snapshot message's state, parsed and checked; its Seq is
	// the message's.
	Snap *State `json:"-"`
	// Status is a status message, parsed and checked.
	Status *UnitStatus `json:"-"`

	// Raw is the message as received.
	Raw []byte `json:"-"`
}

// Booking is an appointment command's booking.
type Booking struct {
	Code    string `json:"code"`
	Service string `json:"service"`
	Date    string `json:"date"`
	From    string `json:"from"`
	To      string `json:"to"`
	Citizen string `json:"citizen"`
	Dossier string `json:"dossier"`
}

// ResultError is why a command failed: a stable code (as in the HTTP API)
// and a message for people.
type ResultError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// welcome and the others have the fields present in the wire format even
// when zero, so they are encoded by hand here.

// Hello encodes the hello message.
func Hello(unit string, first, last int64) []byte {
	b, _ := json.Marshal(struct {
		Type     string `json:"type"`
		Unit     string `json:"unit"`
		Protocol int    `json:"protocol"`
		First    int64  `json:"first"`
		Last     int64  `json:"last"`
	}{TypeHello, unit, ProtocolVersion, first, last})
	return b
}

// Welcome encodes the welcome message.
func Welcome(ack int64) []byte { return fmt.Appendf(nil, `{"type":"welcome","ack":%d}`, ack) }

// Ack encodes the ack message.
func Ack(seq int64) []byte { return fmt.Appendf(nil, `{"type":"ack","seq":%d}`, seq) }

// Gap encodes the gap message: events from..to are lost.
func Gap(from, to int64) []byte {
	return fmt.Appendf(nil, `{"type":"gap","from":%d,"to":%d}`, from, to)
}

// Snapshot encodes a snapshot message around a state's JSON.
func Snapshot(seq int64, state []byte) []byte {
	b := make([]byte, 0, len(state)+48)
	b = fmt.Appendf(b, `{"type":"snapshot","seq":%d,"state":`, seq)
	b = append(b, state...)
	return append(b, '}')
}

// Command encodes a command message.
func Command(id, name string, counter int, reason string) []byte {
	b, _ := json.Marshal(struct {
		Type    string `json:"type"`
		ID      string `json:"id"`
		Name    string `json:"name"`
		Counter int    `json:"counter"`
		Reason  string `json:"reason,omitempty"`
	}{TypeCommand, id, name, counter, reason})
	return b
}

// Result is the answer to a command.
type Result struct {
	Type    string          `json:"type"`
	ID      string          `json:"id"`
	OK      bool            `json:"ok"`
	Ticket  json.RawMessage `json:"ticket,omitempty"`
	Counter json.RawMessage `json:"counter,omitempty"`
	// Catalogue is the catalogue in force after a catalogue.update.
	Catalogue json.RawMessage `json:"catalogue,omitempty"`
	// Appointment is the booking an appointment command left.
	Appointment json.RawMessage `json:"appointment,omitempty"`
	// Config is where a config.apply stands when the unit answers.
	Config *ConfigOutcome `json:"config,omitempty"`
	Error  *ResultError   `json:"error,omitempty"`
}

// decode parses one message and checks the fields its type needs.
func decode(data []byte, allowed ...string) (*Message, error) {
	if len(data) > MaxMessage {
		return nil, fmt.Errorf("%w: message of %d bytes, more than %d", ErrProtocol, len(data), MaxMessage)
	}
	var head struct {
		Type string `json:"type"`
	}
	if err := strictUnmarshal(data, &head); err != nil {
		return nil, err
	}
	if !slices.Contains(allowed, head.Type) {
		return nil, fmt.Errorf("%w: unexpected message type %q", ErrProtocol, clip(head.Type))
	}
	var m Message
	// Each type has its own fields: an event's "counter" is an object, a
	// command's a number; an event's "from" is a place, a gap's a seq.
	var err error
	switch head.Type {
	case TypeEvent:
		var ev Event
		err = strictUnmarshal(data, &ev)
		m.Seq, m.Event, m.At, m.Body = ev.Seq, ev.Name, ev.At, &ev
	case TypeSnapshot:
		var v struct {
			Seq   int64           `json:"seq"`
			State json.RawMessage `json:"state"`
		}
		err = strictUnmarshal(data, &v)
		m.Seq, m.State = v.Seq, v.State
		if err == nil && len(v.State) > 0 && v.State[0] == '{' {
			var st State
			err = strictUnmarshal(v.State, &st)
			st.Seq = v.Seq
			m.Snap = &st
		}
	case TypeGap:
		var v struct {
			From int64 `json:"from"`
			To   int64 `json:"to"`
		}
		err = strictUnmarshal(data, &v)
		m.From, m.To = v.From, v.To
	case TypeCommand:
		// An appointment's "from" and "to" are times, not seqs.
		var v struct {
			ID      string `json:"id"`
			Name    string `json:"name"`
			Counter int    `json:"counter"`
			Reason  string `json:"reason"`
			// Catalogue is catalogue.update's file.
			Catalogue json.RawMessage `json:"catalogue"`
			// Config is config.apply's file.
			Config string `json:"config"`
			Booking
		}
		err = strictUnmarshal(data, &v)
		m.ID, m.Name, m.Counter, m.Reason, m.Catalogue = v.ID, v.Name, v.Counter, v.Reason, v.Catalogue
		m.Config = v.Config
		if v.Name == CmdBook || v.Name == CmdCancel {
			m.Booking = &v.Booking
		}
	case TypeStatus:
		if len(data) > MaxStatus {
			return nil, fmt.Errorf("%w: status message of %d bytes, more than %d", ErrProtocol, len(data), MaxStatus)
		}
		var v UnitStatus
		err = strictUnmarshal(data, &v)
		m.Status = &v
	case TypeResult:
		var v struct {
			ID     string          `json:"id"`
			OK     bool            `json:"ok"`
			Ticket json.RawMessage `json:"ticket"`
			Error  *ResultError    `json:"error"`
		}
		err = strictUnmarshal(data, &v)
		m.ID, m.OK, m.Ticket, m.Error = v.ID, v.OK, v.Ticket, v.Error
	case TypeQuery, TypeAnswer:
		err = decodeQuery(data, &m)
	default:
		err = strictUnmarshal(data, &m)
	}
	if err != nil {
		return nil, err
	}
	m.Type = head.Type
	m.Raw = data
	bad := func(format string, args ...any) (*Message, error) {
		return nil, fmt.Errorf("%w: %s message: %s", ErrProtocol, m.Type, fmt.Sprintf(format, args...))
	}
	switch m.Type {
	case TypeHello:
		switch {
		case m.Protocol != ProtocolVersion:
			return bad("protocol %d, want %d", m.Protocol, ProtocolVersion)
		case !ValidUnit(m.Unit):
			return bad("unit %q is not [a-z0-9-]+", clip(m.Unit))
		case m.First < 0 || m.Last < 0 || m.First > m.Last || (m.First == 0) != (m.Last == 0):
			return bad("first %d and last %d are not a range", m.First, m.Last)
		}
	case TypeWelcome:
		if m.Ack < 0 {
			return bad("ack %d is negative", m.Ack)
		}
	case TypeEvent:
		if err := m.Body.Check(); err != nil {
			return bad("%v", err)
		}
	case TypeSnapshot:
		if m.Seq < 0 || m.Snap == nil {
			return bad("needs seq >= 0 and a state object")
		}
		if err := m.Snap.Check(); err != nil {
			return bad("state: %v", err)
		}
	case TypeAck:
		if m.Seq < 0 {
			return bad("seq %d is negative", m.Seq)
		}
	case TypeGap:
		if m.From <= 0 || m.To < m.From {
			return bad("from %d to %d is not a range", m.From, m.To)
		}
	case TypeCommand:
		switch {
		case m.ID == "" || len(m.ID) > MaxID:
			return bad("needs an id of 1 to %d bytes", MaxID)
		case len(m.Name) > MaxID:
			return bad("name of %d bytes, more than %d", len(m.Name), MaxID)
		case m.Name == CmdConfig:
			if m.Config == "" || len(m.Config) > MaxConfig {
				return bad("config.apply needs a config of 1 to %d bytes", MaxConfig)
			}
		case m.Name == CmdCatalogue:
			if len(m.Catalogue) == 0 || m.Catalogue[0] != '{' {
				return bad("catalogue.update needs a catalogue object")
			}
		case m.Name == CmdBook || m.Name == CmdCancel:
			if m.Booking.Code == "" {
				return bad("%s needs a code", m.Name)
			}
		case m.Name != CmdNext && m.Name != CmdRecall && m.Name != CmdPause:
			// Decoded anyway: the client answers with an error result.
		case m.Counter <= 0:
			return bad("counter %d is not a counter id", m.Counter)
		}
	case TypeStatus:
		if err := m.Status.Check(); err != nil {
			return bad("%v", err)
		}
	case TypeResult:
		if m.ID == "" || len(m.ID) > MaxID {
			return bad("needs an id of 1 to %d bytes", MaxID)
		}
		if !m.OK && m.Error == nil {
			return bad("ok is false but there is no error")
		}
	case TypeQuery, TypeAnswer:
		if err := checkQuery(&m); err != nil {
			return nil, err
		}
	}
	return &m, nil
}

// strictUnmarshal decodes one JSON value, and nothing after it.
func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: not a JSON message of the protocol: %v", ErrProtocol, err)
	}
	if dec.More() {
		return fmt.Errorf("%w: more than one JSON value in a message", ErrProtocol)
	}
	return nil
}

// DecodeServer decodes a message a receiver sends to a unit: welcome, ack,
// command or answer.
func DecodeServer(data []byte) (*Message, error) {
	return decode(data, TypeWelcome, TypeAck, TypeCommand, TypeAnswer)
}

// DecodeClient decodes a message a unit sends to a receiver: hello,
// event, snapshot, gap, result, query or status.
func DecodeClient(data []byte) (*Message, error) {
	return decode(data, TypeHello, TypeEvent, TypeSnapshot, TypeGap, TypeResult, TypeQuery, TypeStatus)
}

// ParseEvent parses and checks a stored event message, as
// [DecodeClient] does when it arrives.
func ParseEvent(data []byte) (*Event, error) {
	m, err := decode(data, TypeEvent)
	if err != nil {
		return nil, err
	}
	return m.Body, nil
}

// ParseState parses and checks a stored snapshot state taken at seq.
func ParseState(data []byte, seq int64) (*State, error) {
	m, err := decode(Snapshot(seq, data), TypeSnapshot)
	if err != nil {
		return nil, err
	}
	return m.Snap, nil
}

// ValidUnit reports whether s can be a unit id: 1 to 64 bytes of
// [a-z0-9-].
func ValidUnit(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// clip shortens what a peer sent before it goes into an error.
func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	n := 40
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
