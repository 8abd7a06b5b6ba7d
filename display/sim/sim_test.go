package sim_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"motcua/display"
	"motcua/display/sim"
)

func TestRoom(t *testing.T) {
	var changes []sim.State
	r := sim.NewRoom(func(s sim.State) { changes = append(changes, s) })
	d2 := r.Add(2, 8)
	d1 := r.Add(1, 0)
	if r.Add(1, 6) != d1 {
		t.Error("Add of an existing counter made a new display")
	}
	if err := d1.Show(display.Content{Counter: 1, Text: "A023"}); err != nil {
		t.Fatal(err)
	}
	if err := d2.Show(display.Content{Counter: 2, Text: "B001"}); err != nil {
		t.Fatal(err)
	}
	if err := d2.SetBlink(true); err != nil {
		t.Fatal(err)
	}
	_ = d1.Show(display.Content{Counter: 1, Text: "A023"}) // same: no change reported
	snap := r.Snapshot()
	if len(snap) != 2 || snap[0].Counter != 1 || snap[0].Text != "A023" || snap[1].Text != "2   B001" || !snap[1].Blink {
		t.Errorf("snapshot %+v", snap)
	}
	if len(changes) != 3 {
		t.Errorf("%d changes, want 3", len(changes))
	}
	d1.SetFailing(true)
	if err := d1.Show(display.Content{Text: "A024"}); !errors.Is(err, sim.ErrFailing) {
		t.Errorf("failing display: got %v, want ErrFailing", err)
	}
	if s := d1.Snapshot(); s.Text != "A023" || !s.Failing {
		t.Errorf("failing display changed: %+v", s)
	}
	d1.SetFailing(false)
	if err := d1.Halt(); err != nil {
		t.Fatal(err)
	}
	if s := d1.Snapshot(); s.Text != "    " || !s.Halted {
		t.Errorf("after Halt: %+v", s)
	}
}

func TestConcurrent(t *testing.T) {
	r := sim.NewRoom(nil)
	var wg sync.WaitGroup
	for c := 1; c <= 8; c++ {
		wg.Go(func() {
			d := r.Add(c, 4)
			for i := range 100 {
				_ = d.Show(display.Content{Text: fmt.Sprint(i)})
				_ = r.Snapshot()
			}
		})
	}
	wg.Wait()
	for _, s := range r.Snapshot() {
		if s.Text != "  99" {
			t.Errorf("counter %d shows %q, want the last show", s.Counter, s.Text)
		}
	}
}
