package kiosk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"motcua/clock"
	"motcua/kiosk/config"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/queue"
)

// Room is the queue of one office, kept durable: the engine, guarded by a
// mutex, in front of the event log. Every command's events are handed to
// the log in order while the mutex is held, and the command returns once
// they are on disk; reads wait until what they show is on disk. So no
// answer and no websocket frame ever mentions an event that a power cut
// could take back. Room is safe for concurrent use.
type Room struct {
	log *eventlog.Log

	mu  sync.Mutex
	eng *queue.Engine
	cfg *config.Config
}

// OpenRoom rebuilds the queue from the log: the events of the current day,
// from its day.started event on, are applied to a new engine.
func OpenRoom(ctx context.Context, cfg *config.Config, log *eventlog.Log, clk clock.Dated) (*Room, error) {
	eng := queue.New(cfg, clk)
	start, err := log.DayStart(ctx)
	if err != nil {
		return nil, err
	}
	if start > 0 {
		eng.Rebase(start - 1)
	}
	var bad error
	_, err = log.Since(ctx, max(start-1, 0), 0, func(r eventlog.Record) error {
		var ev queue.Event
		if err := json.Unmarshal(r.Data, &ev); err != nil {
			return fmt.Errorf("kiosk: event %d in %s is damaged: %w", r.Seq, log.Dir(), err)
		}
		if err := eng.Apply(ev); err != nil {
			bad = err
			return err
		}
		return nil
	})
	if err != nil {
		if bad != nil {
			return nil, fmt.Errorf("kiosk: rebuilding the queue: %w", bad)
		}
		return nil, err
	}
	if eng.Seq() != log.Last() {
		return nil, fmt.Errorf("kiosk: the log ends at %d but replay stopped at %d", log.Last(), eng.Seq())
	}
	return &Room{log: log, eng: eng, cfg: cfg}, nil
}

// Do runs a command on the engine and returns its events once they are
// durable. A command's error is returned after its events (a new day may
// have started before it failed) are durable too.
func (r *Room) Do(cmd func(*queue.Engine) ([]queue.Event, error)) ([]queue.Event, error) {
	r.mu.Lock()
	evs, err := cmd(r.eng)
	var wait func() error
	if len(evs) > 0 {
		wait = r.log.Enqueue(evs)
	}
	r.mu.Unlock()
	if wait != nil {
		if werr := wait(); werr != nil {
			return nil, werr
		}
	}
	return evs, err
}

// View reads the engine; it returns once every event the read could show
// is durable.
func View[T any](r *Room, read func(*queue.Engine) T) (T, error) {
	r.mu.Lock()
	v, seq := read(r.eng), r.eng.Seq()
	r.mu.Unlock()
	if err := r.log.WaitDurable(seq); err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}

// Config returns the configuration in force.
func (r *Room) Config() *config.Config {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cfg
}

// Reconfigure puts a new configuration in force, keeping the queue.
func (r *Room) Reconfigure(cfg *config.Config) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cfg = cfg
	r.eng.Reconfigure(cfg)
}

// Log is the room's event log.
func (r *Room) Log() *eventlog.Log { return r.log }

// Snapshot returns the state as JSON at a durable seq.
func (r *Room) Snapshot(ctx context.Context) (int64, []byte, error) {
	st, err := View(r, (*queue.Engine).State)
	if err != nil {
		return 0, nil, err
	}
	data, err := json.Marshal(st)
	return st.Seq, data, err
}

// Since calls fn for the stored events after seq.
func (r *Room) Since(ctx context.Context, seq int64, limit int, fn func(eventlog.Record) error) (int64, error) {
	return r.log.Since(ctx, seq, limit, fn)
}

// First is the oldest stored seq.
func (r *Room) First(ctx context.Context) (int64, error) { return r.log.First(ctx) }

// Ticket returns a ticket by id: today's from the engine, older ones from
// the log.
func (r *Room) Ticket(ctx context.Context, id string) (*queue.Ticket, error) {
	type found struct {
		t  *queue.Ticket
		ok bool
	}
	f, err := View(r, func(e *queue.Engine) found {
		t, ok := e.Ticket(id)
		return found{t, ok}
	})
	if err != nil {
		return nil, err
	}
	if f.ok {
		return f.t, nil
	}
	ev, err := r.log.Ticket(ctx, id)
	if err != nil {
		return nil, err
	}
	if ev == nil || ev.Ticket == nil {
		return nil, ErrNoTicket
	}
	t := ev.Ticket
	t.Ahead, t.WaitSeconds = 0, 0
	return t, nil
}

// SetDevice records a device's status; repeating a status adds nothing.
func (r *Room) SetDevice(d queue.Device) error {
	_, err := r.Do(func(e *queue.Engine) ([]queue.Event, error) { return e.SetDevice(d), nil })
	return err
}

// Tick starts a new day when one is due.
func (r *Room) Tick() error {
	_, err := r.Do(func(e *queue.Engine) ([]queue.Event, error) { return e.Tick(), nil })
	return err
}

// ErrNoTicket is returned for a ticket id that was never issued.
var ErrNoTicket = errors.New("kiosk: no such ticket")
