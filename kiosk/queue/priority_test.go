package queue

import (
	"errors"
	"testing"
	"time"

	"motcua/kiosk/config"
)

// TestPriorityCaps checks that no normal ticket waits past
// queue.max_priority_calls priority calls of its service or
// queue.max_wait, whatever the ratio.
func TestPriorityCaps(t *testing.T) {
	tests := []struct {
		name   string
		ratio  int
		calls  int
		wait   time.Duration
		script string
		want   string
	}{{
		name:  "no cap: the ratio alone",
		ratio: 3,
		script: `
08:00:00 walk dat-dai
08:01:00 prio dat-dai
08:02:00 prio dat-dai
08:03:00 prio dat-dai
08:04:00 prio dat-dai
08:10:00 next 1
08:11:00 next 1
08:12:00 next 1
08:13:00 next 1
08:14:00 next 1`,
		want: "A002 A003 A004 A001 A005",
	}, {
		name:  "two priority calls at most",
		ratio: 3,
		calls: 2,
		script: `
08:00:00 walk dat-dai
08:01:00 prio dat-dai
08:02:00 prio dat-dai
08:03:00 prio dat-dai
08:04:00 prio dat-dai
08:10:00 next 1
08:11:00 next 1
08:12:00 next 1
08:13:00 next 1
08:14:00 next 1`,
		want: "A002 A003 A001 A004 A005",
	}, {
		name:  "priority calls at other counters count",
		ratio: 3,
		calls: 2,
		script: `
08:00:00 walk dat-dai
08:01:00 prio dat-dai
08:02:00 prio dat-dai
08:03:00 prio dat-dai
08:10:00 next 2
08:11:00 next 1
08:12:00 next 2`,
		want: "A002 A003 A001",
	}, {
		name:  "a normal ticket issued later waits for its own count",
		ratio: 5,
		calls: 2,
		script: `
08:00:00 prio dat-dai
08:00:01 prio dat-dai
08:00:02 prio dat-dai
08:00:03 prio dat-dai
08:01:00 next 1
08:02:00 walk dat-dai
08:03:00 next 1
08:04:00 next 1
08:05:00 next 1`,
		want: "A001 A002 A003 A005",
	}, {
		name:  "thirty minutes at most",
		ratio: 5,
		wait:  30 * time.Minute,
		script: `
08:00:00 walk dat-dai
08:01:00 prio dat-dai
08:02:00 prio dat-dai
08:03:00 prio dat-dai
08:10:00 next 1
08:29:59 next 1
08:30:00 next 1
08:31:00 next 1`,
		want: "A002 A003 A001 A004",
	}, {
		name:  "a booking waits from its from time",
		ratio: 5,
		wait:  30 * time.Minute,
		script: `
07:00:00 book HN1 dat-dai 08:00 08:30
08:25:00 checkin HN1
08:26:00 prio dat-dai
08:27:00 prio dat-dai
08:28:00 next 1
08:30:00 next 1
08:31:00 next 1`,
		want: "A002 A001 A003",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := apptConfig()
			cfg.Queue.PriorityRatio = tt.ratio
			cfg.Queue.MaxPriorityCalls = tt.calls
			cfg.Queue.MaxWait = config.Duration(tt.wait)
			v := newApptEnv(t, "2026-12-03 06:00:00", cfg)
			v.open(1, 2)
			if got := v.run(tt.script); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
			// The counts come back with a replay.
			r := replay(t, cfg, v.log)
			for id, s := range v.e.services {
				if r.services[id].prioCalls != s.prioCalls {
					t.Errorf("%s: replayed prioCalls %d, want %d", id, r.services[id].prioCalls, s.prioCalls)
				}
			}
		})
	}
}

func TestIssueCategory(t *testing.T) {
	cfg := apptConfig()
	cfg.Priorities = config.DefaultPriorities()
	v := newApptEnv(t, "2026-12-03 08:00:00", cfg)
	evs := v.must(v.e.IssueCategory("dat-dai", false, "pregnant"))
	tk := evs[len(evs)-1].Ticket
	if !tk.Priority || tk.Category != "pregnant" {
		t.Errorf("got priority %v category %q, want true pregnant", tk.Priority, tk.Category)
	}
	evs = v.must(v.e.IssueCategory("dat-dai", true, ""))
	if tk := evs[len(evs)-1].Ticket; !tk.Priority || tk.Category != "" {
		t.Errorf("plain priority: got %v %q", tk.Priority, tk.Category)
	}
	if _, err := v.e.IssueCategory("dat-dai", false, "vip"); !errors.Is(err, ErrUnknownCategory) {
		t.Errorf("unknown category: got %v, want %v", err, ErrUnknownCategory)
	}
}
