package unit

import (
	"context"
	"errors"
	"io"

	"motcua/devices/scanner"
	"motcua/kiosk/config"
	"motcua/kiosk/scan"
)

// ScanHandler takes what the unit's barcode scanners read: the domain's
// check-in at the kiosk, dossier link at a counter. Scan is called from the
// scanner's own goroutine, one scan at a time per scanner, with the text
// decoded as UTF-8 and without its suffix; it must not block for long. The
// text may be personal data (an ID card's QR): do not log it.
type ScanHandler interface {
	Scan(ctx context.Context, place scan.Place, text string)
}

// ErrNoSimScanner is returned by [Unit.SimScan] for a place without a
// simulated scanner.
var ErrNoSimScanner = errors.New(`unit: no simulated scanner there; add a [[scanner]] with address = "sim" and that place or counter`)

// openScanners opens the [[scanner]]s. Each reports its status as the
// device "scanner kiosk" or "scanner counter N" and is reopened by its
// driver when it comes back after an unplug.
func (r *devices) openScanners() error {
	for _, sc := range r.cfg.Scanners {
		place := scan.Place{Counter: sc.Counter, Kiosk: sc.Kiosk}
		name := "scanner " + place.String()
		kind := scanner.Kind(sc.Endpoint.Scheme)
		var open func(context.Context) (io.ReadCloser, error)
		if kind == scanner.KindSim {
			sim := scanner.NewSim()
			r.sims[place] = sim
			open = func(context.Context) (io.ReadCloser, error) { return sim, nil }
		} else {
			path, o := sc.Endpoint.Path, scanner.Options{Baud: sc.Baud}
			open = func(context.Context) (io.ReadCloser, error) { return scanner.Open(kind, path, o) }
		}
		dev, err := scanner.New(scanner.Config{
			Name: sc.Address, Kind: kind, Open: open,
			Ends: sc.Ends(), TimeoutOnly: sc.Suffix == config.SuffixNone, Timeout: sc.Timeout.D(),
			OnScan: func(s scanner.Scan) { r.scanned(place, s) },
			OnStatus: func(st scanner.Status) {
				detail := st.Detail
				if st.DetailEN != "" {
					detail += " (" + st.DetailEN + ")"
				}
				r.deviceOf(place.Kiosk, name, string(st.Level), detail)
			},
			Logger: r.log,
		})
		if err != nil {
			return err
		}
		st := dev.Status()
		r.deviceOf(place.Kiosk, name, string(st.Level), st.Detail+" ("+st.DetailEN+")")
		r.loops = append(r.loops, dev.Run)
		r.halts = append(r.halts, dev.Halt)
	}
	return nil
}

// scanned hands a scan to the unit's handler.
func (r *devices) scanned(place scan.Place, s scanner.Scan) {
	r.scans.Scan(r.ctx, place, s.Text)
}

// SimScan scans text with the simulated scanner at place, as if a code had
// been scanned there: it goes through the scanner's framing to the
// [ScanHandler]. It fails with [ErrNoSimScanner] when the configuration in
// force has no [[scanner]] address = "sim" at place.
func (u *Unit) SimScan(place scan.Place, text string) error {
	d := u.devs.Load()
	if d == nil || d.sims[place] == nil {
		return ErrNoSimScanner
	}
	return d.sims[place].Feed(text)
}
