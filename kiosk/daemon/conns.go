package daemon

import (
	"motcua/kiosk/connlimit"
	"motcua/kiosk/metrics"
)

// connCollector exports what the connection limiter did, so that a flood
// shows in /metrics.
type connCollector struct{ l *connlimit.Listener }

var (
	connOpenDesc    = &metrics.Desc{Name: "motcua_connections_open", Help: "Open HTTP connections, websockets included.", Type: metrics.Gauge}
	connAnonDesc    = &metrics.Desc{Name: "motcua_connections_anonymous", Help: "Open connections that have shown no valid token.", Type: metrics.Gauge}
	connRefusedDesc = &metrics.Desc{Name: "motcua_connections_refused_total",
		Help: "Connections closed by the limiter: per_address (their address held too many without a token), full (every place held by clients with a token), evicted (the oldest without a token, to make room), reserved (a reserved place without a kiosk, counter or admin token).",
		Type: metrics.Counter, Labels: []string{"reason"}}
)

func (c connCollector) Collect(s *metrics.Scrape) {
	st := c.l.Stats()
	s.Add(connOpenDesc, float64(st.Open))
	s.Add(connAnonDesc, float64(st.Anonymous))
	for reason, n := range map[string]int64{"per_address": st.PerAddress, "full": st.Full, "evicted": st.Evicted, "reserved": st.Refused} {
		s.Add(connRefusedDesc, float64(n), reason)
	}
}
