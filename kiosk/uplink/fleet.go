package uplink

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/gorilla/websocket"

	"motcua/kiosk/remoteconfig"
	"motcua/uplinkproto"
)

// statusSender sends the unit's status messages on one connection
// (docs/fleet.md): one at once, then one when the status changed, checked
// every StatusCheck, and at least one every StatusEvery. The free disk
// space alone is no change (it moves all the time): it goes with the
// next status.
type statusSender struct {
	c      *Client
	last   uplinkproto.UnitStatus
	sentAt time.Time
	// tick fires at the next check.
	tick <-chan time.Time
}

// send sends the status if force, if it changed or if the last one is
// StatusEvery old, and arms the next check. A status the unit cannot
// make is logged and skipped: the events matter more.
func (ss *statusSender) send(ctx context.Context, conn *websocket.Conn, force bool) error {
	c := ss.c
	ss.tick = c.o.Clock.After(c.o.StatusCheck)
	st, err := c.o.Status(ctx)
	if err != nil {
		c.lg.Warn("uplink: cannot make the unit's status", "err", err)
		return nil
	}
	st.Type = uplinkproto.TypeStatus
	cmp := st
	cmp.At, cmp.DiskFree = ss.last.At, ss.last.DiskFree
	if !force && cmp == ss.last && c.o.Clock.Now().Sub(ss.sentAt) < c.o.StatusEvery {
		return nil
	}
	if err := c.write(conn, uplinkproto.Status(st)); err != nil {
		return err
	}
	ss.last, ss.sentAt = st, c.o.Clock.Now()
	return nil
}

// Remote puts in force the configuration files of config.apply commands:
// a [remoteconfig.Manager].
type Remote interface {
	// Apply checks a file and, when it passes, starts putting it in
	// force; it returns an error wrapping remoteconfig.ErrRejected (with
	// the check's problems), ErrBusy or ErrNotWritable otherwise.
	Apply(id string, data []byte) error
	// Outcome is where the newest config.apply stands.
	Outcome() uplinkproto.ConfigOutcome
	// Changes is signalled when Outcome changed.
	Changes() <-chan struct{}
}

// Connected reports whether the client is connected to its receiver now.
func (c *Client) Connected() bool { return c.connected.Load() }

// applyConfig runs config.apply: the result says whether the file was
// taken (state applying) or why not; what becomes of a taken file is
// reported in the status messages.
func (c *Client) applyConfig(m *uplinkproto.Message, res *uplinkproto.Result) {
	if c.o.Remote == nil {
		res.Error = &uplinkproto.ResultError{Code: "remote_config_off", Message: "uplink: this unit takes no remote configuration"}
		return
	}
	err := c.o.Remote.Apply(m.ID, []byte(m.Config))
	code := ""
	switch {
	case err == nil:
		res.OK = true
		out := c.o.Remote.Outcome()
		res.Config = &out
		return
	case errors.Is(err, remoteconfig.ErrRejected):
		code = "invalid_config"
	case errors.Is(err, remoteconfig.ErrBusy):
		code = "busy"
	case errors.Is(err, remoteconfig.ErrNotWritable):
		code = "remote_config_off"
	default:
		code = "internal"
	}
	msg := err.Error()
	if len(msg) > uplinkproto.MaxText {
		msg = strings.ToValidUTF8(msg[:uplinkproto.MaxText-len("…")], "") + "…"
	}
	res.Error = &uplinkproto.ResultError{Code: code, Message: msg}
}
