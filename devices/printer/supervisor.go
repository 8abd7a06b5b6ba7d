package printer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"motcua/backoff"
	"motcua/clock"
	"motcua/devices/escpos"
)

// Job is one print job: the complete bytes of one ticket.
type Job struct {
	ID      string    // the caller's id, echoed in the Result
	Data    []byte    // ESC/POS bytes, e.g. from escpos.Renderer.Render
	Expires time.Time // zero: wait as long as it takes
}

// Result is what became of a job.
type Result struct {
	ID      string
	Printed bool  // the printer took the job and was still well after it
	Err     error // why not: ErrExpired, ErrHalted, ErrNotReady (FailFast), or a write error
	// Requeued is true when the job went out but the printer reported
	// paper out, cover open or an error right after: the job stays queued
	// and prints again when the printer is ready (part of it may already be
	// on paper).
	Requeued bool
	At       time.Time
}

// Config configures a [Supervisor].
type Config struct {
	Name string // shown by String, e.g. "usb:04b8:0e28"
	// Open opens the printer; it is called again after every failure, so a
	// usb: address is looked up afresh. Required.
	Open func(ctx context.Context) (io.ReadWriteCloser, error)
	// OnStatus is called from Run whenever the status code changes. It must
	// not block for long and must not call back into the Supervisor's Run.
	OnStatus func(Status)
	// OnResult is called from Run once for each job submitted, when it
	// printed or was given up, and also for each requeue.
	OnResult func(Result)

	Clock clock.Clock // nil: the machine's clock
	// Backoff is the wait before reopening a printer that failed to open
	// or failed before it answered; zero: 0.5 s doubling to 15 s.
	Backoff      backoff.Policy
	PollInterval time.Duration // status poll while idle; 0 = 2 s
	ReplyTimeout time.Duration // wait for DLE EOT replies; 0 = 1 s
	// JobReplyTimeout is the wait for the replies after a job, when a busy
	// printer with a full buffer may answer late; 0 = 10 s.
	JobReplyTimeout time.Duration
	// Settle is how long the line must stay quiet, after status replies
	// failed to come in time, before the next status query goes out: a
	// slow printer's late replies would otherwise be taken as the answers
	// to that query. The wait ends early once every late reply came in,
	// and it overlaps the idle poll, so it mostly delays only a job that
	// comes right after a timeout. Replies later than that cannot be told
	// from answers. 0 = 500 ms.
	Settle    time.Duration
	QueueSize int // 0 = 64
	// Blind never queries status (write-only ports): jobs go out as soon
	// as the port opens.
	Blind bool
	// FailFast reports jobs as ErrNotReady at once when the printer is not
	// ready, instead of keeping them until it is.
	FailFast bool
	Logger   *slog.Logger // nil: no logging
}

// Supervisor owns one printer. Create it with [New], start [Supervisor.Run]
// once, feed it with [Supervisor.Submit]. Methods are safe for concurrent
// use.
type Supervisor struct {
	cfg   Config
	clock clock.Clock
	log   *slog.Logger

	mu      sync.Mutex
	queue   []Job
	status  Status
	halted  bool
	running bool
	waiting map[string]chan Result // jobs whose Print waits, by id

	wake    chan struct{} // a job was submitted or Halt was called
	stopped chan struct{} // closed when Run returns
}

// New returns a supervisor; it does nothing until Run.
func New(c Config) (*Supervisor, error) {
	if c.Open == nil {
		return nil, errors.New("printer: Config.Open is required")
	}
	c.Clock = clock.Or(c.Clock)
	if c.Backoff.Min <= 0 {
		c.Backoff = backoff.Policy{Min: 500 * time.Millisecond, Max: 15 * time.Second}
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 2 * time.Second
	}
	if c.ReplyTimeout <= 0 {
		c.ReplyTimeout = time.Second
	}
	if c.JobReplyTimeout <= 0 {
		c.JobReplyTimeout = 10 * time.Second
	}
	if c.Settle <= 0 {
		c.Settle = 500 * time.Millisecond
	}
	if c.QueueSize <= 0 {
		c.QueueSize = 64
	}
	lg := c.Logger
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	return &Supervisor{
		cfg: c, clock: c.Clock, log: lg,
		status:  Status{Level: LevelWarning, Code: CodeStarting, Detail: "Đang kết nối máy in", DetailEN: "connecting to the printer"},
		wake:    make(chan struct{}, 1),
		stopped: make(chan struct{}),
	}, nil
}

