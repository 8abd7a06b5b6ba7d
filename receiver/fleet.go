package receiver

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"motcua/backoff"
	"motcua/uplinkproto"
)

// Fleet configures the fleet page's alerts (docs/fleet.md). Zero values
// take the defaults shown.
type Fleet struct {
	// Webhook receives each alert raised and cleared as a JSON POST
	// ([Alert]); "" sends none (the page still shows the conditions).
	Webhook string
	// Secret, if set, signs each POST: the header X-Motcua-Signature is
	// "sha256=" and the hex HMAC-SHA256 of the body under Secret.
	Secret string
	// OfflineAfter: a unit not heard of for this long is offline: 10m.
	OfflineAfter time.Duration
	// PaperOutAfter: a printer out of paper this long raises an alert:
	// 5m.
	PaperOutAfter time.Duration
	// UnsyncedAfter: a unit whose clock is not trusted this long raises
	// an alert: 10m (a Pi boots unsynced for a while).
	UnsyncedAfter time.Duration
	// DiskLow: less free space than this, in bytes, raises an alert:
	// 256 MiB.
	DiskLow int64
	// CheckEvery is how often the alerts are checked: 30s.
	CheckEvery time.Duration
	// RetryMin and RetryMax bound the backoff of a webhook that fails:
	// 1s and 5m.
	RetryMin, RetryMax time.Duration
	// Client posts the webhooks (nil: one with a 10 s timeout).
	Client *http.Client
}

func (f *Fleet) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&f.OfflineAfter, 10*time.Minute)
	def(&f.PaperOutAfter, 5*time.Minute)
	def(&f.UnsyncedAfter, 10*time.Minute)
	def(&f.CheckEvery, 30*time.Second)
	def(&f.RetryMin, time.Second)
	def(&f.RetryMax, 5*time.Minute)
	if f.DiskLow <= 0 {
		f.DiskLow = 256 << 20
	}
	if f.Client == nil {
		f.Client = &http.Client{Timeout: 10 * time.Second}
	}
}

// Alert kinds.
const (
	AlertOffline  = "unit_offline"
	AlertPaperOut = "paper_out"
	AlertDiskLow  = "disk_low"
	AlertUnsynced = "clock_unsynced"
)

// alertKinds is the order in which a unit's alerts are checked and
// shown.
var alertKinds = []string{AlertOffline, AlertPaperOut, AlertDiskLow, AlertUnsynced}

// Alert is the body of an alert webhook.
type Alert struct {
	Type  string `json:"type"`  // "fleet.alert"
	Alert string `json:"alert"` // unit_offline, paper_out, disk_low, clock_unsynced
	// State is "raised" or "cleared".
	State string `json:"state"`
	Unit  string `json:"unit"`
	// Since is when the condition began, as the receiver saw it.
	Since time.Time `json:"since"`
	// At is when the receiver raised or cleared the alert.
	At time.Time `json:"at"`
	// Detail says what was seen, in English.
	Detail string `json:"detail"`
}

// onlineWithin: on PostgreSQL, a unit that another receiver holds counts
// as online while that receiver heard of it this recently (a unit sends
// a status at least every 2 minutes).
const onlineWithin = 5 * time.Minute

// maxPending bounds the alerts waiting for the webhook.
const maxPending = 10000

// fleetState is the receiver's side of the fleet: the alert webhook's
// queue and its one sender.
type fleetState struct {
	mu      sync.Mutex
	pending []pendingAlert
	nextID  uint64
	wake    chan struct{}
	stop    context.CancelFunc
	wg      sync.WaitGroup
}

type pendingAlert struct {
	id uint64
	a  Alert
}

