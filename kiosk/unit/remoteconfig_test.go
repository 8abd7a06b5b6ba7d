package unit

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"motcua/clock"
	"motcua/devices/printer/printertest"
	"motcua/kiosk/config"
	"motcua/kiosk/remoteconfig"
	"motcua/uplinkproto"
)

// TestRemoteConfig applies configurations sent by the receiver to a
// running unit with an emulated printer: one that fails the check is
// refused and changes nothing; one that passes the check but names a
// printer that is not there is put in force, found not healthy within
// the 60 s (on a fake clock) and rolled back to the file before, which
// prints again; a good one is applied and kept.
func TestRemoteConfig(t *testing.T) {
	emu := printertest.New()
	pty, err := printertest.StartPTY(emu)
	if err != nil {
		t.Fatal(err)
	}
	defer pty.Close()
	dir := t.TempDir()
	link := filepath.Join(dir, "motcua-printer")
	if err := os.Symlink(pty.Path(), link); err != nil {
		t.Fatal(err)
	}
	file := func(service, printer string) []byte {
		return []byte(strings.Replace(simTOML(dir), `name = "Đất đai"`, fmt.Sprintf("name = %q", service), 1) +
			fmt.Sprintf("[printer]\naddress = \"serial:%s\"\n", printer))
	}
	path := filepath.Join(dir, "motcua.toml")
	first := file("Đất đai", link)
	if err := os.WriteFile(path, first, 0o640); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.LoadRun(path)
	if err != nil {
		t.Fatal(err)
	}
	clk := clockwork.NewFakeClock()
	outcomes := make(chan uplinkproto.ConfigOutcome, 16)
	m := remoteconfig.New(remoteconfig.Options{Path: path, Check: Check, Clock: clk, Notify: func(o uplinkproto.ConfigOutcome) { outcomes <- o }})
	u, err := New(context.Background(), cfg, Options{Clock: clock.Trusted{}, Remote: m})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 2)
	go func() { done <- u.Run(ctx) }()
	go func() { done <- m.Run(ctx, u) }()
	defer func() {
		cancel()
		for range 2 {
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		}
	}()
	// healthy waits until the unit's printer is open: eventually, since
	// a printer that opens again after a reload makes no event.
	healthy := func() {
		t.Helper()
		eventually(t, "the unit to be healthy", func() bool { return u.Healthy() == nil })
	}
	next := func(want string) uplinkproto.ConfigOutcome {
		t.Helper()
		select {
		case o := <-outcomes:
			if o.State != want {
				t.Fatalf("got outcome %+v, want %s", o, want)
			}
			return o
		case <-time.After(30 * time.Second):
			t.Fatalf("no outcome; want %s", want)
		}
		return uplinkproto.ConfigOutcome{}
	}
	service := func() string {
		st := u.d.Room.Config()
		return st.Services[0].Name
	}
	healthy()

	// Fails the check: refused with the check's line, nothing changes.
	bad := append(file("Đất đai mới", link), "[unknown_section]\nx = 1\n"...)
	err = m.Apply("cmd-bad", bad)
	if !errors.Is(err, remoteconfig.ErrRejected) || !strings.Contains(err.Error(), path+":") || !strings.Contains(err.Error(), "unknown_section") {
		t.Fatalf("bad file: got %v, want refused with FILE:LINE problems", err)
	}
	if o := next(uplinkproto.ConfigRejected); o.ID != "cmd-bad" || !strings.Contains(o.Reason, "unknown_section") {
		t.Errorf("rejected outcome: %+v", o)
	}
	if got, _ := os.ReadFile(path); string(got) != string(first) {
		t.Error("the refused file changed the configuration file")
	}
	if _, err := os.Stat(path + ".prev"); !os.IsNotExist(err) {
		t.Errorf("a refused file left %s.prev: %v", path, err)
	}
	if got := service(); got != "Đất đai" {
		t.Errorf("after the refused file: service %q, want the first configuration's", got)
	}

	// Passes the check, but its printer is not there: rolled back after
	// 60 s.
	broken := file("Đất đai hỏng", "/dev/motcua-no-such-printer")
	if err := m.Apply("cmd-broken", broken); err != nil {
		t.Fatal(err)
	}
	next(uplinkproto.ConfigApplying)
	ctxW, cancelW := context.WithTimeout(ctx, 60*time.Second)
	defer cancelW()
	for range 30 { // 30 health checks 2 s apart
		if err := clk.BlockUntilContext(ctxW, 1); err != nil {
			t.Fatal(err)
		}
		if got := service(); got != "Đất đai hỏng" {
			t.Fatalf("while watched: service %q, want the new file in force", got)
		}
		if got, _ := os.ReadFile(path); string(got) != string(broken) {
			t.Fatal("while watched: the configuration file is not the new one")
		}
		clk.Advance(2 * time.Second)
	}
	o := next(uplinkproto.ConfigRolledBack)
	if o.ID != "cmd-broken" || !strings.Contains(o.Reason, "not healthy 1m0s") || !strings.Contains(o.Reason, "printer") {
		t.Errorf("rolled back outcome: %+v", o)
	}
	if got, _ := os.ReadFile(path); string(got) != string(first) {
		t.Errorf("after the rollback the file is\n%s\nwant the first", got)
	}
	if got, _ := os.ReadFile(path + ".prev"); string(got) != string(first) {
		t.Error("the previous file was not kept as .prev")
	}
	if got := service(); got != "Đất đai" {
		t.Errorf("after the rollback: service %q, want the first configuration's", got)
	}
	healthy()

	// A good one: applied once healthy, and kept.
	good := file("Đất đai (mới)", link)
	if err := m.Apply("cmd-good", good); err != nil {
		t.Fatal(err)
	}
	next(uplinkproto.ConfigApplying)
	// Each time the manager waits for its next check, let the printer
	// open, then move the clock to the check.
	for applied := false; !applied; {
		blocked := make(chan error, 1)
		go func() { blocked <- clk.BlockUntilContext(ctxW, 1) }()
		select {
		case o := <-outcomes:
			if o.State != uplinkproto.ConfigApplied || o.ID != "cmd-good" {
				t.Fatalf("got outcome %+v, want cmd-good applied", o)
			}
			applied = true
		case err := <-blocked:
			if err != nil {
				t.Fatal(err)
			}
			healthy()
			clk.Advance(2 * time.Second)
		}
	}
	if got, _ := os.ReadFile(path); string(got) != string(good) {
		t.Error("the applied file is not the configuration file")
	}
	if got := service(); got != "Đất đai (mới)" {
		t.Errorf("applied: service %q", got)
	}
	if st, err := u.fleetStatus(ctx); err != nil || st.Config.ID != "cmd-good" || st.Config.State != uplinkproto.ConfigApplied {
		t.Errorf("the unit's status: %+v %v, want the applied outcome", st.Config, err)
	}
}
