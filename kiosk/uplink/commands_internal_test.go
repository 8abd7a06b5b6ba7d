package uplink

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"motcua/clock"
	"motcua/kiosk"
	"motcua/kiosk/config"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/queue"
	"motcua/uplinkproto"
)

// TestAppointmentCommands runs appointment.book and appointment.cancel
// as they arrive on the wire: decoded, run through the room, answered.
func TestAppointmentCommands(t *testing.T) {
	cfg := config.Demo()
	cfg.Server.DataDir = t.TempDir()
	log, err := eventlog.Open(cfg.Server.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	room, err := kiosk.OpenRoom(context.Background(), cfg, log, clock.Trusted{})
	if err != nil {
		t.Fatal(err)
	}
	c := New(log, room, Options{URL: "ws://127.0.0.1:1/", Unit: cfg.Unit.ID})
	tomorrow := time.Now().In(cfg.Location).AddDate(0, 0, 1).Format(time.DateOnly)
	bookCmd := func(id, from string) string {
		return fmt.Sprintf(`{"type":"command","id":%q,"name":"appointment.book","code":"hn-7","service":"dat-dai","date":%q,"from":%q,"to":"08:30","citizen":"k1","dossier":""}`, id, tomorrow, from)
	}
	tests := []struct {
		name, msg string
		ok        bool
		code      string
		status    queue.AppointmentStatus
		events    int // appointment events in the log after the command
	}{
		{"book", bookCmd("c1", "08:00"), true, "", queue.Booked, 1},
		{"same id again is not run again", bookCmd("c1", "08:00"), true, "", queue.Booked, 1},
		{"same booking, new id", bookCmd("c2", "08:00"), true, "", queue.Booked, 1},
		{"same code, other content", bookCmd("c3", "08:10"), false, "duplicate", "", 1},
		{"cancel", `{"type":"command","id":"c4","name":"appointment.cancel","code":"HN-7"}`, true, "", queue.Cancelled, 2},
		{"cancel again", `{"type":"command","id":"c5","name":"appointment.cancel","code":"HN-7"}`, true, "", queue.Cancelled, 2},
		{"cancel unknown", `{"type":"command","id":"c6","name":"appointment.cancel","code":"X"}`, false, "unknown_appointment", "", 2},
		{"bad booking", `{"type":"command","id":"c7","name":"appointment.book","code":"Y","service":"dat-dai","date":"soon","from":"08:00","to":"08:30"}`, false, "bad_appointment", "", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := uplinkproto.DecodeServer([]byte(tt.msg))
			if err != nil {
				t.Fatal(err)
			}
			var res struct {
				OK          bool                     `json:"ok"`
				Appointment *queue.Appointment       `json:"appointment"`
				Error       *uplinkproto.ResultError `json:"error"`
			}
			raw := c.command(m)
			if err := json.Unmarshal(raw, &res); err != nil {
				t.Fatal(err)
			}
			if res.OK != tt.ok || (res.Error != nil) == tt.ok || (res.Error != nil && res.Error.Code != tt.code) {
				t.Fatalf("got %s, want ok %v code %q", raw, tt.ok, tt.code)
			}
			if tt.ok && (res.Appointment == nil || res.Appointment.Status != tt.status || res.Appointment.Code != "HN-7" || res.Appointment.Citizen != "") {
				t.Errorf("got %s, want appointment HN-7 %s without the citizen key", raw, tt.status)
			}
			n := 0
			if _, err := log.Since(context.Background(), 0, 0, func(r eventlog.Record) error {
				var ev queue.Event
				json.Unmarshal(r.Data, &ev)
				if ev.Appointment != nil {
					n++
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if n != tt.events {
				t.Errorf("appointment events: got %d, want %d", n, tt.events)
			}
		})
	}
}
