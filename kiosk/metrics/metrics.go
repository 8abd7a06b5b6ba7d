// Package metrics exposes the queue's figures to Prometheus: tickets
// issued and called per service, queue length, waiting times, websocket
// clients and the event log's sequence number.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"motcua/kiosk"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/queue"
)

// Metrics is the set of motcua's metrics, on a registry of its own.
type Metrics struct {
	reg    *prometheus.Registry
	issued *prometheus.CounterVec
	called *prometheus.CounterVec
	wait   *prometheus.HistogramVec
	events *prometheus.CounterVec
}

// New returns the metrics of room; clients reports the websocket clients.
func New(room *kiosk.Room, clients func() int) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.issued = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "motcua_tickets_issued_total", Help: "Tickets issued, by service.",
	}, []string{"service"})
	m.called = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "motcua_tickets_called_total", Help: "Tickets called (not recalls), by service.",
	}, []string{"service"})
	m.wait = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "motcua_wait_seconds",
		Help:    "Time from issue to call, by service.",
		Buckets: []float64{60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200},
	}, []string{"service"})
	m.events = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "motcua_events_total", Help: "Events committed to the log, by name.",
	}, []string{"event"})
	m.reg.MustRegister(m.issued, m.called, m.wait, m.events,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&roomCollector{room: room, clients: clients})
	return m
}

// Observe counts committed events; it is called in commit order.
func (m *Metrics) Observe(recs []eventlog.Record) {
	for _, r := range recs {
		ev := r.Event
		if ev == nil {
			continue
		}
		m.events.WithLabelValues(ev.Name).Inc()
		switch ev.Name {
		case queue.TicketIssued:
			m.issued.WithLabelValues(ev.Ticket.Service).Inc()
		case queue.TicketCalled:
			m.called.WithLabelValues(ev.Ticket.Service).Inc()
			wait := ev.At.Sub(ev.Ticket.IssuedAt)
			if ev.WaitMS > 0 {
				wait = time.Duration(ev.WaitMS) * time.Millisecond
			}
			m.wait.WithLabelValues(ev.Ticket.Service).Observe(wait.Seconds())
		}
	}
}

// Register adds a collector of another part, such as the uplink.
func (m *Metrics) Register(c prometheus.Collector) error {
	return m.reg.Register(c)
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// roomCollector reads the gauges from the room when scraped.
type roomCollector struct {
	room    *kiosk.Room
	clients func() int
}

var (
	queueLen = prometheus.NewDesc("motcua_queue_length", "Tickets waiting, by service.", []string{"service"}, nil)
	wsDesc   = prometheus.NewDesc("motcua_websocket_clients", "Connected websocket clients.", nil, nil)
	seqDesc  = prometheus.NewDesc("motcua_eventlog_seq", "Sequence number of the last durable event.", nil, nil)
	devDesc  = prometheus.NewDesc("motcua_device_ok", "1 when a device reports ok, 0.5 on a warning, 0 on an error.", []string{"device"}, nil)
)

func (c *roomCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- queueLen
	ch <- wsDesc
	ch <- seqDesc
	ch <- devDesc
}

func (c *roomCollector) Collect(ch chan<- prometheus.Metric) {
	st, err := kiosk.View(c.room, (*queue.Engine).State)
	if err != nil {
		return
	}
	for _, s := range st.Services {
		ch <- prometheus.MustNewConstMetric(queueLen, prometheus.GaugeValue, float64(len(s.Waiting)), s.ID)
	}
	for _, d := range st.Devices {
		v := 1.0
		switch d.Status {
		case queue.DeviceWarning:
			v = 0.5
		case queue.DeviceError:
			v = 0
		}
		ch <- prometheus.MustNewConstMetric(devDesc, prometheus.GaugeValue, v, d.Name)
	}
	if c.clients != nil {
		ch <- prometheus.MustNewConstMetric(wsDesc, prometheus.GaugeValue, float64(c.clients()))
	}
	ch <- prometheus.MustNewConstMetric(seqDesc, prometheus.GaugeValue, float64(c.room.Log().Durable()))
}
