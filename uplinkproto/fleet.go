package uplinkproto

import (
	"encoding/json"
	"fmt"
	"time"
)

// The fleet: a unit that knows the receiver takes them (the welcome says
// "fleet":true) reports its health in a status message, at connect, on a
// change and every few minutes, so that the province's IT sees every
// unit on one page (docs/fleet.md). A status is not an event: it has no
// seq, is not acknowledged and is not kept by the unit; the newest one
// replaces the one before.

// TypeStatus is the status message (unit → receiver).
const TypeStatus = "status"

// MaxStatus is the largest status message, in bytes: a status is a
// handful of short fields.
const MaxStatus = 4096

// Device health of a status, from the worst device of the kind: the
// levels of the state's devices, or LevelNone when the unit has none of
// that kind.
const (
	LevelOK      = "ok"
	LevelWarning = "warning"
	LevelError   = "error"
	LevelNone    = "none"
)

// Paper states of a status's printers, the worst of them.
const (
	PaperOK      = "ok"
	PaperLow     = "low"
	PaperOut     = "out"
	PaperUnknown = "unknown" // the printer does not answer or cannot say
	PaperNone    = "none"    // no printer
)

// UnitStatus is a unit's health as the status message carries it. It
// holds nothing personal: counts, levels and the software's version.
type UnitStatus struct {
	Type string `json:"type"` // "status"
	// At is the unit's time when it made the status (RFC 3339); its
	// clock may be wrong, see ClockSynced.
	At      string `json:"at"`
	Version string `json:"version"`
	// Queue is the number of tickets waiting, all services together.
	Queue int `json:"queue"`
	// Printer is the level of the worst printer, Paper its paper.
	Printer string `json:"printer"`
	Paper   string `json:"paper"`
	// Scanner and Displays are the levels of the worst scanner and the
	// worst counter display.
	Scanner  string `json:"scanner"`
	Displays string `json:"displays"`
	// DiskFree is the free space of the data directory's file system,
	// in bytes.
	DiskFree int64 `json:"disk_free"`
	// ClockSynced is whether the unit trusts its date (NTP synchronised
	// or a battery clock): an unsynced unit does not start a new day.
	ClockSynced bool `json:"clock_synced"`
	// Config is the outcome of the newest config.apply since the unit
	// started (zero: none).
	Config ConfigOutcome `json:"config,omitzero"`
}

// CmdConfig is the command that sends a unit a new configuration file:
// its "config" field is the TOML text, at most MaxConfig bytes
// (docs/fleet.md).
const CmdConfig = "config.apply"

// MaxConfig is the largest configuration file config.apply carries.
const MaxConfig = 256 << 10

// States of a config.apply.
const (
	ConfigApplying   = "applying"    // checked, written and in force; waiting to be healthy
	ConfigApplied    = "applied"     // healthy within the wait: kept
	ConfigRejected   = "rejected"    // refused by the check (Reason: its problems), nothing changed
	ConfigRolledBack = "rolled_back" // not healthy in time, or failed to apply: the previous file is back
)

// ConfigOutcome is what became of a config.apply command.
type ConfigOutcome struct {
	ID     string `json:"id"` // the command's id
	State  string `json:"state"`
	Reason string `json:"reason,omitempty"`
	At     string `json:"at"` // the unit's time of the state (RFC 3339)
}

// MaxQueue bounds a status's queue length: far more than any office.
const MaxQueue = 1 << 20

// Check reports the first problem of a status, or nil.
func (s *UnitStatus) Check() error {
	var c checker
	if _, err := time.Parse(time.RFC3339Nano, s.At); err != nil {
		c.fail("at %q is not an RFC 3339 time", clip(s.At))
	}
	c.str("version", s.Version, MaxID, false)
	if s.Queue < 0 || s.Queue > MaxQueue {
		c.fail("queue %d is not a count up to %d", s.Queue, MaxQueue)
	}
	if s.DiskFree < 0 {
		c.fail("disk_free %d is negative", s.DiskFree)
	}
	c.oneOf("paper", s.Paper, PaperOK, PaperLow, PaperOut, PaperUnknown, PaperNone)
	for _, l := range []struct{ what, v string }{{"printer", s.Printer}, {"scanner", s.Scanner}, {"displays", s.Displays}} {
		c.oneOf(l.what, l.v, LevelOK, LevelWarning, LevelError, LevelNone)
	}
	if s.Config != (ConfigOutcome{}) {
		c.str("config id", s.Config.ID, MaxID, true)
		c.oneOf("config state", s.Config.State, ConfigApplying, ConfigApplied, ConfigRejected, ConfigRolledBack)
		c.str("config reason", s.Config.Reason, MaxText, false)
		if _, err := time.Parse(time.RFC3339Nano, s.Config.At); err != nil {
			c.fail("config at %q is not an RFC 3339 time", clip(s.Config.At))
		}
	}
	return c.err
}

func (c *checker) oneOf(what, v string, allowed ...string) {
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	c.fail("%s %q is not one of %v", what, clip(v), allowed)
}

// Status encodes a status message; its Type is set here.
func Status(s UnitStatus) []byte {
	s.Type = TypeStatus
	b, _ := json.Marshal(s)
	return b
}

// WelcomeFleet encodes the welcome of a receiver that takes status
// messages and config.apply results: {"type":"welcome","ack":A,
// "fleet":true}. A unit sends status messages only after such a
// welcome, so that it never sends one to a receiver that would take it
// for a protocol error.
func WelcomeFleet(ack int64) []byte {
	return fmt.Appendf(nil, `{"type":"welcome","ack":%d,"fleet":true}`, ack)
}

// ConfigCommand encodes a config.apply command.
func ConfigCommand(id, toml string) []byte {
	b, _ := json.Marshal(struct {
		Type   string `json:"type"`
		ID     string `json:"id"`
		Name   string `json:"name"`
		Config string `json:"config"`
	}{TypeCommand, id, CmdConfig, toml})
	return b
}
