// Package clock is the one time source of motcua: [Clock] tells the time
// and waits, and every package that waits (devices, hub, uplink, backoff)
// takes one, so that tests drive time by hand. [Real] is the machine's
// clock; [System] and [Trusted] also say whether to trust its date.
//
// A Raspberry Pi has no real-time clock: it boots with the time it had
// when it stopped (fake-hwclock) or in 1970, and the right time comes from
// NTP later, if the network is up. The queue engine starts a new day only
// on a trusted clock, so [System.Synced] is conservative: synchronised
// means the kernel says so (adjtimex) or systemd-timesyncd has marked the
// clock synchronised, or the system time was set at boot from a battery
// real-time clock (an RTC module, a Pi 5 with its battery, a PC).
package clock

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// Clock tells the time and waits. Implementations are safe for concurrent
// use.
type Clock interface {
	Now() time.Time
	// After sends the time on the channel once d has passed.
	After(d time.Duration) <-chan time.Time
}

// Dated is a [Clock] that also says whether its date can be trusted
// (synchronised): what the queue needs to turn the day. [System] and
// [Trusted] are Dated.
type Dated interface {
	Clock
	Synced() bool
}

// Monotonic is the optional capability of a [Clock] that also reads a
// clock that only goes forward, whatever is done to the wall clock
// (CLOCK_MONOTONIC): waits and service times measured on it stay right
// when the time is set. [System] and [Trusted] have it.
type Monotonic interface {
	Elapsed() time.Duration
}

// Real is the machine's clock, without a view on whether its date is
// right.
type Real struct{}

// Now returns the current time.
func (Real) Now() time.Time { return time.Now() }

// After waits for d on the machine's clock.
func (Real) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Or returns c, or [Real] when c is nil: the default of an optional clock.
func Or(c Clock) Clock {
	if c == nil {
		return Real{}
	}
	return c
}

var (
	_ Clock     = Real{}
	_ Dated     = System{}
	_ Dated     = Trusted{}
	_ Monotonic = System{}
	_ Monotonic = Trusted{}
)

// System is the machine's clock.
type System struct {
	Real
	// SyncedFile, if not empty, is a file whose existence means the clock
	// is synchronised; default /run/systemd/timesync/synchronized.
	SyncedFile string
}

// Now returns the current time, with a monotonic reading.

// Synced reports whether the wall clock is known to be right.
func (s System) Synced() bool {
	f := s.SyncedFile
	if f == "" {
		f = "/run/systemd/timesync/synchronized"
	}
	if _, err := os.Stat(f); err == nil {
		return true
	}
	if b, err := os.ReadFile("/sys/class/rtc/rtc0/hctosys"); err == nil && len(b) > 0 && b[0] == '1' {
		return true
	}
	var tx unix.Timex
	state, err := unix.Adjtimex(&tx)
	return err == nil && state != unix.TIME_ERROR && tx.Status&unix.STA_UNSYNC == 0
}

// Elapsed reads CLOCK_MONOTONIC: it only goes forward, whatever is done
// to the wall clock, so waits and service times measured on it stay right
// when NTP or an officer sets the time.
func (System) Elapsed() time.Duration { return monotonic() }

func monotonic() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

// Trusted is a clock whose time is always believed: for the demo, and for
// machines an operator has vouched for (clock.trust = "always").
type Trusted struct{ Real }

// Synced reports true.
func (Trusted) Synced() bool { return true }

// Elapsed reads CLOCK_MONOTONIC, as [System.Elapsed].
func (Trusted) Elapsed() time.Duration { return monotonic() }
