package printer_test

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"motcua/backoff"
	"motcua/devices/printer"
	"motcua/devices/printer/printertest"
)

// fakeClock hands out timers the test fires by hand.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	asked  chan time.Duration
	timers []chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC), asked: make(chan time.Duration, 100)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	c.mu.Lock()
	c.timers = append(c.timers, ch)
	c.mu.Unlock()
	c.asked <- d
	return ch
}

// fire advances time by d and fires every pending timer.
func (c *fakeClock) fire(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	ts := c.timers
	c.timers = nil
	now := c.now
	c.mu.Unlock()
	for _, t := range ts {
		t <- now
	}
}

func recv[T any](t *testing.T, ctx context.Context, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-ctx.Done():
		t.Fatalf("timed out: %v", ctx.Err())
		panic("unreachable")
	}
}

func TestReconnectBackoff(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	clk := newFakeClock()
	opens := 0
	em := printertest.New()
	status := make(chan printer.Status, 10)
	sup, err := printer.New(printer.Config{
		Name:  "flaky",
		Clock: clk,
		Open: func(context.Context) (io.ReadWriteCloser, error) {
			opens++
			if opens <= 3 {
				return nil, errors.New("no such device")
			}
			a, b := net.Pipe()
			go em.Serve(b)
			return a, nil
		},
		Backoff:  backoff.Policy{Min: time.Second, Max: 4 * time.Second},
		OnStatus: func(s printer.Status) { status <- s },
	})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- sup.Run(ctx) }()
	if s := recv(t, ctx, status); s.Code != printer.CodeUnplugged || s.Err == nil {
		t.Errorf("got %+v, want unplugged with the error", s)
	}
	for _, top := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
		if d := recv(t, ctx, clk.asked); d < top/2 || d > top {
			t.Fatalf("waited %v, want in [%v, %v]", d, top/2, top)
		}
		clk.fire(top)
	}
	if s := recv(t, ctx, status); s.Code != printer.CodeOK {
		t.Errorf("after reconnect: got %s, want ok", s.Code)
	}
	if err := sup.Halt(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Errorf("Run: got %v, want nil", err)
	}
	if opens != 4 {
		t.Errorf("opens: got %d, want 4", opens)
	}
}

// A printer that opens but fails before it ever answers is retried ever
// less often: the backoff grows as for one that does not open (it used to
// be reset at each open, so such a printer was retried every ~0.5 s).
func TestBackoffGrowsWhenTheOpenedPrinterFails(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	clk := newFakeClock()
	sup, err := printer.New(printer.Config{
		Name:  "dead on open",
		Clock: clk,
		Open: func(context.Context) (io.ReadWriteCloser, error) {
			a, b := net.Pipe()
			b.Close() // the first status query fails
			return a, nil
		},
		Backoff: backoff.Policy{Min: time.Second, Max: 8 * time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- sup.Run(ctx) }()
	for _, top := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second} {
		if d := recv(t, ctx, clk.asked); d < top/2 || d > top {
			t.Fatalf("waited %v, want in [%v, %v]", d, top/2, top)
		}
		clk.fire(top)
	}
	sup.Halt()
	<-done
}

// pipeSupervisor runs a supervisor against an emulator over net.Pipe.
func pipeSupervisor(t *testing.T, em *printertest.Emulator, c printer.Config) (*printer.Supervisor, chan printer.Status, chan printer.Result) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	status := make(chan printer.Status, 100)
	results := make(chan printer.Result, 100)
	if c.Open == nil {
		c.Open = func(context.Context) (io.ReadWriteCloser, error) {
			a, b := net.Pipe()
			go em.Serve(b)
			return a, nil
		}
	}
	c.OnStatus = func(s printer.Status) { status <- s }
	c.OnResult = func(r printer.Result) { results <- r }
	if c.PollInterval == 0 {
		c.PollInterval = 2 * time.Millisecond
	}
	sup, err := printer.New(c)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- sup.Run(ctx) }()
	t.Cleanup(func() {
		sup.Halt()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("Run: %v", err)
		}
		cancel()
	})
	return sup, status, results
}

func waitCode(t *testing.T, ch chan printer.Status, code string) printer.Status {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for {
		s := recv(t, ctx, ch)
		if s.Code == code {
			return s
		}
	}
}

func nextResult(t *testing.T, ch chan printer.Result) printer.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	return recv(t, ctx, ch)
}

var job = []byte{0x1b, '@', 'h', 'i', '\n', 0x1d, 'V', 66, 0}

