package eventlog

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"motcua/kiosk/queue"
)

func ev(seq int64, name string) queue.Event {
	return queue.Event{Type: "event", Seq: seq, Name: name, Day: "2026-11-26",
		At: time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC), Ticket: &queue.Ticket{ID: fmt.Sprint("t", seq)}}
}

func TestLockedDirectory(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); !errors.Is(err, ErrLocked) {
		t.Errorf("second open: got %v, want %v", err, ErrLocked)
	}
	l.Close()
	l2, err := Open(dir)
	if err != nil {
		t.Fatalf("open after close: %v", err)
	}
	l2.Close()
}

func TestAppendInOrderAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Append([]queue.Event{ev(1, queue.DayStarted), ev(2, queue.TicketIssued)}); err != nil {
		t.Fatal(err)
	}
	if err := l.Append([]queue.Event{ev(4, queue.TicketIssued)}); !errors.Is(err, ErrGap) {
		t.Errorf("gap: got %v, want %v", err, ErrGap)
	}
	if err := l.Append([]queue.Event{ev(2, queue.TicketIssued)}); !errors.Is(err, ErrGap) {
		t.Errorf("repeat: got %v, want %v", err, ErrGap)
	}
	l.Close()

	l, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l.Last() != 2 || l.Durable() != 2 {
		t.Fatalf("after reopen: last %d durable %d, want 2", l.Last(), l.Durable())
	}
	if err := l.Append([]queue.Event{ev(3, queue.TicketIssued)}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var got []int64
	if _, err := l.Since(ctx, 1, 0, func(r Record) error { got = append(got, r.Seq); return nil }); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[2 3]" {
		t.Errorf("since 1: got %v, want [2 3]", got)
	}
	if first, _ := l.First(ctx); first != 1 {
		t.Errorf("first: got %d, want 1", first)
	}
	if ds, _ := l.DayStart(ctx); ds != 1 {
		t.Errorf("day start: got %d, want 1", ds)
	}
	e, err := l.Ticket(ctx, "t3")
	if err != nil || e == nil || e.Seq != 3 {
		t.Errorf("ticket t3: got %+v %v", e, err)
	}
}

// TestGroupCommit appends from many goroutines at once and checks that
// every event is stored once, in sequence, that subscribers see them in
// order, and that fewer commits than events were needed.
func TestGroupCommit(t *testing.T) {
	l, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var mu sync.Mutex
	var seen []int64
	commits := 0
	l.OnCommit = func(recs []Record) {
		mu.Lock()
		defer mu.Unlock()
		commits++
		for _, r := range recs {
			seen = append(seen, r.Seq)
		}
	}
	const n = 2000
	var order sync.Mutex // what the room's mutex does: seq order = enqueue order
	var next int64
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range n / 16 {
				order.Lock()
				next++
				wait := l.Enqueue([]queue.Event{ev(next, queue.TicketIssued)})
				order.Unlock()
				if err := wait(); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != n {
		t.Fatalf("subscribers saw %d events, want %d", len(seen), n)
	}
	for i, s := range seen {
		if s != int64(i+1) {
			t.Fatalf("event %d has seq %d: out of order", i, s)
		}
	}
	if commits >= n {
		t.Errorf("%d commits for %d events from 16 writers: no grouping", commits, n)
	}
	t.Logf("%d events in %d commits", n, commits)
}

func TestPrintRecords(t *testing.T) {
	l, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	l.Append([]queue.Event{ev(1, queue.DayStarted), ev(2, queue.TicketIssued), ev(3, queue.TicketIssued)})
	at := time.Date(2026, 11, 26, 8, 1, 0, 0, time.UTC)
	if err := l.SetPrint(ctx, "t2", "2026-11-26", PrintUnprinted, "hết giấy", at); err != nil {
		t.Fatal(err)
	}
	if err := l.SetPrint(ctx, "t2", "2026-11-26", PrintPrinted, "", at.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	recs, err := l.Prints(ctx, "2026-11-26")
	if err != nil {
		t.Fatal(err)
	}
	if r := recs["t2"]; r.State != PrintPrinted || r.Attempts != 2 || !r.At.Equal(at.Add(time.Minute)) {
		t.Errorf("t2: got %+v, want printed after 2 attempts", r)
	}
	ids, err := l.Issued(ctx, "2026-11-26", 2)
	if err != nil || fmt.Sprint(ids) != "[t2]" {
		t.Errorf("issued up to seq 2: got %v %v, want [t2]", ids, err)
	}
}

// TestLargeBatch appends more events at once than one INSERT takes.
func TestLargeBatch(t *testing.T) {
	l, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var evs []queue.Event
	for i := range 101 {
		evs = append(evs, ev(int64(i+1), queue.TicketIssued))
	}
	done := make(chan error, 1)
	go func() { done <- l.Append(evs) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Append of 101 events did not return")
	}
	n := 0
	l.Since(context.Background(), 0, 0, func(Record) error { n++; return nil })
	if n != 101 {
		t.Errorf("stored %d events, want 101", n)
	}
}
