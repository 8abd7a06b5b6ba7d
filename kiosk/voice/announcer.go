package voice

import (
	"context"
	"fmt"
	"log/slog"
)

// Player plays one WAV file and returns when it has finished or ctx is
// done. An [Announcer] never calls Play while a previous Play runs.
type Player interface {
	Play(ctx context.Context, wav []byte) error
}

// Call is one announcement: ticket Number (such as "A023") called to
// Counter. Counter ≤ 0 means an office with a single desk.
type Call struct {
	Number  string
	Counter int
}

// DefaultQueue is the queue length [NewAnnouncer] uses for queue ≤ 0.
const DefaultQueue = 32

// Announcer plays calls one after the other, in the order they were
// said, so that calls never overlap or cut each other off. A recall is
// simply said again and is played again.
type Announcer struct {
	voice  *Voice
	player Player
	log    *slog.Logger
	queue  chan Call
}

// NewAnnouncer returns an Announcer that builds each call with v and
// plays it with p. At most queue calls wait (≤ 0 means [DefaultQueue]);
// log receives errors of building or playing a call (nil discards them).
func NewAnnouncer(v *Voice, p Player, queue int, log *slog.Logger) *Announcer {
	if queue <= 0 {
		queue = DefaultQueue
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Announcer{voice: v, player: p, log: log, queue: make(chan Call, queue)}
}

// Say queues c to be played after the calls already waiting. It never
// blocks: when the queue is full it drops c and returns [ErrQueueFull]
// (the speaker is stuck or calls come faster than they can be spoken). It
// returns [ErrNumber] or [ErrLetter] at once for a number that the
// voice cannot read. Say is safe for concurrent use and may be called
// before [Announcer.Run] starts.
func (a *Announcer) Say(c Call) error {
	if _, err := parseTicket(c.Number); err != nil {
		return err
	}
	select {
	case a.queue <- c:
		return nil
	default:
		return fmt.Errorf("%w (%d waiting); %s to counter %d not announced", ErrQueueFull, cap(a.queue), c.Number, c.Counter)
	}
}

// Pending returns how many calls wait to be played.
func (a *Announcer) Pending() int { return len(a.queue) }

// Run plays queued calls until ctx is done, then returns nil. A call
// being played when ctx ends is cut off (the player's context is ctx).
// A call that fails to build or play is logged and skipped; Run goes on
// with the next one. Run must have a single caller.
func (a *Announcer) Run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case c := <-a.queue:
			wav, err := a.voice.CallWAV(c.Number, c.Counter)
			if err != nil {
				a.log.Error("voice: cannot build call", "number", c.Number, "counter", c.Counter, "err", err)
				continue
			}
			if err := a.player.Play(ctx, wav); err != nil && ctx.Err() == nil {
				a.log.Error("voice: cannot play call", "number", c.Number, "counter", c.Counter, "err", err)
			}
		}
	}
}