func (s *Supervisor) String() string { return "printer " + s.cfg.Name }

// Status returns the current status.
func (s *Supervisor) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

// Queued returns the number of jobs waiting, including one being printed.
func (s *Supervisor) Queued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// Submit queues a job. It never blocks; it fails with ErrQueueFull or
// ErrHalted.
func (s *Supervisor) Submit(j Job) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.halted {
		return ErrHalted
	}
	if len(s.queue) >= s.cfg.QueueSize {
		return ErrQueueFull
	}
	s.queue = append(s.queue, j)
	s.poke()
	return nil
}

func (s *Supervisor) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Halt stops printing after the job being sent, if any, leaving the printer
// idle; jobs still queued are reported with ErrHalted and Run returns nil.
// If Run is active, Halt waits for it to return.
func (s *Supervisor) Halt() error {
	s.mu.Lock()
	s.halted = true
	running := s.running
	s.poke()
	s.mu.Unlock()
	if running {
		<-s.stopped
	}
	return nil
}

func (s *Supervisor) isHalted() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.halted
}

func (s *Supervisor) setStatus(st Status) {
	s.mu.Lock()
	changed := st.Code != s.status.Code || st.Level != s.status.Level
	s.status = st
	s.mu.Unlock()
	if changed {
		s.log.Info("printer status", "printer", s.cfg.Name, "code", st.Code, "detail", st.DetailEN)
		if s.cfg.OnStatus != nil {
			s.cfg.OnStatus(st)
		}
	}
}

func (s *Supervisor) report(r Result) {
	r.At = s.clock.Now()
	s.mu.Lock()
	ch := s.waiting[r.ID]
	s.mu.Unlock()
	if ch != nil {
		select {
		case ch <- r:
		default:
		}
	}
	if s.cfg.OnResult != nil {
		s.cfg.OnResult(r)
	}
}

// Print queues a job and waits until the printer took it, the job was
// given up (printed or not: see [Result]) or ctx ended. A job whose
// Expires is zero expires with ctx's deadline. Job ids must be unique
// among the jobs being printed. The error says what the printer reports
// now, so that a caller can tell the citizen why.
func (s *Supervisor) Print(ctx context.Context, j Job) error {
	if dl, ok := ctx.Deadline(); ok && j.Expires.IsZero() {
		j.Expires = dl
	}
	ch := make(chan Result, 1)
	s.mu.Lock()
	if s.waiting == nil {
		s.waiting = map[string]chan Result{}
	}
	s.waiting[j.ID] = ch
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.waiting, j.ID)
		s.mu.Unlock()
	}()
	if err := s.Submit(j); err != nil {
		return err
	}
	select {
	case res := <-ch:
		switch {
		case res.Printed:
			return nil
		case res.Err != nil:
			return fmt.Errorf("%w (%s)", res.Err, s.Status().Detail)
		}
		return fmt.Errorf("printer: not printed (%s)", s.Status().Detail)
	case <-ctx.Done():
		return fmt.Errorf("printer: no answer in time (%s): %w", s.Status().Detail, ctx.Err())
	}
}

// head drops expired jobs and returns the first job left.
func (s *Supervisor) head() (Job, bool) {
	s.expire()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) == 0 {
		return Job{}, false
	}
	return s.queue[0], true
}

// expire reports and drops every queued job whose Expires has passed.
func (s *Supervisor) expire() {
	now := s.clock.Now()
	var gone []Job
	s.mu.Lock()
	kept := s.queue[:0]
	for _, j := range s.queue {
		if !j.Expires.IsZero() && !now.Before(j.Expires) {
			gone = append(gone, j)
			continue
		}
		kept = append(kept, j)
	}
	s.queue = kept
	s.mu.Unlock()
	for _, j := range gone {
		s.report(Result{ID: j.ID, Err: ErrExpired})
	}
}

