package metrics

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"math"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"motcua/clock/clocktest"
	"motcua/kiosk"
	"motcua/kiosk/config"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/queue"
)

// The tests compare this package with Prometheus' own Go client library,
// which motcua used before, and parse its output with Prometheus' own
// parser (expfmt): test-only dependencies, not in the binary.

// The writer prints what the client library prints, byte for byte,
// escapes and special values included.
func TestTextAsClientLibrary(t *testing.T) {
	help := "Help with a \\ backslash,\na newline and \"quotes\"."
	plain := &Desc{"t_plain", help, Gauge, nil}
	labelled := &Desc{"t_labelled_total", "By name.", Counter, []string{"name"}}
	two := &Desc{"t_two", "Two labels.", Gauge, []string{"a", "b"}}
	hist := &Desc{"t_seconds", "A histogram.", Histogram, []string{"svc"}}
	sum := &Desc{"t_pause_seconds", "A summary.", Summary, nil}
	values := []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1e21, 123456789, 1.5e-7, 9.223372036854776e+18, math.MaxUint64, math.Inf(1), math.Inf(-1), math.NaN()}

	s := &Scrape{}
	reg := prometheus.NewPedanticRegistry()
	var theirs []prometheus.Metric
	pd := prometheus.NewDesc(plain.Name, plain.Help, nil, nil)
	ld := prometheus.NewDesc(labelled.Name, labelled.Help, labelled.Labels, nil)
	td := prometheus.NewDesc(two.Name, two.Help, two.Labels, nil)
	hd := prometheus.NewDesc(hist.Name, hist.Help, hist.Labels, nil)
	sd := prometheus.NewDesc(sum.Name, sum.Help, nil, nil)
	s.Add(plain, 42)
	theirs = append(theirs, prometheus.MustNewConstMetric(pd, prometheus.GaugeValue, 42))
	for i, v := range values {
		name := []string{"a", `quote " here`, `back\slash`, "new\nline", "Nguyễn Văn A", "", "z", "m", "0", "1", "b", "c", "d"}[i]
		s.Add(labelled, v, name)
		theirs = append(theirs, prometheus.MustNewConstMetric(ld, prometheus.CounterValue, v, name))
	}
	s.Add(two, 2, "y", "x")
	s.Add(two, 1, "x", "y")
	theirs = append(theirs, prometheus.MustNewConstMetric(td, prometheus.GaugeValue, 2, "y", "x"), prometheus.MustNewConstMetric(td, prometheus.GaugeValue, 1, "x", "y"))
	bounds := []float64{0.5, 60, 7200}
	s.addHistogram(hist, bounds, []uint64{1, 3, 3}, 70.25, 4, "dat-dai")
	theirs = append(theirs, prometheus.MustNewConstHistogram(hd, 4, 70.25, map[float64]uint64{0.5: 1, 60: 3, 7200: 3}, "dat-dai"))
	s.addHistogram(hist, bounds, []uint64{0, 0, 0}, 0, 0, "chung-thuc")
	theirs = append(theirs, prometheus.MustNewConstHistogram(hd, 0, 0, map[float64]uint64{0.5: 0, 60: 0, 7200: 0}, "chung-thuc"))
	s.addSummary(sum, []float64{0, 0.25, 0.5, 0.75, 1}, []float64{1e-5, 2e-5, 3e-5, 4e-5, 0.001}, 0.0011, 5)
	theirs = append(theirs, prometheus.MustNewConstSummary(sd, 5, 0.0011, map[float64]float64{0: 1e-5, 0.25: 2e-5, 0.5: 3e-5, 0.75: 4e-5, 1: 0.001}))
	reg.MustRegister(constCollector(theirs))

	var got bytes.Buffer
	if _, err := s.WriteTo(&got); err != nil {
		t.Fatal(err)
	}
	want := clientText(t, reg)
	if got.String() != want {
		t.Errorf("got\n%s\nwant (client library)\n%s", got.String(), want)
	}
	if _, err := parse(t, got.Bytes()); err != nil {
		t.Errorf("Prometheus' parser: %v", err)
	}
}

// constCollector hands fixed metrics to a client library registry.
type constCollector []prometheus.Metric

func (c constCollector) Describe(ch chan<- *prometheus.Desc) { prometheus.DescribeByCollect(c, ch) }
func (c constCollector) Collect(ch chan<- prometheus.Metric) {
	for _, m := range c {
		ch <- m
	}
}

