package uplinkproto

import (
	"errors"
	"strings"
	"testing"
)

func TestStatus(t *testing.T) {
	good := UnitStatus{At: "2026-11-26T08:01:02+07:00", Version: "1.4.0", Queue: 3, Printer: LevelError, Paper: PaperOut,
		Scanner: LevelNone, Displays: LevelOK, DiskFree: 1 << 30, ClockSynced: true}
	m, err := DecodeClient(Status(good))
	if err != nil {
		t.Fatal(err)
	}
	if m.Type != TypeStatus || m.Status == nil {
		t.Fatalf("got %+v, want a status", m)
	}
	got := *m.Status
	got.Type = ""
	if got != good {
		t.Errorf("got %+v, want %+v", got, good)
	}
	if _, err := DecodeServer(Status(good)); err == nil {
		t.Error("a unit's status was taken as a receiver's message")
	}

	tests := []struct {
		name string
		mod  func(*UnitStatus)
		want string
	}{
		{"bad time", func(s *UnitStatus) { s.At = "yesterday" }, "RFC 3339"},
		{"negative queue", func(s *UnitStatus) { s.Queue = -1 }, "queue"},
		{"huge queue", func(s *UnitStatus) { s.Queue = MaxQueue + 1 }, "queue"},
		{"negative disk", func(s *UnitStatus) { s.DiskFree = -5 }, "disk_free"},
		{"paper", func(s *UnitStatus) { s.Paper = "wet" }, "paper"},
		{"printer level", func(s *UnitStatus) { s.Printer = "" }, "printer"},
		{"scanner level", func(s *UnitStatus) { s.Scanner = "broken" }, "scanner"},
		{"displays level", func(s *UnitStatus) { s.Displays = "OK" }, "displays"},
		{"long version", func(s *UnitStatus) { s.Version = strings.Repeat("v", MaxID+1) }, "version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := good
			tt.mod(&s)
			_, err := DecodeClient(Status(s))
			if !errors.Is(err, ErrProtocol) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want a protocol error about %s", err, tt.want)
			}
		})
	}
	big := `{"type":"status","version":"` + strings.Repeat(" ", MaxStatus) + `"}`
	if _, err := DecodeClient([]byte(big)); !errors.Is(err, ErrProtocol) || !strings.Contains(err.Error(), "more than") {
		t.Errorf("status of %d bytes: got %v, want refused for its size", len(big), err)
	}
}

func TestWelcomeFleet(t *testing.T) {
	m, err := DecodeServer(WelcomeFleet(7))
	if err != nil {
		t.Fatal(err)
	}
	if m.Type != TypeWelcome || m.Ack != 7 || !m.Fleet {
		t.Errorf("got %+v, want welcome ack 7 fleet", m)
	}
	if m, err := DecodeServer(Welcome(7)); err != nil || m.Fleet {
		t.Errorf("plain welcome: got %+v, %v; want no fleet", m, err)
	}
}

func TestConfigCommand(t *testing.T) {
	m, err := DecodeServer(ConfigCommand("c-1", "[unit]\nid = \"x\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Type != TypeCommand || m.Name != CmdConfig || m.Config != "[unit]\nid = \"x\"\n" || m.ID != "c-1" {
		t.Fatalf("got %+v", m)
	}
	for _, toml := range []string{"", strings.Repeat("#", MaxConfig+1)} {
		if _, err := DecodeServer(ConfigCommand("c-2", toml)); !errors.Is(err, ErrProtocol) {
			t.Errorf("config of %d bytes: got %v, want a protocol error", len(toml), err)
		}
	}
	st := UnitStatus{At: "2026-11-26T08:01:02+07:00", Printer: LevelNone, Paper: PaperNone, Scanner: LevelNone, Displays: LevelNone,
		Config: ConfigOutcome{ID: "c-1", State: ConfigRolledBack, Reason: "printer: not connected", At: "2026-11-26T08:02:02+07:00"}}
	m, err = DecodeClient(Status(st))
	if err != nil || m.Status.Config != st.Config {
		t.Fatalf("status with a config outcome: got %+v, %v", m, err)
	}
	st.Config.State = "done"
	if _, err := DecodeClient(Status(st)); !errors.Is(err, ErrProtocol) {
		t.Errorf("config state done: got %v, want a protocol error", err)
	}
	st.Config = ConfigOutcome{}
	if b := Status(st); strings.Contains(string(b), `"config"`) {
		t.Errorf("no outcome: got %s, want no config field", b)
	}
}
