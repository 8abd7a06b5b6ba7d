package unit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"syscall"
	"time"

	"motcua/devices/printer"
	"motcua/kiosk"
	"motcua/kiosk/queue"
	"motcua/uplinkproto"
)

// fleetStatus makes the unit's status for the receiver's fleet page
// (docs/fleet.md): the version, the tickets waiting, the worst printer,
// scanner and display, the data directory's free space and whether the
// clock is trusted. Nothing personal goes into it.
func (u *Unit) fleetStatus(ctx context.Context) (uplinkproto.UnitStatus, error) {
	st, err := kiosk.View(u.d.Room, (*queue.Engine).State)
	if err != nil {
		return uplinkproto.UnitStatus{}, err
	}
	s := uplinkproto.UnitStatus{
		At:          u.clock.Now().Format(time.RFC3339),
		Version:     u.version,
		Printer:     uplinkproto.LevelNone,
		Paper:       uplinkproto.PaperNone,
		Scanner:     worstDevice(st.Devices, "scanner "),
		Displays:    worstDevice(st.Devices, "display "),
		ClockSynced: u.clock.Synced(),
	}
	if u.remote != nil {
		s.Config = u.remote.Outcome()
	}
	for _, sv := range st.Services {
		s.Queue += len(sv.Waiting)
	}
	for _, k := range st.Counters {
		s.Queue += len(k.Waiting)
	}
	if devs := u.devs.Load(); devs != nil {
		// The worst of the kiosks' printers, paper and level each.
		for _, k := range devs.kiosks {
			if k.printer == nil {
				continue
			}
			ps := k.printer.Status()
			s.Printer = worse(s.Printer, string(ps.Level))
			if p := paperOf(ps.Code); paperRank[p] > paperRank[s.Paper] {
				s.Paper = p
			}
		}
	}
	dir := u.d.Room.Config().Server.DataDir
	var fs syscall.Statfs_t
	if err := syscall.Statfs(dir, &fs); err != nil {
		return uplinkproto.UnitStatus{}, fmt.Errorf("unit: free space of %s: %w", dir, err)
	}
	s.DiskFree = int64(fs.Bavail) * int64(fs.Bsize)
	return s, nil
}

// Healthy returns nil when the unit works with the configuration in
// force, else what does not: a printer that did not open (unplugged, not
// answering, still starting) or an uplink that is not connected. It is
// what a remote configuration must reach within its wait to be kept
// (package motcua/kiosk/remoteconfig).
func (u *Unit) Healthy() error {
	var bad []string
	if devs := u.devs.Load(); devs != nil {
		for id, k := range devs.kiosks {
			if k.printer == nil {
				continue
			}
			switch ps := k.printer.Status(); ps.Code {
			case printer.CodeUnplugged, printer.CodeNoAnswer, printer.CodeStarting:
				bad = append(bad, printerName(id)+": "+ps.DetailEN)
			}
		}
	} else {
		bad = append(bad, "the devices are not open")
	}
	if up := u.d.Room.Config().Uplink; up != nil && up.URL != "" {
		if c := u.up.cur.Load(); c == nil || !c.Connected() {
			bad = append(bad, "the uplink is not connected")
		}
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		return errors.New(strings.Join(bad, "; "))
	}
	return nil
}

// paperOf is the paper of a printer status code: known only when the
// printer answers and says.
func paperOf(code string) string {
	switch code {
	case printer.CodeOK:
		return uplinkproto.PaperOK
	case printer.CodePaperLow:
		return uplinkproto.PaperLow
	case printer.CodePaperOut:
		return uplinkproto.PaperOut
	}
	return uplinkproto.PaperUnknown
}

// paperRank orders the paper states from best to worst.
var paperRank = map[string]int{uplinkproto.PaperNone: 0, uplinkproto.PaperOK: 1, uplinkproto.PaperLow: 2, uplinkproto.PaperUnknown: 3, uplinkproto.PaperOut: 4}

// levelRank orders the device levels from best to worst.
var levelRank = map[string]int{uplinkproto.LevelNone: 0, uplinkproto.LevelOK: 1, uplinkproto.LevelWarning: 2, uplinkproto.LevelError: 3}

// worse is the worse of two levels; a level this version does not know
// counts as a warning.
func worse(a, b string) string {
	if _, ok := levelRank[b]; !ok || b == uplinkproto.LevelNone {
		b = uplinkproto.LevelWarning
	}
	if levelRank[b] > levelRank[a] {
		return b
	}
	return a
}

// worstDevice is the worst level of the devices whose name starts with
// prefix, or none.
func worstDevice(devs []queue.Device, prefix string) string {
	worst := uplinkproto.LevelNone
	for _, d := range devs {
		if strings.HasPrefix(d.Name, prefix) {
			worst = worse(worst, d.Status)
		}
	}
	return worst
}