// startFleet creates the fleet's tables and, with a webhook, starts the
// alert checks and the sender.
func (s *Server) startFleet(ctx context.Context) error {
	s.o.Fleet.defaults()
	if err := s.st.createFleet(ctx); err != nil {
		return err
	}
	s.fleet.wake = make(chan struct{}, 1)
	if s.o.Fleet.Webhook == "" {
		return nil
	}
	ctx, s.fleet.stop = context.WithCancel(context.WithoutCancel(ctx))
	s.fleet.wg.Add(2)
	go func() {
		defer s.fleet.wg.Done()
		s.checkAlerts(ctx)
	}()
	go func() {
		defer s.fleet.wg.Done()
		s.sendAlerts(ctx)
	}()
	return nil
}

// stopFleet ends the alert checks and the sender; alerts not yet
// delivered are dropped (they stay raised in the store).
func (s *Server) stopFleet() {
	if s.fleet.stop != nil {
		s.fleet.stop()
	}
	s.fleet.wg.Wait()
}

// noteStatus stores a status a unit sent.
func (s *Server) noteStatus(ctx context.Context, unit string, st *uplinkproto.UnitStatus) {
	now := s.clk.Now()
	prev, _, err := s.st.fleetGet(ctx, unit)
	if err != nil {
		s.lg.Warn("receiver: reading a unit's status", "unit", unit, "err", err)
	}
	u := s.unit(unit)
	u.mu.Lock()
	lastAt := u.lastAt
	u.mu.Unlock()
	rec := fleetRecord{Status: *st, ReceivedAt: now, LastEvent: lastAt}
	since := func(cond bool, was *time.Time) *time.Time {
		switch {
		case !cond:
			return nil
		case was != nil:
			return was
		}
		return &now
	}
	rec.PaperOutSince = since(st.Paper == uplinkproto.PaperOut, prev.PaperOutSince)
	rec.UnsyncedSince = since(!st.ClockSynced, prev.UnsyncedSince)
	if err := s.st.fleetPut(ctx, unit, rec, now); err != nil {
		s.lg.Warn("receiver: storing a unit's status", "unit", unit, "err", err)
	}
}

// fleetLeft notes that a unit's connection here ended. The caller holds
// u.mu and has just let go of the connection: [Server.CheckAlerts] sees
// the unit connected, or this note.
func (s *Server) fleetLeft(u *unit) {
	if err := s.st.fleetLeft(context.Background(), u.id, s.clk.Now()); err != nil {
		s.lg.Warn("receiver: noting a unit's disconnection", "unit", u.id, "err", err)
	}
	if s.o.onLeft != nil {
		s.o.onLeft(u.id)
	}
}

// FleetUnit is one unit as the fleet page and GET /api/fleet show it.
type FleetUnit struct {
	Unit string `json:"unit"`
	Name string `json:"name"`
	// Online: connected to this receiver, or (several receivers) to
	// another one that heard of it within 5 minutes.
	Online bool `json:"online"`
	// SeenAt is when a receiver last heard of the unit (zero: never).
	SeenAt time.Time `json:"seen_at"`
	// LastEvent is the time of the newest event stored, as the unit
	// sent it.
	LastEvent string `json:"last_event_at,omitempty"`
	// Status is the newest status (nil: the unit has sent none: an
	// older version, or not connected since).
	Status *uplinkproto.UnitStatus `json:"status"`
	// Alerts are the unit's alerts raised and not cleared.
	Alerts []FleetAlert `json:"alerts"`
}

// FleetAlert is a raised alert.
type FleetAlert struct {
	Alert string    `json:"alert"`
	Since time.Time `json:"since"`
}

