package doctor_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"motcua/devices/modbus/modbustest"
	"motcua/internal/doctor"
	"motcua/kiosk/config"
)

// TestRS485OverPTY probes a display that answers, a keypad that answers
// with an exception (it is on the bus) and one that is not there, through
// the Modbus slave emulator on a pseudo-terminal.
func TestRS485OverPTY(t *testing.T) {
	master, slave, err := modbustest.Pair()
	if err != nil {
		t.Fatal(err)
	}
	defer slave.Close()
	srv := modbustest.NewServer(master, 0)
	srv.Add(1).SetHolding(0, 42)
	srv.Add(12).SetException(2)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	defer func() {
		cancel()
		<-done
		master.Close()
	}()

	cfg := &config.Config{
		RS485: &config.RS485{Port: slave.Name(), Baud: 9600, Parity: "none", Timeout: config.Duration(300 * time.Millisecond),
			Endpoint: config.Endpoint{Scheme: "serial", Path: slave.Name()}},
		Displays: []config.Display{{Counter: 1, Driver: config.DriverModbus7Seg, Slave: 1}},
		Keypads: []config.Keypad{
			{Counter: 1, Kind: config.KeypadCall, Slave: 11},
			{Counter: 2, Kind: config.KeypadRating, Slave: 12},
		},
	}
	rs := doctor.CheckRS485(context.Background(), cfg, 5*time.Second)
	want := []struct {
		check string
		level doctor.Level
		en    string
	}{
		{"rs485", doctor.LevelOK, "opens (9600 baud)"},
		{"display of counter 1 slave 1", doctor.LevelOK, "answers"},
		{"call keypad of counter 1 slave 11", doctor.LevelFail, "does not answer: check the A/B wires"},
		{"rating keypad of counter 2 slave 12", doctor.LevelOK, "answers"},
	}
	if len(rs) != len(want) {
		t.Fatalf("got %d results %+v, want %d", len(rs), rs, len(want))
	}
	for i, w := range want {
		if rs[i].Check != w.check || rs[i].Level != w.level || !strings.Contains(rs[i].EN, w.en) {
			t.Errorf("result %d: got %s %s %q, want %s %s containing %q", i, rs[i].Check, rs[i].Level, rs[i].EN, w.check, w.level, w.en)
		}
	}
}

func TestRS485PortMissing(t *testing.T) {
	cfg := &config.Config{RS485: &config.RS485{Baud: 9600, Endpoint: config.Endpoint{Scheme: "serial", Path: t.TempDir() + "/ttyUSB7"}}}
	rs := doctor.CheckRS485(context.Background(), cfg, time.Second)
	if len(rs) != 1 || rs[0].Level != doctor.LevelFail || !strings.Contains(rs[0].EN, "Cannot open the RS-485 port") {
		t.Errorf("got %+v, want one failure", rs)
	}
}
