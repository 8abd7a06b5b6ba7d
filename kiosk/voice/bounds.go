package voice

import (
	"fmt"
	"time"
)

// Bounds of what a call can be. A ticket number is a service prefix (at
// most 4 letters or digits, see docs/config.md) and a day's number; a
// counter is a counter id. Anything larger is not a ticket or a counter
// and is refused before any audio is built, so that a request cannot make
// the daemon build a WAV of hundreds of megabytes.
const (
	// MaxNumberLen is the longest ticket number accepted, in bytes,
	// separators included.
	MaxNumberLen = 20
	// MaxLetters is the most prefix letters a ticket number may have.
	MaxLetters = 4
	// MaxDigits is the most digits a ticket number may have: up to 4 from
	// the prefix and up to 12 for the number itself.
	MaxDigits = 16
	// MaxCounter is the largest counter id that is called aloud; it is
	// the largest number the voice reads as words.
	MaxCounter = maxWords
	// MaxCall is the longest call [Voice.CallWAV] builds. A call of the
	// longest number and counter above lasts about 15 s.
	MaxCall = 30 * time.Second
)

// checkNumber refuses a ticket number longer than a ticket number can be,
// before it is parsed.
func checkNumber(number string) error {
	if len(number) > MaxNumberLen {
		return fmt.Errorf("%w: %d bytes, at most %d (a prefix of up to %d letters and up to %d digits)",
			ErrNumber, len(number), MaxNumberLen, MaxLetters, MaxDigits)
	}
	return nil
}

// checkTicket refuses a parsed number with more letters or digits than a
// ticket number can have.
func checkTicket(t ticket, number string) error {
	switch {
	case len(t.letters) > MaxLetters:
		return fmt.Errorf("%w %q: %d letters, at most %d", ErrNumber, number, len(t.letters), MaxLetters)
	case len(t.digits) > MaxDigits:
		return fmt.Errorf("%w %q: %d digits, at most %d", ErrNumber, number, len(t.digits), MaxDigits)
	}
	return nil
}

// checkCounter refuses a counter id that is not one.
func checkCounter(counter int) error {
	if counter < 0 || counter > MaxCounter {
		return fmt.Errorf("%w: %d; a counter id is 1 to %d (0 for none)", ErrCounter, counter, MaxCounter)
	}
	return nil
}

// maxCallBytes is the size of MaxCall of audio at v's rate, header
// excluded.
func (v *Voice) maxCallBytes() int { return v.silence(MaxCall) }
