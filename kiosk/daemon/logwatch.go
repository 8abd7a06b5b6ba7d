package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"motcua/kiosk"
	"motcua/kiosk/config"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/metrics"
	"motcua/kiosk/queue"
)

// logDevice is the device whose status tells that the day's log grew
// abnormally.
const logDevice = "eventlog"

// logWatch adds up the bytes of the queue day's events. Nobody prunes the
// log during the day, so a token used to flood it (every action is an
// event) would fill the disk; past server.log_alarm_mb the device
// "eventlog" turns warning, with a log line, and /metrics has the size.
// Observe runs on the log's commit path and never blocks; the daemon's
// loop does the rest when woken.
type logWatch struct {
	room *kiosk.Room
	log  *slog.Logger
	wake chan struct{}

	mu      sync.Mutex
	limit   int64
	day     string
	bytes   int64
	alarmed bool // the warning is (or is about to be) raised for day
	shown   bool // the device shows the warning
}

func newLogWatch(room *kiosk.Room, log *slog.Logger, cfg *config.Config) *logWatch {
	w := &logWatch{room: room, log: log, wake: make(chan struct{}, 1)}
	w.setLimit(cfg)
	return w
}

// setLimit puts cfg's alarm size in force.
func (w *logWatch) setLimit(cfg *config.Config) {
	mb := int64(cfg.Server.LogAlarmMB)
	if mb <= 0 {
		mb = 64
	}
	w.mu.Lock()
	w.limit = mb << 20
	w.checkLocked()
	w.mu.Unlock()
}

// count starts from the events of the log's last day, for a daemon that
// restarts during the day.
func (w *logWatch) count(ctx context.Context, l *eventlog.Log) error {
	var day string
	var n int64
	err := l.DB().QueryRowContext(ctx, `SELECT COALESCE(day, ''), COALESCE(SUM(LENGTH(data)), 0) FROM events
		WHERE day = (SELECT day FROM events ORDER BY seq DESC LIMIT 1)`).Scan(&day, &n)
	if err != nil {
		return fmt.Errorf("daemon: size of today's events: %w", err)
	}
	w.mu.Lock()
	w.day, w.bytes = day, n
	w.checkLocked()
	w.mu.Unlock()
	return nil
}

// Observe adds committed events; it is a subscriber of the log.
func (w *logWatch) Observe(recs []eventlog.Record) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, r := range recs {
		if r.Event != nil && r.Event.Day != w.day {
			w.day, w.bytes, w.alarmed = r.Event.Day, 0, false
			if w.shown {
				w.signal() // a new day: clear the warning
			}
		}
		w.bytes += int64(len(r.Data))
	}
	w.checkLocked()
}

func (w *logWatch) checkLocked() {
	if w.bytes > w.limit && !w.alarmed {
		w.alarmed = true
		w.signal()
	}
}

func (w *logWatch) signal() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// update sets the device's status to what the counts say; the daemon's
// loop calls it when woken.
func (w *logWatch) update() error {
	w.mu.Lock()
	raise, clear := w.alarmed && !w.shown, !w.alarmed && w.shown
	day, n, limit := w.day, w.bytes, w.limit
	w.shown = w.alarmed
	w.mu.Unlock()
	switch {
	case raise:
		w.log.Warn("the day's event log grows abnormally", "day", day, "mb", n>>20, "log_alarm_mb", limit>>20)
		return w.room.SetDevice(queue.Device{Name: logDevice, Status: queue.DeviceWarning,
			Detail: fmt.Sprintf("today's events take %d MB, over server.log_alarm_mb = %d: a token may be flooding the log; see the log for who", n>>20, limit>>20)})
	case clear:
		return w.room.SetDevice(queue.Device{Name: logDevice, Status: queue.DeviceOK})
	}
	return nil
}

// dayBytesDesc is the metric of the day's size.
var dayBytesDesc = &metrics.Desc{Name: "motcua_eventlog_day_bytes", Help: "Bytes of the queue day's events in the log.", Type: metrics.Gauge}

// Collect implements [metrics.Collector] with the day's size.
func (w *logWatch) Collect(s *metrics.Scrape) {
	w.mu.Lock()
	defer w.mu.Unlock()
	s.Add(dayBytesDesc, float64(w.bytes))
}
