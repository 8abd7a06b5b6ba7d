package unit

import (
	"context"
	"testing"

	"motcua/devices/printer/printertest"
	"motcua/uplinkproto"
)

// The unit's status for the fleet page follows its devices on emulated
// hardware: the printer's paper, the scanner, the display, the queue.
func TestFleetStatus(t *testing.T) {
	r := startRig(t, "2s")
	status := func() uplinkproto.UnitStatus {
		t.Helper()
		s, err := r.u.fleetStatus(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Check(); err != nil {
			t.Fatalf("the unit's status does not check: %v", err)
		}
		return s
	}
	r.changes.wait(t, "the devices to be ok", func() bool {
		s := status()
		return s.Paper == uplinkproto.PaperOK && s.Scanner == uplinkproto.LevelOK && s.Displays == uplinkproto.LevelOK
	})
	r.issueHTTP(t)
	r.issueHTTP(t)
	s := status()
	if s.Queue != 2 || s.Printer != uplinkproto.LevelOK || !s.ClockSynced || s.DiskFree <= 0 {
		t.Errorf("got %+v, want 2 waiting, the printer ok, the clock synced and some disk free", s)
	}
	r.printer.SetPaper(printertest.PaperLow)
	r.changes.wait(t, "the paper low", func() bool { return status().Paper == uplinkproto.PaperLow })
	r.printer.SetPaper(printertest.PaperOut)
	r.changes.wait(t, "the paper out", func() bool { return status().Paper == uplinkproto.PaperOut })
	if s := status(); s.Printer != uplinkproto.LevelError {
		t.Errorf("paper out: printer %q, want error", s.Printer)
	}
	r.unplug(t)
	r.changes.wait(t, "the paper unknown once unplugged", func() bool { return status().Paper == uplinkproto.PaperUnknown })
}
