package voice

import "errors"

// Errors returned by this package. Wrapped errors carry the details; test
// with [errors.Is].
var (
	// ErrMode is returned by [ParseMode] for a value other than "words"
	// or "digits".
	ErrMode = errors.New("voice: unknown number mode")
	// ErrNumber means a ticket number is not letters followed by digits,
	// such as "A023" or "15".
	ErrNumber = errors.New("voice: cannot read ticket number")
	// ErrLetter means a ticket number starts with a letter the voice pack
	// has no clip for.
	ErrLetter = errors.New("voice: no clip for letter")
	// ErrCounter means a counter id is negative or larger than
	// [MaxCounter].
	ErrCounter = errors.New("voice: not a counter id")
	// ErrTooLong means a call would last longer than [MaxCall].
	ErrTooLong = errors.New("voice: call too long")
	// ErrPack means a voice pack folder or one of its clips is unusable.
	ErrPack = errors.New("voice: bad voice pack")
	// ErrGuide means a part of a spoken guidance ([Voice.GuideWAV]) is
	// not a clip, a number, a ticket number or a service.
	ErrGuide = errors.New("voice: bad guidance part")
	// ErrQueueFull is returned by [Announcer.Say] when the queue of calls
	// waiting to be played is full; the call is dropped.
	ErrQueueFull = errors.New("voice: announcement queue full")
)
