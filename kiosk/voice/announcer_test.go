package voice

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
)

// gatePlayer records the start and end of every Play and holds each
// playback until the test releases it, so the test decides when a call
// "finishes" without sleeping.
type gatePlayer struct {
	started chan []byte   // receives each WAV when its playback starts
	release chan struct{} // one value ends one playback
	mu      sync.Mutex
	active  int
	overlap bool
	events  []string
}

func newGatePlayer() *gatePlayer {
	return &gatePlayer{started: make(chan []byte), release: make(chan struct{})}
}

func (p *gatePlayer) Play(ctx context.Context, wav []byte) error {
	p.mu.Lock()
	p.active++
	if p.active > 1 {
		p.overlap = true
	}
	p.events = append(p.events, "start")
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.active--
		p.events = append(p.events, "stop")
		p.mu.Unlock()
	}()
	select {
	case p.started <- wav:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-p.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func TestAnnouncerOrderAndRecall(t *testing.T) {
	v, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := newGatePlayer()
	a := NewAnnouncer(v, p, 8, nil)
	calls := []Call{{"A001", 1}, {"B002", 2}, {"A001", 1}} // the third is a recall
	for _, c := range calls[:2] {
		if err := a.Say(c); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- a.Run(ctx) }()

	for i, c := range calls {
		wav := <-p.started
		want, err := v.CallWAV(c.Number, c.Counter)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(wav, want) {
			t.Errorf("playback %d is not the call of %s to counter %d", i, c.Number, c.Counter)
		}
		if i == 0 {
			// The recall comes while the first call plays: it must wait.
			if err := a.Say(calls[2]); err != nil {
				t.Fatal(err)
			}
		}
		p.release <- struct{}{}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run returned %v, want nil", err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.overlap {
		t.Error("two calls played at once")
	}
	if got, want := fmt.Sprint(p.events), "[start stop start stop start stop]"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestAnnouncerQueueFull(t *testing.T) {
	v, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	rec := &Recorder{}
	a := NewAnnouncer(v, rec, 2, nil)
	for i := range 2 {
		if err := a.Say(Call{fmt.Sprintf("A%03d", i), 1}); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Say(Call{"A009", 1}); !errors.Is(err, ErrQueueFull) {
		t.Errorf("got %v, want ErrQueueFull", err)
	}
	if err := a.Say(Call{"A-B", 1}); !errors.Is(err, ErrNumber) {
		t.Errorf("got %v, want ErrNumber", err)
	}
	if got := a.Pending(); got != 2 {
		t.Errorf("Pending() = %d, want 2", got)
	}
}

// doneRecorder is a Recorder that reports each playback.
type doneRecorder struct {
	Recorder
	played chan struct{}
}

func (r *doneRecorder) Play(ctx context.Context, wav []byte) error {
	err := r.Recorder.Play(ctx, wav)
	r.played <- struct{}{}
	return err
}

func TestAnnouncerRecorder(t *testing.T) {
	v, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	rec := &doneRecorder{played: make(chan struct{})}
	a := NewAnnouncer(v, rec, 0, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- a.Run(ctx) }()
	for _, c := range []Call{{"A1", 1}, {"A1", 1}} {
		if err := a.Say(c); err != nil {
			t.Fatal(err)
		}
		<-rec.played
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	played := rec.Played()
	if len(played) != 2 || !bytes.Equal(played[0], played[1]) {
		t.Errorf("got %d playbacks, want the call twice", len(played))
	}
}

func TestAnnouncerCancelDuringPlay(t *testing.T) {
	v, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := newGatePlayer()
	a := NewAnnouncer(v, p, 1, nil)
	if err := a.Say(Call{"A1", 1}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- a.Run(ctx) }()
	<-p.started
	cancel() // never released: Run must still return
	if err := <-done; err != nil {
		t.Errorf("Run returned %v, want nil", err)
	}
}