func (s *Supervisor) pop() {
	s.mu.Lock()
	s.queue = s.queue[1:]
	s.mu.Unlock()
}

// failAll reports every queued job with err and empties the queue.
func (s *Supervisor) failAll(err error) {
	s.mu.Lock()
	q := s.queue
	s.queue = nil
	s.mu.Unlock()
	for _, j := range q {
		s.report(Result{ID: j.ID, Err: err})
	}
}

// Run owns the printer until ctx ends (it returns ctx.Err()) or Halt (it
// returns nil). Call it once. Jobs still queued when ctx ends stay queued
// (see Queued) and are not reported; after Halt they are reported with
// ErrHalted.
func (s *Supervisor) Run(ctx context.Context) error {
	s.mu.Lock()
	if s.running {
		s.mu.Unlock()
		return errors.New("printer: Run called twice")
	}
	s.running = true
	s.mu.Unlock()
	defer close(s.stopped)
	// failures counts the opens in a row that failed, or whose printer
	// failed before it ever answered: only an answer resets it, so a
	// printer that opens and fails at once is retried ever less often.
	failures := 0
	for {
		if s.isHalted() {
			s.failAll(ErrHalted)
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		port, err := s.cfg.Open(ctx)
		if err != nil {
			s.setStatus(statusUnplugged(err))
			if s.cfg.FailFast {
				s.failAll(fmt.Errorf("%w: %w", ErrNotReady, err))
			}
			s.expire()
			failures++
			if err := s.sleep(ctx, s.cfg.Backoff.Delay(failures)); err != nil {
				return err
			}
			continue
		}
		answered, err := s.serve(ctx, port)
		if answered {
			failures = 0
		}
		if err != nil && ctx.Err() == nil && !s.isHalted() {
			s.setStatus(statusUnplugged(err))
			failures++
			if err := s.sleep(ctx, s.cfg.Backoff.Delay(failures)); err != nil {
				return err
			}
		}
	}
}

// sleep waits d, returning early on Halt (nil) or ctx (its error).
func (s *Supervisor) sleep(ctx context.Context, d time.Duration) error {
	t := s.clock.After(d)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t:
			return nil
		case <-s.wake:
			if s.isHalted() {
				s.poke()
				return nil
			}
		}
	}
}

type chunk struct {
	p   []byte
	err error
}

// settleLimit bounds the wait for a quiet line, in units of Config.Settle:
// a line that never goes quiet (noise, a wrong baud rate) must not keep
// the status queries back for good.
const settleLimit = 4

// conn is one open port and its reader goroutine.
type conn struct {
	port     io.ReadWriteCloser
	rx       chan chunk
	done     chan struct{}
	dec      escpos.Decoder
	replies  []escpos.Reply
	noStatus bool
	st       escpos.Status

	// A DLE EOT reply does not say which query it answers (see
	// escpos.Decoder), so replies that come after their query timed out
	// would be taken as the answers to the next query. stale is set on a
	// timeout and cleared by settle before the next query; owed counts
	// the replies still outstanding (at least: queries a printer never
	// answers stay counted, which only costs settle its early end);
	// heard is when the line was last heard from, or the timeout.
	stale bool
	owed  int
	heard time.Time
}

func (c *conn) read() {
	defer close(c.done)
	buf := make([]byte, 256)
	for {
		n, err := c.port.Read(buf)
		if n > 0 {
			c.rx <- chunk{p: append([]byte(nil), buf[:n]...)}
		}
		if err != nil {
			c.rx <- chunk{err: err}
			return
		}
	}
}

// serve runs one connection until it fails (error), ctx ends or Halt;
// answered reports whether the printer answered a status query on it (or
// cannot: a blind port).
func (s *Supervisor) serve(ctx context.Context, port io.ReadWriteCloser) (answered bool, err error) {
	c := &conn{port: port, rx: make(chan chunk, 16), done: make(chan struct{})}
	go c.read()
	defer func() {
		port.Close()
		// Drain so the reader can finish its last send and exit.
		for {
			select {
			case <-c.rx:
			case <-c.done:
				return
			}
		}
	}()
	if s.cfg.Blind {
		c.noStatus = true
		answered = true
		s.setStatus(statusNoStatus())
	}
	for {
		if s.isHalted() {
			return answered, nil
		}
		ready, err := s.check(ctx, c, s.cfg.ReplyTimeout)
		if err != nil {
			return answered, err
		}
		answered = answered || s.Status().Code != CodeNoAnswer
		if ready {
			j, ok := s.head()
			if ok {
				if err := s.print(ctx, c, j); err != nil {
					return answered, err
				}
				continue
			}
		} else if s.cfg.FailFast {
			s.failAll(fmt.Errorf("%w: %s", ErrNotReady, s.Status().DetailEN))
		} else {
			s.expire()
		}
		if err := s.idle(ctx, c); err != nil {
			return answered, err
		}
	}
}