func TestPaperRunsOutDuringJob(t *testing.T) {
	em := printertest.New()
	em.RunOutAfter(1)
	sup, status, results := pipeSupervisor(t, em, printer.Config{})
	waitCode(t, status, printer.CodeOK)
	if err := sup.Submit(printer.Job{ID: "x", Data: job}); err != nil {
		t.Fatal(err)
	}
	r := nextResult(t, results)
	if r.ID != "x" || r.Printed || !r.Requeued || !errors.Is(r.Err, printer.ErrNotReady) {
		t.Fatalf("got %+v, want x requeued with ErrNotReady", r)
	}
	waitCode(t, status, printer.CodePaperOut)
	em.SetPaper(printertest.PaperOK)
	if r := nextResult(t, results); r.ID != "x" || !r.Printed {
		t.Fatalf("got %+v, want x printed", r)
	}
	if n := len(em.Jobs()); n != 2 {
		t.Errorf("got %d copies on paper, want 2 (the cut-short one and the reprint)", n)
	}
}

// A printer that goes quiet right after a job: the job may be on paper, so
// it is reported as not printed with ErrNoAnswer and not sent again.
func TestNoAnswerAfterJob(t *testing.T) {
	em := printertest.New()
	em.SilentAfter(1)
	sup, status, results := pipeSupervisor(t, em, printer.Config{JobReplyTimeout: 5 * time.Millisecond, ReplyTimeout: 5 * time.Millisecond, Settle: 5 * time.Millisecond})
	waitCode(t, status, printer.CodeOK)
	if err := sup.Submit(printer.Job{ID: "q", Data: job}); err != nil {
		t.Fatal(err)
	}
	r := nextResult(t, results)
	if r.ID != "q" || r.Printed || r.Requeued || !errors.Is(r.Err, printer.ErrNoAnswer) {
		t.Fatalf("got %+v, want ErrNoAnswer, not requeued", r)
	}
	waitCode(t, status, printer.CodeNoAnswer)
	if sup.Queued() != 0 {
		t.Errorf("queued: got %d, want 0", sup.Queued())
	}
	em.SetSilent(false)
	waitCode(t, status, printer.CodeOK)
	if n := len(em.Jobs()); n != 1 {
		t.Errorf("got %d copies, want 1", n)
	}
}

func TestFailFast(t *testing.T) {
	em := printertest.New()
	em.SetCover(true)
	sup, status, results := pipeSupervisor(t, em, printer.Config{FailFast: true})
	waitCode(t, status, printer.CodeCoverOpen)
	if err := sup.Submit(printer.Job{ID: "y", Data: job}); err != nil {
		t.Fatal(err)
	}
	if r := nextResult(t, results); r.Printed || !errors.Is(r.Err, printer.ErrNotReady) || r.Requeued {
		t.Fatalf("got %+v, want ErrNotReady", r)
	}
	if n := len(em.Jobs()) + len(em.Lost()); n != 0 {
		t.Errorf("got %d jobs at the printer, want 0", n)
	}
}

