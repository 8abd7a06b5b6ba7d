package daemon

import "motcua/kiosk/connlimit"

// ConnStats is what the daemon's connection limiter holds, for the tests.
func ConnStats(d *Daemon) connlimit.Stats { return d.conns.Stats() }
