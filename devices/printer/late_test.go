package printer_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"motcua/devices/printer"
	"motcua/devices/printer/printertest"
)

// stepClock hands out timers the test fires by duration, so one kind of
// wait (a reply timeout, the idle poll, the settle window) passes while the
// others keep waiting.
type stepClock struct {
	mu     sync.Mutex
	now    time.Time
	asked  chan time.Duration
	timers map[time.Duration][]chan time.Time
}

func newStepClock() *stepClock {
	return &stepClock{
		now:    time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC),
		asked:  make(chan time.Duration, 100),
		timers: map[time.Duration][]chan time.Time{},
	}
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *stepClock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	c.mu.Lock()
	c.timers[d] = append(c.timers[d], ch)
	c.mu.Unlock()
	c.asked <- d
	return ch
}

// fire moves time on by d and fires the pending timers of duration d.
func (c *stepClock) fire(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	ts := c.timers[d]
	delete(c.timers, d)
	now := c.now
	c.mu.Unlock()
	for _, t := range ts {
		t <- now
	}
}

// waitAsk waits until the supervisor asks for a timer of duration d,
// skipping other asks.
func (c *stepClock) waitAsk(t *testing.T, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for {
		if got := recv(t, ctx, c.asked); got == d {
			return
		}
	}
}

func nextStatus(t *testing.T, ch chan printer.Status) printer.Status {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	return recv(t, ctx, ch)
}

// A printer that answers a status query after the reply timeout: its late
// replies must not be taken as the answers to the next query. They say
// what the printer was when asked; meanwhile it changed. The status after
// the timeout must be the printer's state now, and no job may go out while
// it is not ready.
func TestLateRepliesAreNotTakenForNewOnes(t *testing.T) {
	const (
		poll     = time.Hour
		reply    = time.Second
		jobReply = 10 * time.Second
		settle   = 300 * time.Millisecond
	)
	tests := []struct {
		name   string
		before printertest.Paper // when the slow query came
		now    printertest.Paper // when its replies come in
		want   string            // the status after the timeout
	}{
		{"ran out meanwhile", printertest.PaperOK, printertest.PaperOut, printer.CodePaperOut},
		{"paper loaded meanwhile", printertest.PaperOut, printertest.PaperOK, printer.CodeOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			em := printertest.New()
			em.SetPaper(tt.before)
			clk := newStepClock()
			sup, status, results := pipeSupervisor(t, em, printer.Config{
				Clock: clk, PollInterval: poll, ReplyTimeout: reply, JobReplyTimeout: jobReply, Settle: settle,
			})
			first := statusOfPaper(tt.before)
			waitCode(t, status, first)
			clk.waitAsk(t, poll)

			// The next poll's replies are held back past the timeout.
			em.HoldReplies()
			clk.fire(poll)
			clk.waitAsk(t, reply)
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			if err := em.Wait(ctx, func(s printertest.Snapshot) bool { return s.Queries == 8 }); err != nil {
				t.Fatal(err)
			}
			clk.fire(reply)
			if s := nextStatus(t, status); s.Code != printer.CodeNoAnswer {
				t.Fatalf("after the timeout: got %s, want %s", s.Code, printer.CodeNoAnswer)
			}
			clk.waitAsk(t, poll)

			// The paper changes, a job comes, and the late replies come
			// in once the supervisor has moved on to its next check:
			// right after it sent its queries, or while it waits for the
			// line to settle.
			em.SetPaper(tt.now)
			if err := sup.Submit(printer.Job{ID: "late", Data: job}); err != nil {
				t.Fatal(err)
			}
			recv(t, ctx, clk.asked)
			if err := em.ReleaseReplies(); err != nil {
				t.Fatal(err)
			}
			if s := nextStatus(t, status); s.Code != tt.want {
				t.Fatalf("after the late replies: got %s (%v), want %s: the late replies were taken for the new ones", s.Code, s.Printer, tt.want)
			}
			if tt.want != printer.CodeOK {
				// Not ready: the job waits until the paper is back.
				clk.waitAsk(t, poll)
				if n := len(em.Jobs()) + len(em.Lost()); n != 0 {
					t.Fatalf("got %d jobs at the printer while it is out of paper, want 0", n)
				}
				em.SetPaper(printertest.PaperOK)
				clk.fire(poll)
				if s := nextStatus(t, status); s.Code != printer.CodeOK {
					t.Fatalf("paper back: got %s, want ok", s.Code)
				}
			}
			if r := nextResult(t, results); r.ID != "late" || !r.Printed || r.Requeued {
				t.Fatalf("got %+v, want late printed", r)
			}
			if n := len(em.Lost()); n != 0 {
				t.Errorf("got %d jobs sent while the printer was out of paper, want 0", n)
			}
			if n := len(em.Jobs()); n != 1 {
				t.Errorf("got %d tickets on paper, want 1", n)
			}
			select {
			case s := <-status:
				t.Errorf("status changed again to %s, want it to stay ok", s.Code)
			default:
			}
		})
	}
}

