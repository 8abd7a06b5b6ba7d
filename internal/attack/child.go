package attack

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"
)

// envFlood carries a flood to the child process that runs it.
const envFlood = "MOTCUA_ATTACK_FLOOD"

// report is a line the child writes on its standard output.
type report struct {
	Made   int64   `json:"made"`
	Held   int64   `json:"held"`
	Result *Result `json:"result,omitempty"`
	Err    string  `json:"err,omitempty"`
}

type spec struct {
	Flood   Flood         `json:"flood"`
	Timeout time.Duration `json:"timeout"`
}

// Main runs the flood of a process started by [Start] and reports whether
// this process is such a child; call it first in the TestMain of a
// package that uses Start:
//
//	func TestMain(m *testing.M) {
//		if attack.Main() {
//			return
//		}
//		os.Exit(m.Run())
//	}
func Main() bool {
	v := os.Getenv(envFlood)
	if v == "" {
		return false
	}
	out := json.NewEncoder(os.Stdout)
	var s spec
	if err := json.Unmarshal([]byte(v), &s); err != nil {
		out.Encode(report{Err: err.Error()}) //nolint:errcheck // the parent sees the end of output
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), min(s.Timeout, MaxDuration))
	defer cancel()
	// The parent closes our standard input to stop the attack.
	go func() {
		io.Copy(io.Discard, os.Stdin) //nolint:errcheck // EOF or an error both mean stop
		cancel()
	}()
	f := &s.Flood
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	done := make(chan report, 1)
	go func() {
		r, err := f.Run(ctx)
		rep := report{Made: r.Dials, Result: &r}
		if err != nil {
			rep.Err = err.Error()
		}
		done <- rep
	}()
	for {
		select {
		case rep := <-done:
			out.Encode(rep) //nolint:errcheck // as above
			return true
		case <-tick.C:
			out.Encode(report{Made: f.Made(), Held: f.Held()}) //nolint:errcheck // as above
		}
	}
}

// Child is a flood running in another process.
type Child struct {
	cmd   *exec.Cmd
	stdin io.Closer

	mu   sync.Mutex
	last report
	cond *sync.Cond
	done bool
	err  error
}

// Start runs f in a child process, this test binary started again, for
// at most timeout (at most [MaxDuration]). A flood in its own process
// does not share the server's scheduler, as an attacker on the network
// does not. The test binary's TestMain must call [Main].
func Start(f *Flood, timeout time.Duration) (*Child, error) {
	if timeout <= 0 || timeout > MaxDuration {
		return nil, ErrUnbounded
	}
	b, err := json.Marshal(spec{Flood: Flood{Target: f.Target, From: f.From, Conns: f.Conns, Dials: f.Dials,
		Request: f.Request, Redial: f.Redial}, Timeout: timeout})
	if err != nil {
		return nil, err
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("attack: %w", err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), envFlood+"="+string(b))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("attack: start the attacker: %w", err)
	}
	c := &Child{cmd: cmd, stdin: stdin}
	c.cond = sync.NewCond(&c.mu)
	go c.read(stdout)
	return c, nil
}

func (c *Child) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		var rep report
		if err := json.Unmarshal(sc.Bytes(), &rep); err != nil {
			continue // a test binary may print other lines
		}
		c.mu.Lock()
		c.last = rep
		if rep.Err != "" {
			c.err = errors.New(rep.Err)
		}
		c.cond.Broadcast()
		c.mu.Unlock()
	}
	err := c.cmd.Wait()
	c.mu.Lock()
	c.done = true
	if c.last.Result == nil && c.err == nil {
		c.err = fmt.Errorf("attack: the attacker ended without a result: %v", err)
	}
	c.cond.Broadcast()
	c.mu.Unlock()
}

// WaitMade waits until the flood has made at least n connections; it
// returns false when the flood ended first.
func (c *Child) WaitMade(n int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.last.Made < n && !c.done && c.last.Result == nil {
		c.cond.Wait()
	}
	return c.last.Made >= n
}

// Stop ends the flood and returns its result.
func (c *Child) Stop() (Result, error) {
	c.stdin.Close()
	c.mu.Lock()
	defer c.mu.Unlock()
	for !c.done {
		c.cond.Wait()
	}
	if c.last.Result == nil {
		return Result{}, c.err
	}
	return *c.last.Result, c.err
}