// drainer is a port that can wait until its output is on the wire
// (go.bug.st/serial's tcdrain).
type drainer interface{ Drain() error }

// print sends one job and checks the printer after it.
func (s *Supervisor) print(ctx context.Context, c *conn, j Job) error {
	if _, err := c.port.Write(j.Data); err != nil {
		return fmt.Errorf("printer: write job %s: %w", j.ID, err)
	}
	// A serial Write returns once the kernel has the bytes; the status
	// query must not wait behind seconds of raster data, or its reply
	// would seem lost. A failed drain is no reason to send the job again:
	// Write has handed all of it to the kernel, and a port that is really
	// gone fails the status query below. (Taking a drain interrupted by a
	// signal for a failed port printed tickets twice, on a pty too; a
	// driver without tcdrain would print every ticket over and over.)
	if d, ok := c.port.(drainer); ok {
		if err := d.Drain(); err != nil {
			s.log.Warn("printer drain failed; checking status anyway", "printer", s.cfg.Name, "job", j.ID, "err", err)
		}
	}
	if c.noStatus {
		// Only a usblp port status can say anything here.
		if ready, _ := s.check(ctx, c, 0); !ready {
			s.report(Result{ID: j.ID, Err: fmt.Errorf("%w: %s", ErrNotReady, s.Status().DetailEN), Requeued: true})
			return nil
		}
		s.pop()
		s.report(Result{ID: j.ID, Printed: true})
		return nil
	}
	ready, err := s.check(ctx, c, s.cfg.JobReplyTimeout)
	switch {
	case err != nil:
		// The port failed before the printer said it was well: keep the
		// job and print it again after reconnecting.
		s.report(Result{ID: j.ID, Err: err, Requeued: true})
		return err
	case s.Status().Code == CodeNoAnswer:
		// The job went out whole but the printer says nothing: it may be
		// on paper or not. Printing it again could give two tickets with
		// one number, so it is given up and the caller decides.
		s.pop()
		s.report(Result{ID: j.ID, Err: fmt.Errorf("%w after the job; it may not have printed", ErrNoAnswer)})
		return nil
	case !ready:
		s.report(Result{ID: j.ID, Err: fmt.Errorf("%w: %s", ErrNotReady, s.Status().DetailEN), Requeued: true})
		return nil
	}
	s.pop()
	s.report(Result{ID: j.ID, Printed: true})
	return nil
}

// portStatuser is a port that knows the printer's state without ESC/POS
// replies (usblp's LPGETSTATUS).
type portStatuser interface {
	PortStatus() (escpos.Status, error)
}

// check queries DLE EOT 1–4 and updates the status. It returns whether the
// printer can print; an error means the port failed. A port that cannot
// read replies is asked for its port status if it has one, else jobs go
// out blind.
func (s *Supervisor) check(ctx context.Context, c *conn, wait time.Duration) (bool, error) {
	if c.noStatus {
		ps, ok := c.port.(portStatuser)
		if !ok || s.cfg.Blind {
			return true, nil
		}
		p, err := ps.PortStatus()
		if err != nil {
			return true, nil
		}
		st := statusOf(p)
		s.setStatus(st)
		return st.Ready(), nil
	}
	if c.stale {
		halted, err := s.settle(ctx, c)
		if err != nil || halted {
			return false, err
		}
		if c.noStatus {
			// The port said while settling that it cannot read.
			return true, nil
		}
	}
	var e escpos.Encoder
	for n := byte(1); n <= 4; n++ {
		e.StatusQuery(n)
	}
	if _, err := c.port.Write(e.Bytes()); err != nil {
		return false, fmt.Errorf("printer: status query: %w", err)
	}
	for n := byte(1); n <= 4; n++ {
		c.dec.Expect(n)
	}
	timeout := s.clock.After(wait)
	for c.dec.Pending() > 0 {
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-timeout:
			c.owed += c.dec.Pending()
			c.dec.Forget()
			c.stale = true
			c.heard = s.clock.Now()
			s.setStatus(statusNoAnswer())
			return false, nil
		case ch := <-c.rx:
			if _, err := s.take(c, ch); err != nil {
				if c.noStatus {
					return true, nil
				}
				return false, err
			}
		}
	}
	st := statusOf(c.st)
	s.setStatus(st)
	return st.Ready(), nil
}

