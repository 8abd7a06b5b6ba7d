package sim

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"motcua/display"
)

// State is what one simulated display shows.
type State struct {
	Counter    int                `json:"counter"`
	Text       string             `json:"text"` // the characters lit, display.Format of the content
	Content    display.Content    `json:"-"`
	Blink      bool               `json:"blink"`
	Brightness display.Brightness `json:"brightness"`
	Halted     bool               `json:"halted"`
	Failing    bool               `json:"failing"`
}

// ErrFailing is returned by a display made to fail with [Dev.SetFailing].
var ErrFailing = errors.New("sim: display not answering (simulated)")

// Room is a set of simulated displays, one per counter.
type Room struct {
	mu       sync.Mutex
	devs     map[int]*Dev
	onChange func(State)
}

// NewRoom returns an empty room. onChange, if not nil, is called with the
// new state after every change of a display, without the room's lock held;
// calls for one display come in order.
func NewRoom(onChange func(State)) *Room {
	return &Room{devs: map[int]*Dev{}, onChange: onChange}
}

// Add returns the display of counter, width characters wide (0 means 4),
// creating it if needed.
func (r *Room) Add(counter, width int) *Dev {
	r.mu.Lock()
	defer r.mu.Unlock()
	if d, ok := r.devs[counter]; ok {
		return d
	}
	if width <= 0 {
		width = 4
	}
	d := &Dev{room: r, width: width, counter: counter, st: State{Counter: counter, Text: display.Format(display.Content{}, width), Brightness: display.MaxBrightness}}
	r.devs[counter] = d
	return d
}

// Snapshot returns the state of every display, by counter id.
func (r *Room) Snapshot() []State {
	r.mu.Lock()
	devs := make([]*Dev, 0, len(r.devs))
	for _, d := range r.devs {
		devs = append(devs, d)
	}
	r.mu.Unlock()
	out := make([]State, 0, len(devs))
	for _, d := range devs {
		out = append(out, d.Snapshot())
	}
	slices.SortFunc(out, func(a, b State) int { return a.Counter - b.Counter })
	return out
}

// Dev is one simulated display. It is safe for concurrent use.
type Dev struct {
	room    *Room
	width   int
	counter int

	mu      sync.Mutex // also orders onChange calls
	st      State
	failing bool
}

var (
	_ display.Counter = (*Dev)(nil)
	_ display.Dimmer  = (*Dev)(nil)
	_ display.Blinker = (*Dev)(nil)
)

// String returns e.g. "sim display 3".
func (d *Dev) String() string { return fmt.Sprintf("sim display %d", d.counter) }

// Snapshot returns what the display shows.
func (d *Dev) Snapshot() State {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.st
}

// SetFailing makes every call fail with ErrFailing (true) or work (false).
func (d *Dev) SetFailing(f bool) {
	d.change(func(s *State) error { d.failing = f; s.Failing = f; return nil }, true)
}

// change applies f under the lock unless the display is failing, then
// reports the new state if it changed.
func (d *Dev) change(f func(*State) error, always bool) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.failing && !always {
		return ErrFailing
	}
	before := d.st
	if err := f(&d.st); err != nil {
		return err
	}
	if d.st != before && d.room.onChange != nil {
		d.room.onChange(d.st)
	}
	return nil
}

// Show shows c.
func (d *Dev) Show(c display.Content) error {
	return d.change(func(s *State) error {
		s.Content, s.Text, s.Halted = c, display.Format(c, d.width), false
		return nil
	}, false)
}

// Blank shows nothing.
func (d *Dev) Blank() error { return d.Show(display.Content{}) }

// Halt blanks the display and marks it halted.
func (d *Dev) Halt() error {
	return d.change(func(s *State) error {
		s.Content, s.Text, s.Blink, s.Halted = display.Content{}, display.Format(display.Content{}, d.width), false, true
		return nil
	}, false)
}

// SetBlink records whether the display blinks.
func (d *Dev) SetBlink(on bool) error {
	return d.change(func(s *State) error { s.Blink = on; return nil }, false)
}

// SetBrightness records the brightness.
func (d *Dev) SetBrightness(b display.Brightness) error {
	return d.change(func(s *State) error { s.Brightness = min(b, display.MaxBrightness); return nil }, false)
}
