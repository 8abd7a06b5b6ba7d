package config

import (
	"fmt"
	"net"
)

// validateServerLimits checks the [server] keys that hold the daemon
// under attack: counter action limits, connections per address, allowed
// Host names and the day's log alarm.
func (c *Config) validateServerLimits(d *decoder) {
	s := c.Server
	if s.CounterRate <= 0 {
		d.addf("server.counter_rate", "server.counter_rate must be a positive number of counter actions per minute (default 60)")
	}
	if s.CounterBurst < 1 {
		d.addf("server.counter_burst", "server.counter_burst must be at least 1 (default 20)")
	}
	if s.MaxConnectionsPerAddress < 1 {
		d.addf("server.max_connections_per_address", "server.max_connections_per_address must be at least 1 (default 64)")
	}
	if s.LogAlarmMB < 1 {
		d.addf("server.log_alarm_mb", "server.log_alarm_mb must be at least 1 (default 64)")
	}
	for i, h := range s.AllowedHosts {
		if net.ParseIP(h) == nil && !validHostname(h) {
			d.addf(fmt.Sprintf("server.allowed_hosts[%d]", i),
				"allowed host %q must be a host name or an IP address without port or scheme, such as \"motcua.local\" or \"192.168.1.20\"", h)
		}
	}
}