// settle waits, before a status query, until the replies to the queries
// that timed out can no longer be mistaken for its answers: until all of
// them came in, or the line has been quiet for Config.Settle (the printer
// will not answer them), or settleLimit×Settle passed. What arrives
// meanwhile is taken as usual: late replies are dropped, automatic status
// blocks applied. It reports whether Halt was called.
func (s *Supervisor) settle(ctx context.Context, c *conn) (bool, error) {
	limit := s.clock.Now().Add(settleLimit * s.cfg.Settle)
	defer func() { c.stale = false }()
	for c.owed > 0 {
		now := s.clock.Now()
		quiet := now.Sub(c.heard)
		if quiet >= s.cfg.Settle || !now.Before(limit) {
			return false, nil
		}
		t := s.clock.After(min(s.cfg.Settle-quiet, limit.Sub(now)))
		for waiting := true; waiting; {
			select {
			case <-ctx.Done():
				return false, ctx.Err()
			case <-t:
				waiting = false
			case <-s.wake:
				if s.isHalted() {
					s.poke()
					return true, nil
				}
				// A job: serve looks at the queue after this check.
			case ch := <-c.rx:
				if _, err := s.take(c, ch); err != nil {
					if c.noStatus {
						return false, nil
					}
					return false, err
				}
				waiting = false
			}
		}
	}
	return false, nil
}

// take feeds bytes from the printer into the decoder. It reports whether
// they held an automatic status block.
func (s *Supervisor) take(c *conn, ch chunk) (asb bool, err error) {
	if ch.err != nil {
		if errors.Is(ch.err, ErrNoStatus) {
			c.noStatus = true
			c.dec.Forget()
			s.setStatus(statusNoStatus())
		}
		if ch.err == io.EOF {
			return false, fmt.Errorf("printer: connection closed: %w", ch.err)
		}
		return false, fmt.Errorf("printer: read: %w", ch.err)
	}
	c.heard = s.clock.Now()
	c.replies = c.dec.Feed(ch.p, c.replies[:0])
	for _, r := range c.replies {
		if r.Kind == escpos.KindUnknown {
			late := 0
			for _, b := range r.Raw {
				if c.owed > late && escpos.IsRealtimeReply(b) {
					late++
				}
			}
			c.owed -= late
			if late < len(r.Raw) {
				s.log.Warn("printer sent unexpected bytes", "printer", s.cfg.Name, "bytes", fmt.Sprintf("% x", r.Raw))
			} else {
				s.log.Debug("printer answered after the timeout; replies dropped", "printer", s.cfg.Name, "bytes", fmt.Sprintf("% x", r.Raw))
			}
			continue
		}
		c.st.Apply(r)
		asb = asb || r.Kind == escpos.KindASB
	}
	return asb, nil
}

// idle waits for a job, the next poll, or bytes from the printer.
func (s *Supervisor) idle(ctx context.Context, c *conn) error {
	poll := s.clock.After(s.cfg.PollInterval)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-poll:
			return nil
		case <-s.wake:
			return nil
		case ch := <-c.rx:
			asb, err := s.take(c, ch)
			if err != nil {
				if c.noStatus {
					return nil
				}
				return err
			}
			// Only a status block is news: other bytes (late replies)
			// must not bring back the state of the last full answer.
			if asb && !c.noStatus {
				s.setStatus(statusOf(c.st))
			}
		}
	}
}
