// Package metrics exposes the queue's figures to Prometheus: tickets
// issued and called per service, queue length, waiting times, websocket
// clients and the event log's sequence number, with the Go runtime's and
// the process's figures that Prometheus' Go client library exposes by
// default.
//
// It writes the text exposition format (version 0.0.4) itself: a
// [Collector] adds samples of its [Desc] families to a [Scrape], and the
// handler writes them sorted. (Prometheus' client library and its
// protobuf cost the Pi's binary 1.5 MB for this.)
package metrics

import (
	"net/http"
	"slices"
	"sync"
	"time"

	"motcua/kiosk"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/queue"
)

var (
	issuedDesc = &Desc{"motcua_tickets_issued_total", "Tickets issued, by service.", Counter, []string{"service"}}
	calledDesc = &Desc{"motcua_tickets_called_total", "Tickets called (not recalls), by service.", Counter, []string{"service"}}
	waitDesc   = &Desc{"motcua_wait_seconds", "Time from issue to call, by service.", Histogram, []string{"service"}}
	eventsDesc = &Desc{"motcua_events_total", "Events committed to the log, by name.", Counter, []string{"event"}}
	queueLen   = &Desc{"motcua_queue_length", "Tickets waiting, by service.", Gauge, []string{"service"}}
	wsDesc     = &Desc{"motcua_websocket_clients", "Connected websocket clients.", Gauge, nil}
	seqDesc    = &Desc{"motcua_eventlog_seq", "Sequence number of the last durable event.", Gauge, nil}
	devDesc    = &Desc{"motcua_device_ok", "1 when a device reports ok, 0.5 on a warning, 0 on an error.", Gauge, []string{"device"}}
)

// waitBounds are the upper bounds of the waiting time's buckets, in
// seconds.
var waitBounds = []float64{60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200}

// Metrics is the set of motcua's metrics. It is safe for concurrent use.
type Metrics struct {
	mu      sync.Mutex
	issued  map[string]float64 // by service
	called  map[string]float64
	events  map[string]float64 // by event name
	wait    map[string]*histogram
	extra   []Collector
	room    *kiosk.Room
	clients func() int
}

// histogram counts observations per bucket of waitBounds (not
// cumulative; the last is over the last bound).
type histogram struct {
	counts []uint64
	sum    float64
	count  uint64
}

// New returns the metrics of room; clients reports the websocket clients.
func New(room *kiosk.Room, clients func() int) *Metrics {
	return &Metrics{
		issued: map[string]float64{}, called: map[string]float64{}, events: map[string]float64{},
		wait: map[string]*histogram{}, room: room, clients: clients,
		extra: []Collector{goCollector{}, processCollector{proc: "/proc/self"}},
	}
}

// Observe counts committed events; it is called in commit order.
func (m *Metrics) Observe(recs []eventlog.Record) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range recs {
		ev := r.Event
		if ev == nil {
			continue
		}
		m.events[ev.Name]++
		switch ev.Name {
		case queue.TicketIssued:
			m.issued[ev.Ticket.Service]++
		case queue.TicketCalled:
			m.called[ev.Ticket.Service]++
			wait := ev.At.Sub(ev.Ticket.IssuedAt)
			if ev.WaitMS > 0 {
				wait = time.Duration(ev.WaitMS) * time.Millisecond
			}
			h := m.wait[ev.Ticket.Service]
			if h == nil {
				h = &histogram{counts: make([]uint64, len(waitBounds))}
				m.wait[ev.Ticket.Service] = h
			}
			sec := wait.Seconds()
			if i, _ := slices.BinarySearch(waitBounds, sec); i < len(waitBounds) {
				h.counts[i]++
			}
			h.sum += sec
			h.count++
		}
	}
}

// Register adds a collector of another part, such as the uplink.
func (m *Metrics) Register(c Collector) {
	m.mu.Lock()
	m.extra = append(m.extra, c)
	m.mu.Unlock()
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		serve(w, r, m.scrape())
	})
}

// scrape gathers every family's current samples.
func (m *Metrics) scrape() *Scrape {
	s := &Scrape{}
	m.mu.Lock()
	for svc, n := range m.issued {
		s.Add(issuedDesc, n, svc)
	}
	for svc, n := range m.called {
		s.Add(calledDesc, n, svc)
	}
	for name, n := range m.events {
		s.Add(eventsDesc, n, name)
	}
	for svc, h := range m.wait {
		cum := make([]uint64, len(h.counts))
		var c uint64
		for i, n := range h.counts {
			c += n
			cum[i] = c
		}
		s.addHistogram(waitDesc, waitBounds, cum, h.sum, h.count, svc)
	}
	extra := slices.Clone(m.extra)
	m.mu.Unlock()
	m.collectRoom(s)
	for _, c := range extra {
		c.Collect(s)
	}
	return s
}

// collectRoom reads the gauges from the room.
func (m *Metrics) collectRoom(s *Scrape) {
	st, err := kiosk.View(m.room, (*queue.Engine).State)
	if err != nil {
		return
	}
	for _, svc := range st.Services {
		s.Add(queueLen, float64(len(svc.Waiting)), svc.ID)
	}
	for _, d := range st.Devices {
		v := 1.0
		switch d.Status {
		case queue.DeviceWarning:
			v = 0.5
		case queue.DeviceError:
			v = 0
		}
		s.Add(devDesc, v, d.Name)
	}
	if m.clients != nil {
		s.Add(wsDesc, float64(m.clients()))
	}
	s.Add(seqDesc, float64(m.room.Log().Durable()))
}
