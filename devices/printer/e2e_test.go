package printer_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"motcua/backoff"
	"motcua/devices/escpos"
	"motcua/devices/printer"
	"motcua/devices/printer/printertest"
)

type harness struct {
	t       *testing.T
	ctx     context.Context
	em      *printertest.Emulator
	link    *printertest.PTY
	sup     *printer.Supervisor
	status  chan printer.Status
	results chan printer.Result
	runErr  chan error
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	// Not t.Context: it is cancelled before the cleanups run, and Run
	// must end because of Halt, which the cleanup below checks.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	h := &harness{t: t, ctx: ctx, em: printertest.New(),
		status: make(chan printer.Status, 256), results: make(chan printer.Result, 256), runErr: make(chan error, 1)}
	var err error
	if h.link, err = printertest.StartPTY(h.em); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := h.link.Close(); err != nil {
			t.Errorf("close pty: %v", err)
		}
	})
	h.sup, err = printer.New(printer.Config{
		Name: "pty",
		Open: func(ctx context.Context) (io.ReadWriteCloser, error) {
			path := h.link.Path()
			if path == "" {
				return nil, errors.New("unplugged")
			}
			return printer.OpenSerial(path, printer.Options{Baud: 115200})
		},
		OnStatus:     func(s printer.Status) { h.status <- s },
		OnResult:     func(r printer.Result) { h.results <- r },
		PollInterval: 5 * time.Millisecond,
		ReplyTimeout: 5 * time.Second,
		Backoff:      backoff.Policy{Min: time.Millisecond, Max: time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	go func() { h.runErr <- h.sup.Run(ctx) }()
	t.Cleanup(func() {
		if err := h.sup.Halt(); err != nil {
			t.Errorf("Halt: %v", err)
		}
		if err := <-h.runErr; err != nil {
			t.Errorf("Run: got %v, want nil after Halt", err)
		}
	})
	return h
}

func (h *harness) waitStatus(code string) printer.Status {
	h.t.Helper()
	for {
		select {
		case s := <-h.status:
			if s.Code == code {
				return s
			}
		case <-h.ctx.Done():
			h.t.Fatalf("waiting for status %s: %v (now %+v)", code, h.ctx.Err(), h.sup.Status())
		}
	}
}

func (h *harness) waitResult(id string) printer.Result {
	h.t.Helper()
	for {
		select {
		case r := <-h.results:
			if r.Requeued {
				continue
			}
			if r.ID != id {
				h.t.Fatalf("got result for %s, want %s", r.ID, id)
			}
			return r
		case <-h.ctx.Done():
			h.t.Fatalf("waiting for result %s: %v", id, h.ctx.Err())
		}
	}
}

func (h *harness) submit(id string, data []byte) {
	h.t.Helper()
	if err := h.sup.Submit(printer.Job{ID: id, Data: data}); err != nil {
		h.t.Fatal(err)
	}
}

// waitPolls waits until the emulator has answered n more status queries.
func (h *harness) waitPolls(n int) {
	h.t.Helper()
	var start int
	h.em.Wait(h.ctx, func(s printertest.Snapshot) bool { start = s.Queries; return true })
	if err := h.em.Wait(h.ctx, func(s printertest.Snapshot) bool { return s.Queries >= start+n }); err != nil {
		h.t.Fatal(err)
	}
}

func tickets(t *testing.T, n int) [][]byte {
	r, err := escpos.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for i := range n {
		b, err := r.Render(escpos.Ticket{
			Unit: "UBND XÃ QUỲNH HẢI", Service: "Đất đai", Number: fmt.Sprintf("A%03d", i+1),
			Issued: time.Date(2026, 11, 26, 8, i, 0, 0, time.UTC), Ahead: i, Wait: time.Duration(i) * 3 * time.Minute,
			QR: fmt.Sprintf("https://example.gov.vn/q/%d", i+1), Footer: "Xin cảm ơn quý khách!",
		}, escpos.Layout{Mode: escpos.Raster})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func TestEndToEndOverPTY(t *testing.T) {
	h := newHarness(t)
	jobs := tickets(t, 7)
	h.waitStatus(printer.CodeOK)

	h.submit("1", jobs[0])
	if r := h.waitResult("1"); !r.Printed || r.Err != nil {
		t.Fatalf("job 1: got %+v, want printed (emulator: %d jobs, queries %v, %d garbage bytes)", r, len(h.em.Jobs()), h.em.Queries(), h.em.Garbage())
	}

	// Out of paper while idle: the job waits and prints when paper is back.
	h.em.SetPaper(printertest.PaperOut)
	if s := h.waitStatus(printer.CodePaperOut); s.Level != printer.LevelError || s.Detail == "" || s.DetailEN == "" {
		t.Errorf("paper out: got %+v, want level error with details", s)
	}
	h.submit("2", jobs[1])
	h.waitPolls(12) // three more full status checks
	if got := h.em.Jobs(); len(got) != 1 {
		t.Fatalf("printed while out of paper: got %d jobs (%s), want 1", len(got), which(got, jobs))
	}
	if got := h.sup.Queued(); got != 1 {
		t.Errorf("queued: got %d, want 1", got)
	}
	h.em.SetPaper(printertest.PaperOK)
	h.waitStatus(printer.CodeOK)
	if r := h.waitResult("2"); !r.Printed {
		t.Fatalf("job 2: got %+v, want printed (emulator: %d jobs, queries %v, %d garbage bytes)", r, len(h.em.Jobs()), h.em.Queries(), h.em.Garbage())
	}

	// Cover open.
	h.em.SetCover(true)
	h.waitStatus(printer.CodeCoverOpen)
	h.submit("3", jobs[2])
	h.waitPolls(8)
	h.em.SetCover(false)
	if r := h.waitResult("3"); !r.Printed {
		t.Fatalf("job 3: got %+v, want printed (emulator: %d jobs, queries %v, %d garbage bytes)", r, len(h.em.Jobs()), h.em.Queries(), h.em.Garbage())
	}

	// Near end is a warning and still prints.
	h.em.SetPaper(printertest.PaperLow)
	if s := h.waitStatus(printer.CodePaperLow); s.Level != printer.LevelWarning {
		t.Errorf("paper low: got level %s, want warning", s.Level)
	}
	h.submit("4", jobs[3])
	if r := h.waitResult("4"); !r.Printed {
		t.Fatalf("job 4: got %+v, want printed (emulator: %d jobs, queries %v, %d garbage bytes)", r, len(h.em.Jobs()), h.em.Queries(), h.em.Garbage())
	}
	h.em.SetPaper(printertest.PaperOK)
	h.waitStatus(printer.CodeOK)

	// The printer vanishes; jobs queue; it comes back under a new name.
	old := h.link.Path()
	if err := h.link.Unplug(); err != nil {
		t.Fatal(err)
	}
	h.waitStatus(printer.CodeUnplugged)
	h.submit("5", jobs[4])
	h.submit("6", jobs[5])
	if err := h.link.Replug(); err != nil {
		t.Fatal(err)
	}
	if h.link.Path() == old {
		t.Logf("pty came back under the same name %s", old)
	}
	h.waitStatus(printer.CodeOK)
	for _, id := range []string{"5", "6"} {
		if r := h.waitResult(id); !r.Printed {
			t.Fatalf("job %s: got %+v, want printed", id, r)
		}
	}

	// Garbage from the printer is reported, not fatal.
	if err := h.em.Inject([]byte{0xff, 0x00, 0x81, 0x13}); err != nil {
		t.Fatal(err)
	}
	h.submit("7", jobs[6])
	if r := h.waitResult("7"); !r.Printed {
		t.Fatalf("job 7: got %+v, want printed (emulator: %d jobs, queries %v, %d garbage bytes)", r, len(h.em.Jobs()), h.em.Queries(), h.em.Garbage())
	}

	got := h.em.Jobs()
	if len(got) != len(jobs) {
		t.Fatalf("emulator printed %d jobs, want %d", len(got), len(jobs))
	}
	for i := range jobs {
		if !bytes.Equal(got[i], jobs[i]) {
			t.Errorf("job %d: bytes differ (got %d B, want %d B)", i+1, len(got[i]), len(jobs[i]))
		}
	}
	if lost := h.em.Lost(); len(lost) != 0 {
		t.Errorf("jobs sent while the printer was not ready: %d", len(lost))
	}
}

func TestHaltReportsQueuedJobs(t *testing.T) {
	h := newHarness(t)
	h.waitStatus(printer.CodeOK)
	h.em.SetPaper(printertest.PaperOut)
	h.waitStatus(printer.CodePaperOut)
	jobs := tickets(t, 2)
	h.submit("a", jobs[0])
	h.submit("b", jobs[1])
	if err := h.sup.Halt(); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a", "b"} {
		r := h.waitResult(id)
		if r.Printed || !errors.Is(r.Err, printer.ErrHalted) {
			t.Errorf("job %s: got %+v, want ErrHalted", id, r)
		}
	}
	if err := h.sup.Submit(printer.Job{ID: "c"}); !errors.Is(err, printer.ErrHalted) {
		t.Errorf("Submit after Halt: got %v, want ErrHalted", err)
	}
	if n := len(h.em.Jobs()) + len(h.em.Lost()); n != 0 {
		t.Errorf("got %d jobs on the printer, want 0", n)
	}
}

// which names the tickets that printed jobs are, for failure messages.
func which(printed, jobs [][]byte) string {
	var names []string
	for _, p := range printed {
		name := fmt.Sprintf("unknown %d B", len(p))
		for i, j := range jobs {
			if bytes.Equal(p, j) {
				name = fmt.Sprintf("ticket %d", i+1)
			}
		}
		names = append(names, name)
	}
	return strings.Join(names, ", ")
}
