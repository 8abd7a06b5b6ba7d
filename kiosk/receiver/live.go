package receiver

import (
	"slices"

	"motcua/kiosk/queue"
)

// apply updates a live queue with one event. Events carry the tickets
// and counters as they are after the change, so applying is replacing.
// Events at or before the state's seq are ignored.
func apply(st *queue.State, ev *queue.Event) {
	if ev.Seq <= st.Seq {
		return
	}
	st.Seq = ev.Seq
	switch ev.Name {
	case queue.DayStarted:
		st.Day = ev.Day
		for _, s := range st.Services {
			s.Waiting = nil
		}
		for _, c := range st.Counters {
			c.Serving, c.State, c.Served = nil, queue.Closed, 0
		}
	case queue.DeviceStatus:
		if ev.Device != nil {
			i := slices.IndexFunc(st.Devices, func(d queue.Device) bool { return d.Name == ev.Device.Name })
			if i < 0 {
				st.Devices = append(st.Devices, *ev.Device)
			} else {
				st.Devices[i] = *ev.Device
			}
		}
	}
	if t := ev.Ticket; t != nil {
		for _, s := range st.Services {
			s.Waiting = slices.DeleteFunc(s.Waiting, func(w *queue.Ticket) bool { return w.ID == t.ID })
		}
		for _, c := range st.Counters {
			if c.Serving != nil && c.Serving.ID == t.ID {
				c.Serving = nil
			}
		}
		switch t.Status {
		case queue.Waiting:
			for _, s := range st.Services {
				if s.ID == t.Service {
					s.Waiting = append(s.Waiting, t)
				}
			}
		case queue.Called:
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
		i := slices.IndexFunc(st.Counters, func(x *queue.Counter) bool { return x.ID == c.ID })
		if i < 0 {
			st.Counters = append(st.Counters, c)
		} else {
			st.Counters[i] = c
		}
	}
}