func clientText(t *testing.T, g prometheus.Gatherer) string {
	t.Helper()
	fams, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	enc := expfmt.NewEncoder(&b, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, f := range fams {
		if err := enc.Encode(f); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

func parse(t *testing.T, text []byte) (map[string]*dto.MetricFamily, error) {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	return p.TextToMetricFamilies(bytes.NewReader(text))
}

// oldMetrics is what this package was on the client library (motcua
// 526a471): the reference for the families, their help, types, labels
// and values.
type oldMetrics struct {
	reg                    *prometheus.Registry
	issued, called, events *prometheus.CounterVec
	wait                   *prometheus.HistogramVec
}

func newOld(room *kiosk.Room, clients func() int) *oldMetrics {
	m := &oldMetrics{reg: prometheus.NewRegistry()}
	m.issued = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "motcua_tickets_issued_total", Help: "Tickets issued, by service."}, []string{"service"})
	m.called = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "motcua_tickets_called_total", Help: "Tickets called (not recalls), by service."}, []string{"service"})
	m.wait = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "motcua_wait_seconds", Help: "Time from issue to call, by service.",
		Buckets: []float64{60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200}}, []string{"service"})
	m.events = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "motcua_events_total", Help: "Events committed to the log, by name."}, []string{"event"})
	m.reg.MustRegister(m.issued, m.called, m.wait, m.events,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&oldRoom{room: room, clients: clients})
	return m
}

