// Package queue is the queue engine of motcua: services with their daily
// numbering, counters and the rules by which a counter calls the next
// ticket.
//
// The engine is pure: it does no I/O and reads the time only from the
// [motcua/clock.Dated] it is given, without ever waiting on it. Every change is an [Event] with a sequence number
// that grows by exactly one; a command ([Engine.Issue], [Engine.Next], ...)
// returns the events it produced, already applied to the engine's state,
// also when it returns an error: a new day may have started first.
// The caller writes them to the durable log before it answers anybody, and
// at start-up rebuilds the engine by passing the logged events, in order,
// to [Engine.Apply]. Replaying the log therefore gives exactly the state the
// commands produced: numbers are never given twice, also across a crash.
//
// A day starts with a "day.started" event. The engine starts a new day
// only when the clock is trusted and its local date (in the unit's time
// zone) is after the current day, so a clock that jumps back never resets
// the numbering, and a clock that jumps forward and back resets it once.
// Event times never go backwards: an event is stamped with the later of
// the clock's time and the previous event's time.
package queue
