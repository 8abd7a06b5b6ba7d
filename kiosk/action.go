package kiosk

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"motcua/clock"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/queue"
)

// Action is something done at a counter: by its officer on the counter
// page or a call keypad, or by the one-stop software over the uplink. It
// is the one place where an action's name becomes an engine command.
type Action struct {
	// Name is one of [ActionNames].
	Name    string
	Counter int
	Officer string // open: who works at the counter
	Service string // transfer: to this service
	To      int    // transfer: to this counter (0: the service's queue)
	Reason  string // pause, rating
	Score   int    // rating: 1 to 4
	Dossier string // dossier: the dossier code to link
	// Answers are a rating's answers to the configured question set
	// (0: not answered); when set, Score is not used.
	Answers []int
}

// ActionNames are the counter actions, as the API's paths and the keypads
// name them.
var ActionNames = []string{"open", "next", "recall", "done", "skip", "transfer", "pause", "resume", "close", "rating", "dossier"}

// ErrUnknownAction is returned by [Room.Act] for a name not in
// [ActionNames].
var ErrUnknownAction = errors.New("kiosk: unknown counter action")

// Command returns the engine command of the action.
func (a Action) Command() func(*queue.Engine) ([]queue.Event, error) {
	id := a.Counter
	switch a.Name {
	case "open":
		return func(e *queue.Engine) ([]queue.Event, error) { return e.Open(id, a.Officer) }
	case "next":
		return func(e *queue.Engine) ([]queue.Event, error) { return e.Next(id) }
	case "recall":
		return func(e *queue.Engine) ([]queue.Event, error) { return e.Recall(id) }
	case "done":
		return func(e *queue.Engine) ([]queue.Event, error) { return e.Done(id) }
	case "skip":
		return func(e *queue.Engine) ([]queue.Event, error) { return e.Skip(id) }
	case "transfer":
		return func(e *queue.Engine) ([]queue.Event, error) { return e.Transfer(id, a.Service, a.To) }
	case "pause":
		return func(e *queue.Engine) ([]queue.Event, error) { return e.Pause(id, a.Reason) }
	case "resume":
		return func(e *queue.Engine) ([]queue.Event, error) { return e.Resume(id) }
	case "close":
		return func(e *queue.Engine) ([]queue.Event, error) { return e.Close(id) }
	case "rating":
		if len(a.Answers) > 0 {
			return func(e *queue.Engine) ([]queue.Event, error) { return e.RateAnswers(id, a.Answers, a.Reason) }
		}
		return func(e *queue.Engine) ([]queue.Event, error) { return e.Rate(id, a.Score, a.Reason) }
	case "dossier":
		return func(e *queue.Engine) ([]queue.Event, error) { return e.LinkDossier(id, a.Dossier) }
	}
	return func(*queue.Engine) ([]queue.Event, error) {
		return nil, fmt.Errorf("%w %s; one of %s", ErrUnknownAction, strconv.Quote(a.Name), strings.Join(ActionNames, ", "))
	}
}

// Act runs a counter action and returns its events once they are durable.
func (r *Room) Act(a Action) ([]queue.Event, error) { return r.Do(a.Command()) }

// Ratings takes the scores of rating keypads and buttons, which say
// nothing about the ticket: a score counts for the ticket a counter
// finished last, and only within a window after it was done, so that a
// press long after the citizen left rates nobody. Feed it the committed
// events with [Ratings.Observe]. Safe for concurrent use.
type Ratings struct {
	room  *Room
	clock clock.Clock

	mu   sync.Mutex
	done map[int]time.Time // counter id -> when its last ticket was done
}

// ErrRatingWindow is returned by [Ratings.Rate] for a score given when no
// ticket was done at the counter within the window.
var ErrRatingWindow = errors.New("kiosk: no ticket done at this counter within the rating window")

// NewRatings returns the ratings of room, timed on clock.
func NewRatings(room *Room, clk clock.Clock) *Ratings {
	return &Ratings{room: room, clock: clk, done: map[int]time.Time{}}
}

// Observe follows committed events for the time each counter finished its
// last ticket.
func (r *Ratings) Observe(recs []eventlog.Record) {
	for _, rec := range recs {
		if ev := rec.Event; ev != nil && ev.Name == queue.TicketDone && ev.Ticket != nil && ev.Ticket.Counter != nil {
			r.mu.Lock()
			r.done[*ev.Ticket.Counter] = r.clock.Now()
			r.mu.Unlock()
		}
	}
}

// Rate rates the ticket last done at counter with score, if it was done
// within window.
func (r *Ratings) Rate(counter, score int, window time.Duration) error {
	r.mu.Lock()
	at, ok := r.done[counter]
	r.mu.Unlock()
	if !ok || r.clock.Now().Sub(at) > window {
		return ErrRatingWindow
	}
	_, err := r.room.Act(Action{Name: "rating", Counter: counter, Score: score})
	return err
}

// Priority is the rule of the kiosks' priority buttons: a press arms the
// next ticket of a ticket button of the same kiosk as a priority one
// (người cao tuổi, người khuyết tật, ...). Kiosks are named by their
// [[kiosk]] id, "" the unit's own. The zero value is disarmed and ready;
// safe for concurrent use.
type Priority struct {
	mu    sync.Mutex
	armed map[string]bool
}

// Arm makes the next ticket of kiosk a priority one.
func (p *Priority) Arm(kiosk string) {
	p.mu.Lock()
	if p.armed == nil {
		p.armed = map[string]bool{}
	}
	p.armed[kiosk] = true
	p.mu.Unlock()
}

// Take reports whether the ticket being issued at kiosk is a priority
// one, and disarms it.
func (p *Priority) Take(kiosk string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	armed := p.armed[kiosk]
	delete(p.armed, kiosk)
	return armed
}
