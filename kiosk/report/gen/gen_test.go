package gen_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"motcua/kiosk/config"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/queue"
	"motcua/kiosk/report/gen"
)

func generate(t *testing.T, seed uint64) ([][]byte, map[string]int) {
	t.Helper()
	log, err := eventlog.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	// Friday, Saturday, Sunday (closed), Monday.
	n, err := gen.Generate(context.Background(), config.Demo(), log, gen.Options{Seed: seed, From: "2025-01-03", Days: 4, TicketsPerDay: 200})
	if err != nil {
		t.Fatal(err)
	}
	var all [][]byte
	names := map[string]int{}
	days := map[string]bool{}
	if _, err := log.Since(context.Background(), 0, 0, func(r eventlog.Record) error {
		all = append(all, r.Data)
		var ev queue.Event
		if err := json.Unmarshal(r.Data, &ev); err != nil {
			return err
		}
		names[ev.Name]++
		days[ev.Day] = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if int64(len(all)) != n {
		t.Errorf("Generate said %d events, the log holds %d", n, len(all))
	}
	if len(days) != 3 || days["2025-01-05"] {
		t.Errorf("days: got %v, want Friday, Saturday and Monday", days)
	}
	return all, names
}

func TestSeeded(t *testing.T) {
	a, names := generate(t, 7)
	b, _ := generate(t, 7)
	if len(a) != len(b) {
		t.Fatalf("same seed: %d and %d events", len(a), len(b))
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			t.Fatalf("same seed: event %d differs:\n%s\n%s", i+1, a[i], b[i])
		}
	}
	c, _ := generate(t, 8)
	if len(c) == len(a) && bytes.Equal(c[len(c)-1], a[len(a)-1]) {
		t.Error("another seed gave the same log")
	}
	// 200 + 80 (Saturday) + 200 tickets, and every kind of event a
	// report reads.
	if got := names[queue.TicketIssued]; got != 480 {
		t.Errorf("tickets: got %d, want 480", got)
	}
	for _, name := range []string{queue.DayStarted, queue.TicketCalled, queue.TicketRecalled, queue.TicketDone, queue.TicketNoShow,
		queue.TicketTransferred, queue.TicketRated, queue.CounterOpened, queue.CounterPaused, queue.CounterResumed, queue.CounterClosed} {
		if names[name] == 0 {
			t.Errorf("no %s event", name)
		}
	}
}
