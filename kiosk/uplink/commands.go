package uplink

import (
	"encoding/json"
	"fmt"

	"motcua/kiosk"
	"motcua/kiosk/queue"
	"motcua/uplinkproto"
)

// cmdCacheLen is how many recent command results are kept, so that a
// command the server sends again after a reconnect is not run twice.
const cmdCacheLen = 256

// command runs a server's command through the room and returns the
// encoded result.
func (c *Client) command(m *uplinkproto.Message) []byte {
	c.mu.Lock()
	if res, ok := c.cmdCache[m.ID]; ok {
		c.mu.Unlock()
		return res
	}
	c.mu.Unlock()
	res := uplinkproto.Result{Type: uplinkproto.TypeResult, ID: m.ID}
	if m.Booking != nil {
		return c.remember(m.ID, c.appointment(m, res))
	}
	var want string
	var act *kiosk.Action
	switch m.Name {
	case uplinkproto.CmdNext:
		want, act = queue.TicketCalled, &kiosk.Action{Name: "next", Counter: m.Counter}
	case uplinkproto.CmdRecall:
		want, act = queue.TicketRecalled, &kiosk.Action{Name: "recall", Counter: m.Counter}
	case uplinkproto.CmdPause:
		want, act = queue.CounterPaused, &kiosk.Action{Name: "pause", Counter: m.Counter, Reason: m.Reason}
	}
	if m.Name == uplinkproto.CmdCatalogue {
		c.updateCatalogue(m, &res)
	} else if m.Name == uplinkproto.CmdConfig {
		c.applyConfig(m, &res)
	} else if act == nil {
		res.Error = &uplinkproto.ResultError{Code: "unknown_command", Message: fmt.Sprintf("%v %q; this unit knows %s, %s, %s, %s, %s, %s and %s", ErrUnknownCommand, m.Name, uplinkproto.CmdNext, uplinkproto.CmdRecall, uplinkproto.CmdPause, uplinkproto.CmdCatalogue, uplinkproto.CmdBook, uplinkproto.CmdCancel, uplinkproto.CmdConfig)}
	} else if evs, err := c.room.Act(*act); err != nil {
		code := queue.Code(err)
		if code == "" {
			code = "internal"
		}
		res.Error = &uplinkproto.ResultError{Code: code, Message: err.Error()}
	} else {
		res.OK = true
		res.Ticket = json.RawMessage("null")
		for _, ev := range evs {
			if ev.Name != want {
				continue
			}
			if ev.Ticket != nil {
				res.Ticket, _ = json.Marshal(ev.Ticket)
			}
			if ev.Counter != nil {
				res.Counter, _ = json.Marshal(ev.Counter)
			}
		}
		if m.Name == uplinkproto.CmdPause {
			res.Ticket = nil
		}
	}
	return c.remember(m.ID, res)
}

// remember encodes a command's result and keeps it for a resent id.
func (c *Client) remember(id string, res uplinkproto.Result) []byte {
	data, err := json.Marshal(res)
	if err != nil {
		data = fmt.Appendf(nil, `{"type":"result","id":%q,"ok":false,"error":{"code":"internal","message":"encoding the result failed"}}`, id)
	}
	c.mu.Lock()
	if _, ok := c.cmdCache[id]; !ok {
		c.cmdCache[id] = data
		c.cmdOrder = append(c.cmdOrder, id)
		if len(c.cmdOrder) > cmdCacheLen {
			delete(c.cmdCache, c.cmdOrder[0])
			c.cmdOrder = c.cmdOrder[1:]
		}
	}
	c.mu.Unlock()
	return data
}

// appointment runs appointment.book or appointment.cancel. Both are
// idempotent by code, like the HTTP API: booking the same content again
// or cancelling a cancelled booking succeeds and changes nothing.
func (c *Client) appointment(m *uplinkproto.Message, res uplinkproto.Result) uplinkproto.Result {
	bk := m.Booking
	var a *queue.Appointment
	_, err := c.room.Do(func(e *queue.Engine) (evs []queue.Event, err error) {
		if m.Name == uplinkproto.CmdCancel {
			evs, a, err = e.Cancel(bk.Code)
			return evs, err
		}
		evs, a, _, err = e.Book(queue.Appointment{Code: bk.Code, Service: bk.Service, Date: bk.Date,
			From: bk.From, To: bk.To, Citizen: bk.Citizen, Dossier: bk.Dossier})
		return evs, err
	})
	if err != nil {
		code := queue.Code(err)
		if code == "" {
			code = "internal"
		}
		res.Error = &uplinkproto.ResultError{Code: code, Message: err.Error()}
		return res
	}
	res.OK = true
	cp := *a
	cp.Citizen = ""
	res.Appointment, _ = json.Marshal(&cp)
	return res
}
