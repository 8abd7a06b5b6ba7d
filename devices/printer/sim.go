package printer

import (
	"errors"
	"fmt"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"sync"

	"motcua/devices/escpos"
)

// Sim is a simulated printer: always ready, it answers DLE EOT queries with
// "all well" and, when a job ends (at its cut, or at the ESC d feed that
// ends an [escpos.NoCut] job), draws it with
// [escpos.Renderer.Preview] and writes it to Dir as job-0001.png, ... It is
// safe for concurrent use; Read blocks until a reply is due or Close.
type Sim struct {
	dir   string
	paper escpos.Paper
	r     *escpos.Renderer

	mu     sync.Mutex
	cond   *sync.Cond
	buf    []byte // job bytes not yet parsed
	out    []byte // replies not yet read
	closed bool
	jobs   int
	last   int // number of the last job-NNNN.png in dir
	files  []string
}

// NewSim returns a simulated printer writing PNGs to dir ("" = none).
func NewSim(dir string, paper escpos.Paper) (*Sim, error) {
	r, err := escpos.NewRenderer()
	if err != nil {
		return nil, err
	}
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("printer: sim: %w", err)
		}
	}
	s := &Sim{dir: dir, paper: paper, r: r, last: lastJobFile(dir)}
	s.cond = sync.NewCond(&s.mu)
	return s, nil
}

// lastJobFile is the highest N of the job-N.png files in dir, so that a
// sim opened again (a restart, a reload, a reconnect) goes on numbering
// instead of overwriting earlier tickets.
func lastJobFile(dir string) int {
	if dir == "" {
		return 0
	}
	names, _ := filepath.Glob(filepath.Join(dir, "job-*.png"))
	last := 0
	for _, n := range names {
		var i int
		if _, err := fmt.Sscanf(filepath.Base(n), "job-%d.png", &i); err == nil {
			last = max(last, i)
		}
	}
	return last
}

func (s *Sim) String() string { return "sim:" + s.dir }

// Write takes commands. Status queries are answered; a job is complete at
// its cut (GS V) or, for a job printed with [escpos.NoCut], at its final
// feed (ESC d).
func (s *Sim) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, os.ErrClosed
	}
	s.buf = append(s.buf, p...)
	ops, err := escpos.Parse(s.buf)
	if err != nil && !errors.Is(err, escpos.ErrShort) {
		s.buf = s.buf[:0]
		return len(p), fmt.Errorf("printer: sim: %w", err)
	}
	start := 0
	for _, op := range ops {
		switch op.Cmd {
		case "DLE EOT":
			// Ready, online, cover shut, paper in, no error.
			s.out = append(s.out, 0x12)
			s.cond.Broadcast()
			if start == op.Off {
				start = op.Off + 3
			}
		case "GS V", "ESC d":
			end := op.End
			if err := s.emit(s.buf[start:end]); err != nil {
				return len(p), err
			}
			start = end
		}
	}
	s.buf = append(s.buf[:0], s.buf[start:]...)
	return len(p), nil
}

// emit renders one job; s.mu is held.
func (s *Sim) emit(job []byte) error {
	s.jobs++
	if s.dir == "" {
		return nil
	}
	s.last++
	img, err := s.r.Preview(job, s.paper.Dots())
	if err != nil {
		return fmt.Errorf("printer: sim: %w", err)
	}
	name := filepath.Join(s.dir, fmt.Sprintf("job-%04d.png", s.last))
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("printer: sim: %w", err)
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("printer: sim: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("printer: sim: %w", err)
	}
	s.files = append(s.files, name)
	return nil
}

// Read returns status replies.
func (s *Sim) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.out) == 0 && !s.closed {
		s.cond.Wait()
	}
	if len(s.out) == 0 {
		return 0, io.EOF
	}
	n := copy(p, s.out)
	s.out = s.out[n:]
	return n, nil
}

// Close ends the simulation; Read returns io.EOF.
func (s *Sim) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.cond.Broadcast()
	return nil
}

// Files returns the PNG files written so far.
func (s *Sim) Files() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.files...)
}

// Jobs returns the number of jobs completed.
func (s *Sim) Jobs() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.jobs
}
