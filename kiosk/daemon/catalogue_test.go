package daemon_test

import (
	"context"
	"net"
	"slices"
	"testing"

	"motcua/clock"
	"motcua/kiosk/catalogue"
	"motcua/kiosk/config"
	"motcua/kiosk/daemon"
)

// TestReloadReadsCatalogue: a catalogue imported into the data directory
// while the daemon runs ("motcua catalogue import") is in force after a
// reload, and the reload's services are those imports are checked against.
func TestReloadReadsCatalogue(t *testing.T) {
	cfg := config.Demo()
	cfg.Server.DataDir = t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d, err := daemon.New(context.Background(), daemon.Options{Config: cfg, Clock: clock.Trusted{}, Listener: ln})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if n := d.Catalogue.Current().Len(); n != 0 {
		t.Fatalf("a new data directory has %d procedures", n)
	}
	// What the command does, beside the running daemon.
	other, err := catalogue.Open(cfg.Server.DataDir, cfg.ServiceIDs(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Import(catalogue.DemoJSON); err != nil {
		t.Fatal(err)
	}
	next := config.Demo()
	next.Server.DataDir = cfg.Server.DataDir
	next.Services = slices.DeleteFunc(next.Services, func(s config.Service) bool { return s.ID == "kinh-doanh" })
	for i := range next.Counters {
		next.Counters[i].Services = slices.DeleteFunc(next.Counters[i].Services, func(s string) bool { return s == "kinh-doanh" })
	}
	if err := next.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := d.Reload(next); err != nil {
		t.Fatal(err)
	}
	if x := d.Catalogue.Current(); x.Version() != "demo-2026-12" || x.Len() != 31 {
		t.Errorf("after the reload: version %q, %d procedures", x.Version(), x.Len())
	}
	// The demo catalogue names kinh-doanh, which the reload removed.
	if _, err := d.Catalogue.Import(catalogue.DemoJSON); err == nil {
		t.Error("an import naming a service the reload removed was taken")
	}
}
