package receiver

import (
	"slices"

	"motcua/uplinkproto"
)

// maxLive bounds each list of a live queue (devices, counters, the
// tickets waiting for one service), so that a unit that sends endless
// new ids costs a bounded amount of memory. A real office is far below.
const maxLive = 10000

// apply updates a live queue with one checked event. Events carry the
// tickets and counters as they are after the change, so applying is
// replacing. Events at or before the state's seq are ignored.
func apply(st *uplinkproto.State, ev *uplinkproto.Event) {
	if ev.Seq <= st.Seq {
		return
	}
	st.Seq = ev.Seq
	switch ev.Name {
	case uplinkproto.EventDayStarted:
		st.Day = ev.Day
		for _, s := range st.Services {
			s.Waiting = nil
		}
		for _, c := range st.Counters {
			c.Serving, c.State, c.Served, c.Waiting = nil, "closed", 0, nil
		}
	case uplinkproto.EventDeviceStatus:
		if ev.Device != nil {
			i := slices.IndexFunc(st.Devices, func(d uplinkproto.Device) bool { return d.Name == ev.Device.Name })
			if i < 0 && len(st.Devices) < maxLive {
				st.Devices = append(st.Devices, *ev.Device)
			} else if i >= 0 {
				st.Devices[i] = *ev.Device
			}
		}
	}
	if t := ev.Ticket; t != nil {
		for _, s := range st.Services {
			s.Waiting = slices.DeleteFunc(s.Waiting, func(w *uplinkproto.Ticket) bool { return w.ID == t.ID })
		}
		for _, c := range st.Counters {
			if c.Serving != nil && c.Serving.ID == t.ID {
				c.Serving = nil
			}
		}
		switch t.Status {
		case uplinkproto.StatusWaiting:
			for _, s := range st.Services {
				if s.ID == t.Service && len(s.Waiting) < maxLive {
					s.Waiting = append(s.Waiting, t)
				}
			}
		case uplinkproto.StatusCalled:
			if t.Counter != nil {
				for _, c := range st.Counters {
					if c.ID == *t.Counter {
						c.Serving = t
					}
				}
			}
		}
	}
	if c := ev.Counter; c != nil {
		i := slices.IndexFunc(st.Counters, func(x *uplinkproto.Counter) bool { return x.ID == c.ID })
		if i < 0 && len(st.Counters) < maxLive {
			st.Counters = append(st.Counters, c)
		} else if i >= 0 {
			st.Counters[i] = c
		}
	}
}