func statusOfPaper(p printertest.Paper) string {
	if p == printertest.PaperOut {
		return printer.CodePaperOut
	}
	return printer.CodeOK
}

// When the replies to a query that timed out never come, the next query
// goes out once the line has been quiet for Config.Settle, not before.
func TestSettleAfterNoAnswer(t *testing.T) {
	const (
		poll   = time.Hour
		reply  = time.Second
		settle = 300 * time.Millisecond
	)
	em := printertest.New()
	clk := newStepClock()
	sup, status, results := pipeSupervisor(t, em, printer.Config{
		Clock: clk, PollInterval: poll, ReplyTimeout: reply, JobReplyTimeout: 10 * time.Second, Settle: settle,
	})
	waitCode(t, status, printer.CodeOK)
	clk.waitAsk(t, poll)
	em.SetSilent(true)
	clk.fire(poll)
	clk.waitAsk(t, reply)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := em.Wait(ctx, func(s printertest.Snapshot) bool { return s.Queries == 8 }); err != nil {
		t.Fatal(err)
	}
	clk.fire(reply)
	if s := nextStatus(t, status); s.Code != printer.CodeNoAnswer {
		t.Fatalf("got %s, want %s", s.Code, printer.CodeNoAnswer)
	}
	clk.waitAsk(t, poll)
	em.SetSilent(false)
	if err := sup.Submit(printer.Job{ID: "s", Data: job}); err != nil {
		t.Fatal(err)
	}
	if d := recv(t, ctx, clk.asked); d != settle {
		t.Fatalf("after a timeout the next check waited %v, want the settle time %v", d, settle)
	}
	if q := em.Queries(); q != [5]int{0, 2, 2, 2, 2} {
		t.Fatalf("queries before the line settled: got %v, want two of each", q)
	}
	clk.fire(settle)
	if s := nextStatus(t, status); s.Code != printer.CodeOK {
		t.Fatalf("got %s, want ok", s.Code)
	}
	if r := nextResult(t, results); r.ID != "s" || !r.Printed {
		t.Fatalf("got %+v, want s printed", r)
	}
}

// logSignal is a slog handler that passes each message on.
type logSignal chan string

func (l logSignal) Enabled(context.Context, slog.Level) bool { return true }
func (l logSignal) Handle(_ context.Context, r slog.Record) error {
	select {
	case l <- r.Message:
	default:
	}
	return nil
}
func (l logSignal) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l logSignal) WithGroup(string) slog.Handler      { return l }

// With automatic status back on, replies that come in late while the
// supervisor idles must not bring back the status of the last full answer:
// only a status block or a new answer is news.
func TestLateRepliesWhileIdleWithASB(t *testing.T) {
	const (
		poll  = time.Hour
		reply = time.Second
	)
	em := printertest.New()
	clk := newStepClock()
	logs := make(logSignal, 100)
	_, status, _ := pipeSupervisor(t, em, printer.Config{
		Clock: clk, PollInterval: poll, ReplyTimeout: reply, JobReplyTimeout: 10 * time.Second,
		Logger: slog.New(logs),
	})
	waitCode(t, status, printer.CodeOK)
	clk.waitAsk(t, poll)
	// An all-well status block: the printer has ASB on.
	if err := em.Inject([]byte{0x10, 0, 0, 0}); err != nil {
		t.Fatal(err)
	}
	em.HoldReplies()
	clk.fire(poll)
	clk.waitAsk(t, reply)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := em.Wait(ctx, func(s printertest.Snapshot) bool { return s.Queries == 8 }); err != nil {
		t.Fatal(err)
	}
	clk.fire(reply)
	if s := nextStatus(t, status); s.Code != printer.CodeNoAnswer {
		t.Fatalf("got %s, want %s", s.Code, printer.CodeNoAnswer)
	}
	clk.waitAsk(t, poll)
	em.SetPaper(printertest.PaperOut)
	for len(logs) > 0 {
		<-logs
	}
	if err := em.ReleaseReplies(); err != nil {
		t.Fatal(err)
	}
	// The late replies are taken (and logged) while idle. Wait for that
	// line itself: the timeout's own status line may come after the drain
	// above, and a poll fired before the replies are read would meet them
	// in flight, an hour of the test clock after the line went quiet.
	for recv(t, ctx, (<-chan string)(logs)) != "printer answered after the timeout; replies dropped" {
	}
	clk.fire(poll)
	if s := nextStatus(t, status); s.Code != printer.CodePaperOut {
		t.Fatalf("after the late replies: got %s, want %s", s.Code, printer.CodePaperOut)
	}
}