// FleetView is every unit's health, sorted by unit id.
func (s *Server) FleetView(ctx context.Context) ([]FleetUnit, error) {
	rows, err := s.st.fleetRows(ctx)
	if err != nil {
		return nil, err
	}
	active, err := s.st.activeAlerts(ctx)
	if err != nil {
		return nil, err
	}
	now := s.clk.Now()
	byID := s.fleetBase()
	for _, r := range rows {
		f := byID[r.unit]
		if f == nil {
			f = &FleetUnit{Unit: r.unit, Alerts: []FleetAlert{}}
			byID[r.unit] = f
		}
		st := r.rec.Status
		f.Status = &st
		if f.LastEvent == "" {
			f.LastEvent = r.rec.LastEvent
		}
		if r.seenAt.After(f.SeenAt) {
			f.SeenAt = r.seenAt
		}
		if r.online && now.Sub(r.seenAt) < onlineWithin {
			f.Online = true
		}
	}
	for k, since := range active {
		if f := byID[k.unit]; f != nil {
			f.Alerts = append(f.Alerts, FleetAlert{Alert: k.kind, Since: since})
		}
	}
	out := make([]FleetUnit, 0, len(byID))
	for _, f := range byID {
		slices.SortFunc(f.Alerts, func(a, b FleetAlert) int {
			return slices.Index(alertKinds, a.Alert) - slices.Index(alertKinds, b.Alert)
		})
		out = append(out, *f)
	}
	slices.SortFunc(out, func(a, b FleetUnit) int { return strings.Compare(a.Unit, b.Unit) })
	return out, nil
}

// fleetBase is what this receiver knows of each unit it has seen:
// connected here (Online), heard of, its newest event and its name.
func (s *Server) fleetBase() map[string]*FleetUnit {
	s.mu.Lock()
	units := make([]*unit, 0, len(s.units))
	for _, u := range s.units {
		units = append(units, u)
	}
	s.mu.Unlock()
	out := make(map[string]*FleetUnit, len(units))
	for _, u := range units {
		u.mu.Lock()
		f := &FleetUnit{Unit: u.id, Online: u.conn != nil, SeenAt: u.lastSeen, LastEvent: u.lastAt, Alerts: []FleetAlert{}}
		if u.state != nil {
			f.Name = u.state.Unit.Name
		}
		u.mu.Unlock()
		out[u.id] = f
	}
	return out
}

// conditions returns the alerts a unit's row calls for now, with when
// each condition began and what was seen.
func (s *Server) conditions(r fleetRow, connected bool, now time.Time) map[string]Alert {
	f := s.o.Fleet
	out := map[string]Alert{}
	online := connected || r.online && now.Sub(r.seenAt) < onlineWithin
	if !online && now.Sub(r.seenAt) >= f.OfflineAfter {
		out[AlertOffline] = Alert{Since: r.seenAt, Detail: fmt.Sprintf("not heard of since %s", r.seenAt.UTC().Format(time.RFC3339))}
	}
	st := r.rec.Status
	if t := r.rec.PaperOutSince; t != nil && now.Sub(*t) >= f.PaperOutAfter {
		out[AlertPaperOut] = Alert{Since: *t, Detail: "the printer is out of paper"}
	}
	if st.DiskFree < f.DiskLow {
		out[AlertDiskLow] = Alert{Since: r.rec.ReceivedAt, Detail: fmt.Sprintf("%d MiB free on the data disk, less than %d MiB", st.DiskFree>>20, f.DiskLow>>20)}
	}
	if t := r.rec.UnsyncedSince; t != nil && now.Sub(*t) >= f.UnsyncedAfter {
		out[AlertUnsynced] = Alert{Since: *t, Detail: "the unit's clock is not synchronised (NTP): it cannot start a new day"}
	}
	return out
}

// checkAlerts raises and clears the alerts every CheckEvery until ctx
// ends.
func (s *Server) checkAlerts(ctx context.Context) {
	t := s.clk.NewTicker(s.o.Fleet.CheckEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.Chan():
		}
		if err := s.CheckAlerts(ctx); err != nil && ctx.Err() == nil {
			s.lg.Warn("receiver: checking the fleet's alerts", "err", err)
		}
	}
}

