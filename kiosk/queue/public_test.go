package queue

import (
	"encoding/json"
	"testing"
	"time"
)

func TestPublicIDs(t *testing.T) {
	v := newEnv(t, "2026-11-26 08:00:00")
	seen := map[string]bool{}
	var first *Ticket
	for i := range 200 {
		tk := v.issue("dat-dai", i%7 == 0)
		if !ValidPublic(tk.Public) || seen[tk.Public] {
			t.Fatalf("ticket %s: public %q is malformed or given twice", tk.Number, tk.Public)
		}
		seen[tk.Public] = true
		if first == nil {
			first = tk
		}
	}
	got, ok := v.e.ByPublic(first.Public)
	if !ok || got.ID != first.ID || got.Status != Waiting {
		t.Fatalf("ByPublic: got %+v, %v", got, ok)
	}
	for _, bad := range []string{"", first.Public[:25], first.Public + "a", "aaaaaaaaaaaaaaaaaaaaaaaaaa"} {
		if _, ok := v.e.ByPublic(bad); ok {
			t.Errorf("ByPublic(%q) found a ticket", bad)
		}
	}

	// Closed tickets are found with their end state until the day ends.
	v.open(1)
	v.next(1)
	v.must(v.e.Done(1))
	if got, ok := v.e.ByPublic(first.Public); !ok || got.Status != Done {
		t.Fatalf("after done: got %+v, %v", got, ok)
	}

	// The id is in the event, so a replay keeps it.
	data, _ := json.Marshal(v.log)
	var evs []Event
	json.Unmarshal(data, &evs)
	e2 := New(testConfig(), v.c)
	for _, ev := range evs {
		if err := e2.Apply(ev); err != nil {
			t.Fatal(err)
		}
	}
	if got, ok := e2.ByPublic(first.Public); !ok || got.Number != first.Number {
		t.Errorf("after replay: got %+v, %v", got, ok)
	}

	v.c.add(24 * time.Hour)
	v.must(v.e.Tick(), nil)
	if _, ok := v.e.ByPublic(first.Public); ok {
		t.Error("yesterday's ticket is still found")
	}
}

func TestValidPublic(t *testing.T) {
	for s, want := range map[string]bool{
		New(testConfig(), newClock("2026-11-26 08:00:00")).newPublic(): true,
		"abcdefghijklmnopqrstuvwxyz":                                   true,
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ":                                   false,
		"abcdefghijklmnopqrstuvwxy1":                                   false,
		"abcdefghijklmnopqrstuvwxy":                                    false,
		"../../../../etc/passwd/xxxxx":                                 false,
	} {
		if got := ValidPublic(s); got != want {
			t.Errorf("ValidPublic(%q): got %v, want %v", s, got, want)
		}
	}
}
