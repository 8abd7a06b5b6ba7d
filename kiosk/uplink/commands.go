package uplink

import (
	"encoding/json"
	"fmt"

	"motcua/kiosk"
	"motcua/kiosk/queue"
)

// cmdCacheLen is how many recent command results are kept, so that a
// command the server sends again after a reconnect is not run twice.
const cmdCacheLen = 256

// command runs a server's command through the room and returns the
// encoded result.
func (c *Client) command(m *Message) []byte {
	c.mu.Lock()
	if res, ok := c.cmdCache[m.ID]; ok {
		c.mu.Unlock()
		return res
	}
	c.mu.Unlock()
	res := Result{Type: TypeResult, ID: m.ID}
	var want string
	var act *kiosk.Action
	switch m.Name {
	case CmdNext:
		want, act = queue.TicketCalled, &kiosk.Action{Name: "next", Counter: m.Counter}
	case CmdRecall:
		want, act = queue.TicketRecalled, &kiosk.Action{Name: "recall", Counter: m.Counter}
	case CmdPause:
		want, act = queue.CounterPaused, &kiosk.Action{Name: "pause", Counter: m.Counter, Reason: m.Reason}
	}
	if m.Name == CmdCatalogue {
		c.updateCatalogue(m, &res)
	} else if act == nil {
		res.Error = &ResultError{Code: "unknown_command", Message: fmt.Sprintf("%v %q; this unit knows %s, %s, %s and %s", ErrUnknownCommand, clip(m.Name), CmdNext, CmdRecall, CmdPause, CmdCatalogue)}
	} else if evs, err := c.room.Act(*act); err != nil {
		code := queue.Code(err)
		if code == "" {
			code = "internal"
		}
		res.Error = &ResultError{Code: code, Message: err.Error()}
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
		if m.Name == CmdPause {
			res.Ticket = nil
		}
	}
	data, err := json.Marshal(res)
	if err != nil {
		data = fmt.Appendf(nil, `{"type":"result","id":%q,"ok":false,"error":{"code":"internal","message":"encoding the result failed"}}`, m.ID)
	}
	c.mu.Lock()
	if _, ok := c.cmdCache[m.ID]; !ok {
		c.cmdCache[m.ID] = data
		c.cmdOrder = append(c.cmdOrder, m.ID)
		if len(c.cmdOrder) > cmdCacheLen {
			delete(c.cmdCache, c.cmdOrder[0])
			c.cmdOrder = c.cmdOrder[1:]
		}
	}
	c.mu.Unlock()
	return data
}