func (m *oldMetrics) observe(recs []eventlog.Record) {
	for _, r := range recs {
		ev := r.Event
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

type oldRoom struct {
	room    *kiosk.Room
	clients func() int
}

var (
	oldQueueLen = prometheus.NewDesc("motcua_queue_length", "Tickets waiting, by service.", []string{"service"}, nil)
	oldWS       = prometheus.NewDesc("motcua_websocket_clients", "Connected websocket clients.", nil, nil)
	oldSeq      = prometheus.NewDesc("motcua_eventlog_seq", "Sequence number of the last durable event.", nil, nil)
	oldDev      = prometheus.NewDesc("motcua_device_ok", "1 when a device reports ok, 0.5 on a warning, 0 on an error.", []string{"device"}, nil)
)

func (c *oldRoom) Describe(ch chan<- *prometheus.Desc) {
	ch <- oldQueueLen
	ch <- oldWS
	ch <- oldSeq
	ch <- oldDev
}

func (c *oldRoom) Collect(ch chan<- prometheus.Metric) {
	st, err := kiosk.View(c.room, (*queue.Engine).State)
	if err != nil {
		return
	}
	for _, s := range st.Services {
		ch <- prometheus.MustNewConstMetric(oldQueueLen, prometheus.GaugeValue, float64(len(s.Waiting)), s.ID)
	}
	for _, d := range st.Devices {
		v := 1.0
		switch d.Status {
		case queue.DeviceWarning:
			v = 0.5
		case queue.DeviceError:
			v = 0
		}
		ch <- prometheus.MustNewConstMetric(oldDev, prometheus.GaugeValue, v, d.Name)
	}
	ch <- prometheus.MustNewConstMetric(oldWS, prometheus.GaugeValue, float64(c.clients()))
	ch <- prometheus.MustNewConstMetric(oldSeq, prometheus.GaugeValue, float64(c.room.Log().Durable()))
}

// A day of tickets gives the same /metrics as the client library gave:
// the same families with the same help, types and labels; the queue's
// values equal, the runtime's and the process's close (they move between
// the two reads).
func TestAsClientLibrary(t *testing.T) {
	log, err := eventlog.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	clk := clocktest.New(time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC))
	room, err := kiosk.OpenRoom(context.Background(), config.Demo(), log, clk)
	if err != nil {
		t.Fatal(err)
	}
	clients := func() int { return 3 }
	m, old := New(room, clients), newOld(room, clients)
	log.OnCommit = func(recs []eventlog.Record) {
		m.Observe(recs)
		old.observe(recs)
	}
	for i, svc := range []string{"dat-dai", "dat-dai", "chung-thuc", "dat-dai", "tu-phap-ho-tich"} {
		if _, err := room.Do(func(e *queue.Engine) ([]queue.Event, error) { return e.Issue(svc, i == 3) }); err != nil {
			t.Fatal(err)
		}
		clk.Add(time.Duration(i*7+1) * time.Minute)
	}
	for _, a := range []kiosk.Action{{Name: "open", Counter: 1, Officer: "Lê Văn C"}, {Name: "next", Counter: 1}, {Name: "next", Counter: 1}, {Name: "recall", Counter: 1}} {
		if _, err := room.Act(a); err != nil {
			t.Fatal(err)
		}
		clk.Add(150 * time.Second)
	}
	if err := room.SetDevice(queue.Device{Name: "printer", Status: queue.DeviceError, Detail: "hết giấy"}); err != nil {
		t.Fatal(err)
	}

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if got, want := rec.Header().Get("Content-Type"), "text/plain; version=0.0.4; charset=utf-8; escaping=underscores"; got != want {
		t.Errorf("Content-Type: got %q, want %q", got, want)
	}
	ours, err := parse(t, rec.Body.Bytes())
	if err != nil {
		t.Fatalf("Prometheus' parser: %v\n%s", err, rec.Body.String())
	}
	theirs, err := parse(t, []byte(clientText(t, old.reg)))
	if err != nil {
		t.Fatal(err)
	}
	names := func(fams map[string]*dto.MetricFamily) []string {
		var n []string
		for k := range fams {
			n = append(n, k)
		}
		slices.Sort(n)
		return n
	}
	if got, want := names(ours), names(theirs); !slices.Equal(got, want) {
		t.Fatalf("families: got %q, want %q", got, want)
	}
	// Values that stay put between the two reads; the others may move
	// (memory, threads) or grow (CPU time, traffic, GC).
	steady := func(name string) bool {
		return strings.HasPrefix(name, "motcua_") || slices.Contains([]string{"go_info", "go_gc_gogc_percent", "go_gc_gomemlimit_bytes", "go_sched_gomaxprocs_threads", "process_max_fds", "process_virtual_memory_max_bytes", "process_start_time_seconds"}, name)
	}
	for _, name := range names(theirs) {
		o, w := ours[name], theirs[name]
		if o.GetHelp() != w.GetHelp() || o.GetType() != w.GetType() {
			t.Errorf("%s: got %s %q, want %s %q", name, o.GetType(), o.GetHelp(), w.GetType(), w.GetHelp())
		}
		if len(o.Metric) != len(w.Metric) {
			t.Errorf("%s: got %d samples, want %d", name, len(o.Metric), len(w.Metric))
			continue
		}
		for i := range w.Metric {
			om, wm := o.Metric[i], w.Metric[i]
			if got, want := labelText(om), labelText(wm); got != want {
				t.Errorf("%s: labels %s, want %s", name, got, want)
			}
			got, want := value(om), value(wm)
			if steady(name) {
				if !slices.Equal(got, want) {
					t.Errorf("%s%s: got %v, want %v", name, labelText(wm), got, want)
				}
				continue
			}
			for j := range want {
				if (want[j] == 0) != (got[j] == 0) && !strings.HasPrefix(name, "go_gc_duration") && name != "process_cpu_seconds_total" && name != "go_memstats_last_gc_time_seconds" {
					t.Errorf("%s%s: got %v, want %v", name, labelText(wm), got, want)
				}
				if want[j] > 0 && (got[j] < want[j]/4 || got[j] > want[j]*4) {
					t.Errorf("%s%s: got %v, far from %v", name, labelText(wm), got, want)
				}
			}
		}
	}
	// The queue: the priority ticket called first after 53.5 minutes
	// (3,210 s), then the first one after 80 (4,800 s).
	for _, want := range []string{
		`motcua_tickets_issued_total{service="dat-dai"} 3`,
		`motcua_tickets_called_total{service="dat-dai"} 2`,
		`motcua_wait_seconds_bucket{service="dat-dai",le="2700"} 0`,
		`motcua_wait_seconds_bucket{service="dat-dai",le="3600"} 1`,
		`motcua_wait_seconds_bucket{service="dat-dai",le="5400"} 2`,
		`motcua_wait_seconds_sum{service="dat-dai"} 8010`,
		`motcua_wait_seconds_count{service="dat-dai"} 2`,
		`motcua_device_ok{device="printer"} 0`,
		`motcua_websocket_clients 3`,
	} {
		if !strings.Contains(rec.Body.String(), want+"\n") {
			t.Errorf("metrics lack %q:\n%s", want, rec.Body.String())
		}
	}

	// gzip when asked for it, with the same text.
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.Header.Set("Accept-Encoding", "br;q=1.0, gzip;q=0.8")
	rec = httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, req)
	if got := rec.Header().Get("Content-Encoding"); got != "gzip" {
		t.Fatalf("Content-Encoding: got %q, want gzip", got)
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	text, err := io.ReadAll(zr)
	if err != nil || !bytes.Contains(text, []byte(`motcua_tickets_issued_total{service="dat-dai"} 3`+"\n")) {
		t.Errorf("gzipped metrics: %v\n%s", err, text)
	}
}

func labelText(m *dto.Metric) string {
	var b strings.Builder
	for _, l := range m.Label {
		b.WriteString(l.GetName() + "=" + l.GetValue() + ",")
	}
	return "{" + b.String() + "}"
}

// value is a sample's numbers: a counter's or gauge's value; a
// histogram's buckets, sum and count; a summary's quantiles, sum and
// count.
func value(m *dto.Metric) []float64 {
	switch {
	case m.Counter != nil:
		return []float64{m.Counter.GetValue()}
	case m.Gauge != nil:
		return []float64{m.Gauge.GetValue()}
	case m.Histogram != nil:
		var v []float64
		for _, b := range m.Histogram.Bucket {
			v = append(v, b.GetUpperBound(), float64(b.GetCumulativeCount()))
		}
		return append(v, m.Histogram.GetSampleSum(), float64(m.Histogram.GetSampleCount()))
	case m.Summary != nil:
		var v []float64
		for _, q := range m.Summary.Quantile {
			v = append(v, q.GetQuantile(), q.GetValue())
		}
		return append(v, m.Summary.GetSampleSum(), float64(m.Summary.GetSampleCount()))
	}
	return nil
}

func TestAcceptsGzip(t *testing.T) {
	tests := []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"deflate, GZIP", true},
		{"gzip;q=0", false},
		{"gzip; q=0.5", true},
		{"identity", false},
		{"x-gzip", false},
	}
	for _, tt := range tests {
		if got := acceptsGzip(tt.header); got != tt.want {
			t.Errorf("acceptsGzip(%q): got %v, want %v", tt.header, got, tt.want)
		}
	}
}
