package satellite

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
)

// Setup is a satellite as the flags of `motcua satellite` describe it:
// the main daemon, its kiosk token, its own devices and what its tickets
// print.
type Setup struct {
	Server    string // the main daemon's URL
	TokenFile string // holds the kiosk token; white space around it is trimmed
	// Devices are the satellite's own; Devices.DataDir is also where the
	// satellite keeps what it printed (made when missing).
	Devices           DeviceConfig
	Footer, PublicURL string
	// Listen is where the main daemon's pages are served to the
	// satellite's screen ([Satellite.Pages]); "" for nowhere.
	Listen string
	Logger *slog.Logger
}

// Run reads the token, makes the data directory, opens the devices and
// runs the satellite with them, and its pages on Listen, until ctx ends or
// the satellite meets an error retrying cannot mend; then the devices are
// halted. ready, if not nil, is called once everything is open, before the
// satellite first reaches the main daemon, with the pages' address (nil
// without Listen).
func (s Setup) Run(ctx context.Context, ready func(pages net.Addr)) error {
	b, err := os.ReadFile(s.TokenFile)
	if err != nil {
		return fmt.Errorf("satellite: -token-file: %w", err)
	}
	if err := os.MkdirAll(s.Devices.DataDir, 0o750); err != nil {
		return fmt.Errorf("satellite: -data: %w", err)
	}
	devs, err := OpenDevices(s.Devices, s.Logger, nil)
	if err != nil {
		return err
	}
	sat, err := New(Options{
		Server: s.Server, Token: strings.TrimSpace(string(b)), DataDir: s.Devices.DataDir,
		Printer: devs.Printer(), Layout: devs.Layout(), Footer: s.Footer, PublicURL: s.PublicURL,
		Logger: s.Logger, OnOnline: devs.OnOnline,
	})
	if err != nil {
		devs.Halt()
		return err
	}
	devs.Attach(sat)
	var ln net.Listener
	if s.Listen != "" {
		if ln, err = net.Listen("tcp", s.Listen); err != nil {
			devs.Halt()
			return fmt.Errorf("satellite: -listen: %w", err)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	devDone, pagesDone := make(chan error, 1), make(chan error, 1)
	go func() { devDone <- devs.Run(ctx) }()
	var pages net.Addr
	if ln != nil {
		pages = ln.Addr()
		go func() { pagesDone <- sat.ServePages(ctx, ln) }()
	} else {
		pagesDone <- nil
	}
	if ready != nil {
		ready(pages)
	}
	err = sat.Run(ctx)
	cancel()
	return errors.Join(err, <-devDone, <-pagesDone)
}
