package metrics_test

import (
	"context"
	"io"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"motcua/clock/clocktest"
	"motcua/kiosk"
	"motcua/kiosk/config"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/metrics"
	"motcua/kiosk/queue"
)

// The metrics count the committed events and read the room's gauges when
// scraped, in the Prometheus text format.
func TestMetrics(t *testing.T) {
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
	m := metrics.New(room, func() int { return 7 })
	log.OnCommit = m.Observe
	for range 2 {
		if _, err := room.Do(func(e *queue.Engine) ([]queue.Event, error) { return e.Issue("dat-dai", false) }); err != nil {
			t.Fatal(err)
		}
	}
	clk.Add(5 * time.Minute)
	for _, a := range []kiosk.Action{{Name: "open", Counter: 1, Officer: "Lê Văn C"}, {Name: "next", Counter: 1}, {Name: "recall", Counter: 1}} {
		if _, err := room.Act(a); err != nil {
			t.Fatal(err)
		}
	}
	if err := room.SetDevice(queue.Device{Name: "printer", Status: queue.DeviceWarning, Detail: "sắp hết giấy"}); err != nil {
		t.Fatal(err)
	}

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`motcua_tickets_issued_total{service="dat-dai"} 2`,
		`motcua_tickets_called_total{service="dat-dai"} 1`, // the recall is not a call
		`motcua_wait_seconds_count{service="dat-dai"} 1`,
		`motcua_wait_seconds_sum{service="dat-dai"} 300`,
		`motcua_queue_length{service="dat-dai"} 1`,
		`motcua_websocket_clients 7`,
		`motcua_device_ok{device="printer"} 0.5`,
		`motcua_events_total{event="ticket.recalled"} 1`,
		"motcua_eventlog_seq " + strconv.FormatInt(log.Durable(), 10),
	} {
		if !strings.Contains(string(body), want+"\n") {
			t.Errorf("metrics lack %q", want)
		}
	}
}