// CheckAlerts raises the alerts whose condition holds and clears those
// whose condition has ended, each once over all the receivers of the
// store, and queues their webhooks.
func (s *Server) CheckAlerts(ctx context.Context) error {
	// Who is connected here is read before the rows: a unit whose
	// connection ends in between has its end stored by then.
	connected := map[string]bool{}
	for _, f := range s.fleetBase() {
		connected[f.Unit] = f.Online
	}
	rows, err := s.st.fleetRows(ctx)
	if err != nil {
		return err
	}
	active, err := s.st.activeAlerts(ctx)
	if err != nil {
		return err
	}
	now := s.clk.Now()
	for _, r := range rows {
		conds := s.conditions(r, connected[r.unit], now)
		for _, kind := range alertKinds {
			k := alertKey{r.unit, kind}
			a, holds := conds[kind]
			since, raised := active[k]
			switch {
			case holds && !raised:
				ok, err := s.st.raiseAlert(ctx, k, a.Since, now)
				if err != nil {
					return err
				}
				if ok {
					a.State = "raised"
					s.queueAlert(k, a, now)
				}
			case !holds && raised:
				ok, err := s.st.clearAlert(ctx, k)
				if err != nil {
					return err
				}
				if ok {
					s.queueAlert(k, Alert{State: "cleared", Since: since, Detail: "the condition has ended"}, now)
				}
			}
		}
	}
	return nil
}

// queueAlert hands an alert to the sender.
func (s *Server) queueAlert(k alertKey, a Alert, now time.Time) {
	a.Type, a.Alert, a.Unit, a.At = "fleet.alert", k.kind, k.unit, now
	s.lg.Info("receiver: fleet alert", "unit", a.Unit, "alert", a.Alert, "state", a.State, "detail", a.Detail)
	s.fleet.mu.Lock()
	if len(s.fleet.pending) >= maxPending {
		old := s.fleet.pending[0].a
		s.lg.Error("receiver: too many alerts wait for the webhook; dropping the oldest", "unit", old.Unit, "alert", old.Alert)
		s.fleet.pending = s.fleet.pending[1:]
	}
	s.fleet.nextID++
	s.fleet.pending = append(s.fleet.pending, pendingAlert{s.fleet.nextID, a})
	s.fleet.mu.Unlock()
	select {
	case s.fleet.wake <- struct{}{}:
	default:
	}
}

// sendAlerts posts the queued alerts in order, each until the webhook
// takes it, waiting with backoff between failures, until ctx ends.
func (s *Server) sendAlerts(ctx context.Context) {
	bo := backoff.Backoff{Policy: backoff.Policy{Min: s.o.Fleet.RetryMin, Max: s.o.Fleet.RetryMax}, Clock: s.clk}
	for {
		s.fleet.mu.Lock()
		var p pendingAlert
		if len(s.fleet.pending) > 0 {
			p = s.fleet.pending[0]
		}
		s.fleet.mu.Unlock()
		a := p.a
		if p.id == 0 {
			select {
			case <-ctx.Done():
				return
			case <-s.fleet.wake:
			}
			continue
		}
		if err := s.postAlert(ctx, a); err != nil {
			if bo.Failures() == 0 || bo.Failures()%10 == 0 {
				s.lg.Warn("receiver: alert webhook failed; will retry", "unit", a.Unit, "alert", a.Alert, "err", err, "failures", bo.Failures()+1)
			}
			if bo.Wait(ctx) != nil {
				return
			}
			continue
		}
		bo.Reset()
		s.fleet.mu.Lock()
		if len(s.fleet.pending) > 0 && s.fleet.pending[0].id == p.id {
			s.fleet.pending = s.fleet.pending[1:]
		}
		s.fleet.mu.Unlock()
	}
}

// postAlert posts one alert to the webhook, signed when there is a
// secret.
func (s *Server) postAlert(ctx context.Context, a Alert) error {
	body, err := json.Marshal(a)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.o.Fleet.Webhook, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	if s.o.Fleet.Secret != "" {
		req.Header.Set("X-Motcua-Signature", Sign(s.o.Fleet.Secret, body))
	}
	resp, err := s.o.Fleet.Client.Do(req)
	if err != nil {
		return fmt.Errorf("receiver: alert webhook: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("receiver: alert webhook answered %s", resp.Status)
	}
	return nil
}

// Sign is the X-Motcua-Signature of a webhook's body: "sha256=" and the
// hex HMAC-SHA256 of body under secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}