func TestExpiredJob(t *testing.T) {
	em := printertest.New()
	em.SetPaper(printertest.PaperOut)
	clk := newFakeClock()
	sup, status, results := pipeSupervisor(t, em, printer.Config{Clock: clk, PollInterval: time.Minute})
	go func() {
		// Each idle poll moves time on by a minute; reply timeouts (1 s)
		// never fire, the emulator always answers.
		for d := range clk.asked {
			if d == time.Minute {
				clk.fire(time.Minute)
			}
		}
	}()
	waitCode(t, status, printer.CodePaperOut)
	if err := sup.Submit(printer.Job{ID: "old", Data: job, Expires: clk.Now().Add(3 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	r := nextResult(t, results)
	if r.ID != "old" || !errors.Is(r.Err, printer.ErrExpired) {
		t.Fatalf("got %+v, want ErrExpired", r)
	}
	if sup.Queued() != 0 {
		t.Errorf("queued: got %d, want 0", sup.Queued())
	}
}

func TestSilentPrinter(t *testing.T) {
	em := printertest.New()
	em.SetSilent(true)
	sup, status, results := pipeSupervisor(t, em, printer.Config{ReplyTimeout: 5 * time.Millisecond, Settle: 5 * time.Millisecond})
	s := waitCode(t, status, printer.CodeNoAnswer)
	if s.Level != printer.LevelError {
		t.Errorf("no answer: got level %s, want error", s.Level)
	}
	if err := sup.Submit(printer.Job{ID: "z", Data: job}); err != nil {
		t.Fatal(err)
	}
	em.SetSilent(false)
	waitCode(t, status, printer.CodeOK)
	if r := nextResult(t, results); !r.Printed {
		t.Fatalf("got %+v, want printed", r)
	}
}

func TestAutomaticStatusBack(t *testing.T) {
	em := printertest.New()
	_, status, _ := pipeSupervisor(t, em, printer.Config{PollInterval: time.Hour})
	waitCode(t, status, printer.CodeOK)
	// An ASB block saying cover open, sent without a query.
	if err := em.Inject([]byte{0x30, 0x00, 0x00, 0x00}); err != nil {
		t.Fatal(err)
	}
	waitCode(t, status, printer.CodeCoverOpen)
}

// noStatusPort is a write-only port, like usblp without a back channel.
type noStatusPort struct {
	mu   sync.Mutex
	data []byte
}

func (p *noStatusPort) Read([]byte) (int, error) { return 0, printer.ErrNoStatus }
func (p *noStatusPort) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.data = append(p.data, b...)
	return len(b), nil
}
func (p *noStatusPort) Close() error { return nil }

func TestWriteOnlyPort(t *testing.T) {
	port := &noStatusPort{}
	sup, status, results := pipeSupervisor(t, nil, printer.Config{
		Open: func(context.Context) (io.ReadWriteCloser, error) { return port, nil },
	})
	if s := waitCode(t, status, printer.CodeNoStatus); s.Level != printer.LevelOK {
		t.Errorf("got level %s, want ok", s.Level)
	}
	if err := sup.Submit(printer.Job{ID: "w", Data: job}); err != nil {
		t.Fatal(err)
	}
	if r := nextResult(t, results); !r.Printed {
		t.Fatalf("got %+v, want printed", r)
	}
	port.mu.Lock()
	defer port.mu.Unlock()
	// The first status query went out before the port said it cannot
	// answer; after that only the job.
	want := append([]byte{0x10, 4, 1, 0x10, 4, 2, 0x10, 4, 3, 0x10, 4, 4}, job...)
	if string(port.data) != string(want) {
		t.Errorf("got % x, want % x", port.data, want)
	}
}

func TestQueueFull(t *testing.T) {
	sup, err := printer.New(printer.Config{Open: func(context.Context) (io.ReadWriteCloser, error) { return nil, errors.New("x") }, QueueSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := sup.Submit(printer.Job{ID: string(rune('a' + i))}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sup.Submit(printer.Job{ID: "c"}); !errors.Is(err, printer.ErrQueueFull) {
		t.Errorf("got %v, want ErrQueueFull", err)
	}
	if s := sup.Status(); s.Code != printer.CodeStarting {
		t.Errorf("before Run: got %s, want starting", s.Code)
	}
	if sup.String() != "printer " {
		t.Errorf("String: got %q", sup.String())
	}
}

// undrainable is a port whose Drain fails with errs in turn, then with
// the last one for good.
type undrainable struct {
	net.Conn
	mu   sync.Mutex
	errs []error
}

func (u *undrainable) Drain() error {
	u.mu.Lock()
	defer u.mu.Unlock()
	err := u.errs[0]
	if len(u.errs) > 1 {
		u.errs = u.errs[1:]
	}
	return err
}

// A drain that fails after the job went out whole must not make the job
// print again: a signal interrupting tcdrain printed tickets twice.
func TestDrainErrorPrintsOnce(t *testing.T) {
	tests := []struct {
		name string
		errs []error
	}{
		{"interrupted once", []error{syscall.EINTR, nil}},
		{"never drains", []error{syscall.ENOTTY}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			em := printertest.New()
			var opens atomic.Int32
			sup, status, results := pipeSupervisor(t, em, printer.Config{
				Open: func(context.Context) (io.ReadWriteCloser, error) {
					opens.Add(1)
					a, b := net.Pipe()
					go em.Serve(b)
					return &undrainable{Conn: a, errs: tt.errs}, nil
				},
			})
			waitCode(t, status, printer.CodeOK)
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			for _, id := range []string{"d1", "d2"} {
				if err := sup.Submit(printer.Job{ID: id, Data: job}); err != nil {
					t.Fatal(err)
				}
				select {
				case r := <-results:
					if r.ID != id || !r.Printed || r.Requeued {
						t.Fatalf("got %+v, want %s printed", r, id)
					}
				case s := <-status:
					t.Fatalf("job %s: got status %s (%v), want the job printed", id, s.Code, s.Err)
				case <-ctx.Done():
					t.Fatalf("job %s: %v", id, ctx.Err())
				}
			}
			if n := len(em.Jobs()); n != 2 {
				t.Errorf("got %d tickets on paper, want 2", n)
			}
			if n := opens.Load(); n != 1 {
				t.Errorf("opened %d times, want 1", n)
			}
		})
	}
}
