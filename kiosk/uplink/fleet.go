package uplink

import (
	"context"
	"time"

	"github.com/gorilla/websocket"

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
