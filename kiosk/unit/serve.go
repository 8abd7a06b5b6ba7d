package unit

import (
	"context"
	"errors"
	"os"

	"motcua/kiosk/config"
)

// Serve runs u, as [Unit.Run] does, until ctx ends, and puts a new
// configuration in force each time reloads delivers (SIGHUP, which main
// relays): load reads it again. One that cannot be read or that the unit
// refuses leaves the old one in force; that and devices of the new one
// that fail are logged and shown in systemd's status, and the unit
// serves on.
func (u *Unit) Serve(ctx context.Context, reloads <-chan os.Signal, load func() (*config.Config, error)) error {
	ran := make(chan error, 1)
	go func() { ran <- u.Run(ctx) }()
	for {
		select {
		case err := <-ran:
			return err
		case <-reloads:
			next, err := load()
			read := err == nil
			if read {
				err = u.Reload(next)
			}
			switch {
			case errors.Is(err, ErrDevices):
				u.log.Error("devices of the new configuration failed; running without them", "err", err)
			case err != nil:
				u.log.Error("configuration reload refused; the old configuration stays", "err", err)
				if !read { // Reload tells systemd of its refusals
					u.sd.Status("reload refused: " + err.Error())
				}
			}
		}
	}
}
