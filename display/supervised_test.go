package display_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"motcua/display"
)

// fake is a display that records what it is asked to do.
type fake struct {
	mu    sync.Mutex
	ops   []string
	fails int // fail this many more calls
	block chan struct{}
}

var errBroken = errors.New("fake: no answer")

func (f *fake) do(op string) error {
	if f.block != nil {
		<-f.block
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fails > 0 {
		f.fails--
		f.ops = append(f.ops, "fail "+op)
		return errBroken
	}
	f.ops = append(f.ops, op)
	return nil
}

func (f *fake) Show(c display.Content) error { return f.do("show " + c.Text) }
func (f *fake) Blank() error                 { return f.do("blank") }
func (f *fake) Halt() error                  { return f.do("halt") }
func (f *fake) String() string               { return "fake" }

func (f *fake) takeOps() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	o := f.ops
	f.ops = nil
	return o
}

// blinker can blink and dim.
type blinker struct {
	fake
	unsupported bool
}

func (b *blinker) SetBlink(on bool) error {
	if b.unsupported {
		return fmt.Errorf("blinker: %w", display.ErrUnsupported)
	}
	return b.do(fmt.Sprintf("blink %v", on))
}

func (b *blinker) SetBrightness(v display.Brightness) error {
	return b.do(fmt.Sprintf("bright %d", v))
}

// run starts s.Run in the bubble and stops it when the test ends.
func run(t *testing.T, s *display.Supervised) {
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run: %v", err)
		}
	})
}

func TestSupervisedSet(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fake{}
		var statuses []display.Status
		s := display.NewSupervised(f, display.Options{OnStatus: func(st display.Status) { statuses = append(statuses, st) }})
		s.Set(display.Content{Counter: 1, Text: "A023"})
		run(t, s)
		synctest.Wait()
		s.Set(display.Content{Counter: 1, Text: "A023"}) // unchanged: no traffic
		synctest.Wait()
		s.Set(display.Content{})
		synctest.Wait()
		if got, want := f.takeOps(), []string{"show A023", "blank"}; !slices.Equal(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
		if len(statuses) != 1 || !statuses[0].OK || statuses[0].Display != "fake" {
			t.Errorf("statuses %+v, want one OK", statuses)
		}
	})
}

func TestSupervisedSoftwareBlink(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fake{}
		s := display.NewSupervised(f, display.Options{BlinkFor: 5 * time.Second, BlinkPeriod: time.Second})
		// The call comes before Run starts, so that Run's first write is
		// the call and not the blank it starts with.
		s.Call(display.Content{Text: "B7"})
		run(t, s)
		time.Sleep(10 * time.Second)
		synctest.Wait()
		want := []string{"show B7"}
		for range 5 {
			want = append(want, "blank", "show B7")
		}
		if got := f.takeOps(); !slices.Equal(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	})
}

func TestSupervisedHardwareBlink(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := &blinker{}
		s := display.NewSupervised(b, display.Options{BlinkFor: 3 * time.Second})
		s.SetBrightness(20) // clamped to 15
		// The call comes before Run starts, so that Run's first write is
		// the call and not the blank it starts with.
		s.Call(display.Content{Text: "A001"})
		run(t, s)
		synctest.Wait()
		if got, want := b.takeOps(), []string{"bright 15", "show A001", "blink true"}; !slices.Equal(got, want) {
			t.Errorf("start: got %q, want %q", got, want)
		}
		time.Sleep(3 * time.Second)
		synctest.Wait()
		if got, want := b.takeOps(), []string{"blink false"}; !slices.Equal(got, want) {
			t.Errorf("after BlinkFor: got %q, want %q", got, want)
		}
	})
}

func TestSupervisedBlinkUnsupportedFallsBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := &blinker{unsupported: true}
		s := display.NewSupervised(b, display.Options{BlinkFor: time.Second, BlinkPeriod: time.Second})
		run(t, s)
		s.Call(display.Content{Text: "C9"})
		time.Sleep(2 * time.Second)
		synctest.Wait()
		got := b.takeOps()
		if !slices.Contains(got, "blank") || got[len(got)-1] != "show C9" {
			t.Errorf("got %q, want software blinking ending on show C9", got)
		}
		if st := s.Status(); !st.OK {
			t.Errorf("status %+v: an unsupported blink is not a failure", st)
		}
	})
}

func TestSupervisedRetriesWithBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fake{fails: 3}
		var statuses []display.Status
		s := display.NewSupervised(f, display.Options{
			MinBackoff: time.Second, MaxBackoff: 4 * time.Second,
			OnStatus: func(st display.Status) { statuses = append(statuses, st) },
		})
		start := time.Now()
		s.Set(display.Content{Text: "A001"})
		run(t, s)
		synctest.Wait()
		s.Set(display.Content{Text: "A002"}) // while failing: only the latest is retried
		synctest.Wait()
		if got := f.takeOps(); !slices.Equal(got, []string{"fail show A001"}) {
			t.Fatalf("got %q, want one failed attempt before the backoff", got)
		}
		if st := s.Status(); st.OK || !errors.Is(st.Err, errBroken) || st.Failures != 1 || st.Retry < 500*time.Millisecond || st.Retry > time.Second {
			t.Errorf("status %+v, want failing once, retry in 0.5–1 s", st)
		}
		time.Sleep(8 * time.Second) // backoffs ≤ 1 + 2 + 4 s
		synctest.Wait()
		if got, want := f.takeOps(), []string{"fail show A002", "fail show A002", "show A002"}; !slices.Equal(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
		if len(statuses) != 2 || statuses[0].OK || !statuses[1].OK {
			t.Errorf("statuses %+v, want failing then OK", statuses)
		}
		if el := time.Since(start); el < 1750*time.Millisecond {
			t.Errorf("recovered after %v: backoff too short", el)
		}
	})
}

func TestSupervisedSetNeverBlocks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fake{block: make(chan struct{})}
		s := display.NewSupervised(f, display.Options{})
		run(t, s)
		for i := range 100 {
			s.Set(display.Content{Text: fmt.Sprint(i)}) // Run is stuck in Show
		}
		synctest.Wait()
		close(f.block)
		synctest.Wait()
		got := f.takeOps()
		if len(got) > 2 || got[len(got)-1] != "show 99" {
			t.Errorf("got %q, want at most 2 shows ending with the latest", got)
		}
	})
}
