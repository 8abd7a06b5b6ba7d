package uplink

import (
	"context"
	"fmt"
	"time"

	"motcua/kiosk/metrics"
	"motcua/kiosk/queue"
)

// Status is the client's state, for pages and metrics.
type Status struct {
	Connected bool
	// Acked is the highest seq the receiver acknowledged; Last the
	// newest durable seq.
	Acked, Last int64
	// LagEvents is Last - Acked; LagSeconds the age of the oldest
	// unacknowledged event (0 when none).
	LagEvents  int64
	LagSeconds float64
	// LastAck is when the last acknowledgement came (zero: none yet).
	LastAck    time.Time
	Reconnects int64
	// Dropped counts events deleted unsent because the disk was nearly
	// full, since the daemon started.
	Dropped int64
	// Sent counts events sent since the daemon started, resends included.
	Sent int64
}

// Status returns the client's state. It reads the log for the age of
// the oldest unacknowledged event.
func (c *Client) Status(ctx context.Context) Status {
	st := Status{
		Connected:  c.connected.Load(),
		Acked:      c.acked.Load(),
		Last:       c.log.Durable(),
		Reconnects: c.reconnects.Load(),
		Dropped:    c.dropped.Load(),
		Sent:       c.sentTotal.Load(),
	}
	if n := c.lastAck.Load(); n > 0 {
		st.LastAck = time.Unix(0, n)
	}
	st.LagEvents = max(st.Last-st.Acked, 0)
	if st.LagEvents > 0 {
		var at string
		err := c.log.DB().QueryRowContext(ctx, `SELECT at FROM events WHERE seq > ? ORDER BY seq LIMIT 1`, st.Acked).Scan(&at)
		if err == nil {
			if t, err := time.Parse(time.RFC3339Nano, at); err == nil {
				st.LagSeconds = max(c.o.Clock.Now().Sub(t).Seconds(), 0)
			}
		}
	}
	return st
}

// markUp reports a new connection in the devices list.
func (c *Client) markUp() {
	c.mu.Lock()
	c.downAt = time.Time{}
	c.mu.Unlock()
	c.report()
}

// markDown reports a lost connection (the first failure only: the
// device status is an event, and retries are not news).
func (c *Client) markDown(err error) {
	c.mu.Lock()
	if c.downAt.IsZero() {
		c.downAt = c.o.Clock.Now()
	}
	c.mu.Unlock()
	c.report()
}

// report sets the "uplink" device when its status or detail changed. The
// detail changes only on meaningful events: connected, disconnected,
// disk nearly full; never on each ack, since each change is an event.
func (c *Client) report() {
	c.mu.Lock()
	d := queue.Device{Name: DeviceName, Status: queue.DeviceOK}
	switch {
	case c.diskLow != "":
		d.Status = queue.DeviceError
		d.Detail = c.diskLow
	case c.connected.Load():
		d.Detail = "connected to " + Redact(c.o.URL)
	default:
		d.Status = queue.DeviceWarning
		d.Detail = fmt.Sprintf("not connected since %s: %s; events wait in the local log", c.downAt.In(c.o.Location).Format("2006-01-02 15:04"), c.lastErr)
		if c.lastErr == "" {
			d.Detail = fmt.Sprintf("not connected since %s; events wait in the local log", c.downAt.In(c.o.Location).Format("2006-01-02 15:04"))
		}
	}
	key := d.Status + "\x00" + d.Detail
	same := key == c.device
	c.device = key
	c.mu.Unlock()
	if same || c.room == nil {
		return
	}
	if err := c.room.SetDevice(d); err != nil {
		c.lg.Error("uplink: cannot record the device status", "err", err)
	}
}

var (
	descConnected  = &metrics.Desc{Name: "motcua_uplink_connected", Help: "1 when the uplink is connected to the receiver.", Type: metrics.Gauge}
	descLagEvents  = &metrics.Desc{Name: "motcua_uplink_lag_events", Help: "Events not yet acknowledged by the receiver.", Type: metrics.Gauge}
	descLagSeconds = &metrics.Desc{Name: "motcua_uplink_lag_seconds", Help: "Age of the oldest event not yet acknowledged.", Type: metrics.Gauge}
	descAcked      = &metrics.Desc{Name: "motcua_uplink_acked_seq", Help: "Highest seq the receiver acknowledged.", Type: metrics.Gauge}
	descLastAck    = &metrics.Desc{Name: "motcua_uplink_last_ack_timestamp_seconds", Help: "When the last acknowledgement came (0: none since start).", Type: metrics.Gauge}
	descReconnects = &metrics.Desc{Name: "motcua_uplink_reconnects_total", Help: "Connections lost or refused.", Type: metrics.Counter}
	descDropped    = &metrics.Desc{Name: "motcua_uplink_dropped_events_total", Help: "Events deleted before the receiver had them, because the disk was nearly full.", Type: metrics.Counter}
	descSent       = &metrics.Desc{Name: "motcua_uplink_sent_events_total", Help: "Events sent, resends included.", Type: metrics.Counter}
)

// Collect implements [metrics.Collector].
func (c *Client) Collect(s *metrics.Scrape) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	st := c.Status(ctx)
	b := 0.0
	if st.Connected {
		b = 1
	}
	last := 0.0
	if !st.LastAck.IsZero() {
		last = float64(st.LastAck.UnixNano()) / 1e9
	}
	s.Add(descConnected, b)
	s.Add(descLagEvents, float64(st.LagEvents))
	s.Add(descLagSeconds, st.LagSeconds)
	s.Add(descAcked, float64(st.Acked))
	s.Add(descLastAck, last)
	s.Add(descReconnects, float64(st.Reconnects))
	s.Add(descDropped, float64(st.Dropped))
	s.Add(descSent, float64(st.Sent))
}

var _ metrics.Collector = (*Client)(nil)
