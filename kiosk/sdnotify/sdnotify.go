package sdnotify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Errors.
var (
	// ErrSocket is returned by [New] for a $NOTIFY_SOCKET this package
	// cannot use (only unix socket paths and abstract names are supported).
	ErrSocket = errors.New("sdnotify: unsupported NOTIFY_SOCKET")
	// ErrWatchdog is returned by [WatchdogInterval] for a malformed
	// $WATCHDOG_USEC or $WATCHDOG_PID.
	ErrWatchdog = errors.New("sdnotify: bad watchdog settings")
)

// Notifier sends state changes to systemd. The zero value and a nil
// *Notifier are disabled: every method returns nil at once. It is safe for
// concurrent use.
type Notifier struct {
	addr *net.UnixAddr
}

// New returns a notifier for the socket named by $NOTIFY_SOCKET: a path, or
// an abstract name starting with "@". An empty socket gives a disabled
// notifier (not running under systemd, or NotifyAccess not set).
func New(socket string) (*Notifier, error) {
	switch {
	case socket == "":
		return &Notifier{}, nil
	case strings.HasPrefix(socket, "/"), strings.HasPrefix(socket, "@"):
		// Go maps a leading "@" to the abstract namespace.
		return &Notifier{addr: &net.UnixAddr{Name: socket, Net: "unixgram"}}, nil
	}
	return nil, fmt.Errorf("%w: %q", ErrSocket, socket)
}

// Enabled reports whether notifications go anywhere.
func (n *Notifier) Enabled() bool { return n != nil && n.addr != nil }

func (n *Notifier) String() string {
	if !n.Enabled() {
		return "sdnotify (disabled)"
	}
	return "sdnotify " + n.addr.Name
}

// Notify sends one datagram of newline-separated assignments, such as
// "READY=1\nSTATUS=serving".
func (n *Notifier) Notify(state string) error {
	if !n.Enabled() {
		return nil
	}
	c, err := net.DialUnix("unixgram", nil, n.addr)
	if err != nil {
		return fmt.Errorf("sdnotify: %w", err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(state)); err != nil {
		return fmt.Errorf("sdnotify: %w", err)
	}
	return nil
}

// Ready tells systemd that start-up (or a reload) is finished: the daemon
// serves. status, if not empty, is shown by systemctl status.
func (n *Notifier) Ready(status string) error {
	return n.Notify(withStatus("READY=1", status))
}

// Reloading tells systemd that a reload started; send [Notifier.Ready]
// when it is done. MONOTONIC_USEC is included, as Type=notify-reload
// requires.
func (n *Notifier) Reloading() error {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return fmt.Errorf("sdnotify: %w", err)
	}
	usec := ts.Nano() / 1000
	return n.Notify("RELOADING=1\nMONOTONIC_USEC=" + strconv.FormatInt(usec, 10))
}

// Stopping tells systemd that shutdown started.
func (n *Notifier) Stopping() error { return n.Notify("STOPPING=1") }

// Watchdog sends one keep-alive.
func (n *Notifier) Watchdog() error { return n.Notify("WATCHDOG=1") }

// Status sets the free-form status line shown by systemctl status.
func (n *Notifier) Status(status string) error {
	return n.Notify("STATUS=" + oneLine(status))
}

// RunWatchdog sends "WATCHDOG=1" every interval until ctx ends (it then
// returns nil). Pass half of [WatchdogInterval]. Before each keep-alive it
// calls healthy (nil: always healthy); when healthy returns an error, no
// keep-alive is sent and the error is shown as the status, so a daemon
// whose event log failed is restarted by systemd. A disabled notifier or
// an interval <= 0 returns at once.
func (n *Notifier) RunWatchdog(ctx context.Context, interval time.Duration, healthy func() error) error {
	if !n.Enabled() || interval <= 0 {
		return nil
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	var lastErr error
	for {
		var err error
		if healthy != nil {
			err = healthy()
		}
		if err == nil {
			lastErr = nil
			if err := n.Watchdog(); err != nil {
				// systemd went away or the socket is full: nothing useful
				// to do but try again at the next tick.
				lastErr = err
			}
		} else if lastErr == nil || lastErr.Error() != err.Error() {
			lastErr = err
			n.Status("unhealthy: " + err.Error())
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// WatchdogInterval returns the watchdog timeout systemd expects keep-alives
// within, from the values of $WATCHDOG_USEC and $WATCHDOG_PID; pid is this
// process's id. It returns 0 when the watchdog is off (usec empty) or meant
// for another process (watchdogPID set and not pid). Send keep-alives at
// half of it.
func WatchdogInterval(usec, watchdogPID string, pid int) (time.Duration, error) {
	if usec == "" {
		return 0, nil
	}
	if watchdogPID != "" {
		p, err := strconv.Atoi(watchdogPID)
		if err != nil || p <= 0 {
			return 0, fmt.Errorf("%w: WATCHDOG_PID=%q", ErrWatchdog, watchdogPID)
		}
		if p != pid {
			return 0, nil
		}
	}
	v, err := strconv.ParseUint(usec, 10, 63)
	if err != nil || v == 0 {
		return 0, fmt.Errorf("%w: WATCHDOG_USEC=%q", ErrWatchdog, usec)
	}
	return time.Duration(v) * time.Microsecond, nil
}

func withStatus(state, status string) string {
	if status == "" {
		return state
	}
	return state + "\nSTATUS=" + oneLine(status)
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }
