package daemon

import (
	"github.com/prometheus/client_golang/prometheus"

	"motcua/kiosk/connlimit"
)

// connCollector exports what the connection limiter did, so that a flood
// shows in /metrics.
type connCollector struct{ l *connlimit.Listener }

var (
	connOpenDesc    = prometheus.NewDesc("motcua_connections_open", "Open HTTP connections, websockets included.", nil, nil)
	connAnonDesc    = prometheus.NewDesc("motcua_connections_anonymous", "Open connections that have shown no valid token.", nil, nil)
	connRefusedDesc = prometheus.NewDesc("motcua_connections_refused_total",
		"Connections closed by the limiter: per_address (their address held too many without a token), full (every place held by clients with a token), evicted (the oldest without a token, to make room), reserved (a reserved place without a kiosk, counter or admin token).",
		[]string{"reason"}, nil)
)

func (c connCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- connOpenDesc
	ch <- connAnonDesc
	ch <- connRefusedDesc
}

func (c connCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.l.Stats()
	ch <- prometheus.MustNewConstMetric(connOpenDesc, prometheus.GaugeValue, float64(s.Open))
	ch <- prometheus.MustNewConstMetric(connAnonDesc, prometheus.GaugeValue, float64(s.Anonymous))
	for reason, n := range map[string]int64{"per_address": s.PerAddress, "full": s.Full, "evicted": s.Evicted, "reserved": s.Refused} {
		ch <- prometheus.MustNewConstMetric(connRefusedDesc, prometheus.CounterValue, float64(n), reason)
	}
}
