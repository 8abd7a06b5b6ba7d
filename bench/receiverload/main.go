// Command receiverload is the load test of the receiver at province
// scale (issue 17.2): many units against two `motcua receiver` processes
// on one PostgreSQL, which it starts (internal/pgtest). Every unit is a
// websocket client speaking motcua.uplink.v1 as the kiosk's client does
// (hello, events in order, at most -window unacknowledged).
//
// Phases, each reported on stdout:
//
//  1. connect: every unit connects (half to each receiver); the
//     receivers' RSS per connected unit.
//
//  2. outage: every unit reconnects at once with a backlog of -backlog
//     events; time until all are acknowledged, events/s into PostgreSQL.
//
//  3. steady: -rate events/s in all, spread over the units, for
//     -steady; ack latency p50/p99 (event written to its ack read).
//
//  4. kill: receiver A is killed with SIGKILL in the middle of a burst;
//     its units reconnect to B; at the end the database must hold every
//     unit's events 1..N once each.
//
//     go run ./bench/receiverload -units 3321 -backlog 300 -rate 5000 -steady 30s
package main

import (
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"

	"motcua/internal/pgtest"
)

var (
	units   = flag.Int("units", 3321, "units")
	backlog = flag.Int("backlog", 300, "events each unit holds after the outage")
	rate    = flag.Int("rate", 5000, "events per second in all during the steady phase")
	steady  = flag.Duration("steady", 30*time.Second, "length of the steady phase")
	burst   = flag.Int("burst", 200, "events each unit sends in the kill phase")
	window  = flag.Int("window", 4096, "unacknowledged events a unit may have in flight")
	bin     = flag.String("bin", "", "motcua binary (default: built from this tree)")
)

func main() {
	flag.Parse()
	log.SetFlags(0)
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

// receiverProc is a running `motcua receiver`.
type receiverProc struct {
	cmd  *exec.Cmd
	addr string
}

func run() error {
	dir, err := os.MkdirTemp("", "receiverload-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if *bin == "" {
		*bin = filepath.Join(dir, "motcua")
		if out, err := exec.Command("go", "build", "-o", *bin, "motcua/cmd/motcua").CombinedOutput(); err != nil {
			return fmt.Errorf("go build: %v\n%s", err, out)
		}
	}
	pg, err := pgtest.Start()
	if err != nil {
		return err
	}
	defer pg.Stop()
	store, err := pg.NewSchema()
	if err != nil {
		return err
	}
	var tokens strings.Builder
	for i := range *units {
		fmt.Fprintf(&tokens, "%s %s\n", unitID(i), token(i))
	}
	if err := os.WriteFile(filepath.Join(dir, "tokens"), []byte(tokens.String()), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "operators"), []byte("bench bench-operator-token-0123456789\n"), 0o600); err != nil {
		return err
	}
	start := func(name string) (*receiverProc, error) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		addr := ln.Addr().String()
		ln.Close()
		cmd := exec.Command(*bin, "receiver", "-listen", addr, "-store", store,
			"-tokens", filepath.Join(dir, "tokens"), "-operators", filepath.Join(dir, "operators"))
		logf, err := os.Create(filepath.Join(dir, name+".log"))
		if err != nil {
			return nil, err
		}
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if c, err := net.Dial("tcp", addr); err == nil {
				c.Close()
				break
			}
			if time.Now().After(deadline) {
				return nil, fmt.Errorf("receiver %s did not start", name)
			}
		}
		return &receiverProc{cmd: cmd, addr: addr}, nil
	}
	a, err := start("a")
	if err != nil {
		return err
	}
	defer a.cmd.Process.Kill()
	b, err := start("b")
	if err != nil {
		return err
	}
	defer b.cmd.Process.Kill()
	fmt.Printf("receiverload: %d units, two receivers on PostgreSQL (%s), %d CPUs\n", *units, store[:strings.Index(store, "?")], runtime.NumCPU())

	us := make([]*unitSim, *units)
	for i := range us {
		us[i] = &unitSim{i: i}
	}
	addrs := []string{a.addr, b.addr}

	// 1. connect
	rssA0, rssB0 := rss(a.cmd.Process.Pid), rss(b.cmd.Process.Pid)
	t0 := time.Now()
	if err := each(us, func(u *unitSim) error { return u.connect(addrs[u.i%2]) }); err != nil {
		return err
	}
	time.Sleep(2 * time.Second)
	rssA, rssB := rss(a.cmd.Process.Pid), rss(b.cmd.Process.Pid)
	fmt.Printf("connect: %d units in %.1f s; receivers' RSS %d + %d MiB (idle %d + %d): %.1f KiB per connected unit\n",
		*units, time.Since(t0).Seconds(), rssA>>20, rssB>>20, rssA0>>20, rssB0>>20, float64(rssA+rssB-rssA0-rssB0)/1024/float64(*units))

	// 2. outage: every unit comes back with a backlog.
	each(us, func(u *unitSim) error { u.close(); return nil })
	for _, u := range us {
		u.last = int64(*backlog)
	}
	t0 = time.Now()
	if err := each(us, func(u *unitSim) error { return u.retry(func() error { return u.session(addrs[u.i%2], nil) }) }); err != nil {
		return failed(dir, err)
	}
	el := time.Since(t0)
	total := *units * *backlog
	disconnects(dir)
	fmt.Printf("outage: %d units reconnect at once with %d events each: %d events acknowledged in %.1f s, %.0f events/s into PostgreSQL; %d reconnections\n",
		*units, *backlog, total, el.Seconds(), float64(total)/el.Seconds(), reconnects.Swap(0))

	// 3. steady: each unit sends at its share of the rate.
	var lat latencies
	per := time.Duration(float64(time.Second) * float64(*units) / float64(*rate))
	n := int(*steady / per)
	t0 = time.Now()
	for _, u := range us {
		u.last += int64(n)
	}
	if err := each(us, func(u *unitSim) error {
		return u.retry(func() error { return u.paced(addrs[u.i%2], per, &lat) })
	}); err != nil {
		return failed(dir, err)
	}
	el = time.Since(t0)
	p50, p99 := lat.percentiles()
	fmt.Printf("steady: %d events/s asked, %d events in %.1f s (%.0f/s); ack p50 %.1f ms, p99 %.1f ms; %d reconnections\n",
		*rate, *units*n, el.Seconds(), float64(*units*n)/el.Seconds(), p50, p99, reconnects.Swap(0))

	// 4. kill receiver A mid-burst; its units go to B.
	for _, u := range us {
		u.last += int64(*burst)
	}
	var killed atomic.Bool
	go func() {
		time.Sleep(time.Second)
		a.cmd.Process.Signal(syscall.SIGKILL)
		killed.Store(true)
	}()
	t0 = time.Now()
	if err := each(us, func(u *unitSim) error {
		tries := 0
		return u.retry(func() error {
			addr := addrs[u.i%2]
			if killed.Load() || tries > 0 {
				addr = b.addr
			}
			tries++
			return u.session(addr, nil)
		})
	}); err != nil {
		return failed(dir, err)
	}
	a.cmd.Wait()
	fmt.Printf("kill: receiver A killed (SIGKILL) 1 s into a burst of %d events per unit; every unit done on B after %.1f s; %d reconnections\n", *burst, time.Since(t0).Seconds(), reconnects.Swap(0))
	return check(store, us)
}

// check asserts that the database holds every unit's events 1..N once.
func check(store string, us []*unitSim) error {
	db, err := sql.Open("pgx", store)
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.Query(`SELECT unit, COUNT(*), MIN(seq), MAX(seq), COUNT(DISTINCT seq) FROM events GROUP BY unit`)
	if err != nil {
		return err
	}
	defer rows.Close()
	got := map[string][4]int64{}
	for rows.Next() {
		var u string
		var v [4]int64
		if err := rows.Scan(&u, &v[0], &v[1], &v[2], &v[3]); err != nil {
			return err
		}
		got[u] = v
	}
	bad := 0
	for _, u := range us {
		v := got[unitID(u.i)]
		if v != [4]int64{u.last, 1, u.last, u.last} {
			bad++
		}
	}
	if bad > 0 {
		return fmt.Errorf("check: %d units do not have exactly their events 1..N once each", bad)
	}
	fmt.Printf("check: every unit's events stored exactly once, 1..N (%d units)\n", len(us))
	return nil
}

func unitID(i int) string { return fmt.Sprintf("xa-%04d", i) }
func token(i int) string  { return fmt.Sprintf("bench-unit-token-%06d", i) }

func mustRead(p string) string { b, _ := os.ReadFile(p); return string(b) }

// rss is a process's resident memory in bytes.
func rss(pid int) int64 {
	for _, l := range strings.Split(mustRead(fmt.Sprintf("/proc/%d/status", pid)), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n << 10
		}
	}
	return 0
}

// reconnects counts the sessions that ended early and were tried again.
var reconnects atomic.Int64

// retry runs a session until it succeeds, as a unit reconnects, at most
// 30 times.
func (u *unitSim) retry(session func() error) error {
	var err error
	for range 30 {
		if err = session(); err == nil {
			return nil
		}
		reconnects.Add(1)
		time.Sleep(time.Duration(200+u.i%300) * time.Millisecond)
	}
	return err
}

// disconnects prints why the receivers dropped units so far, by reason,
// from their logs.
func disconnects(dir string) {
	why := map[string]int{}
	for _, name := range []string{"a", "b"} {
		for _, l := range strings.Split(mustRead(filepath.Join(dir, name+".log")), "\n") {
			if !strings.Contains(l, "unit disconnected") {
				continue
			}
			_, err, _ := strings.Cut(l, "err=")
			for _, cut := range []string{" from unit", " after ", "127.0.0.1"} {
				err, _, _ = strings.Cut(err, cut)
			}
			why[name+": "+err]++
		}
	}
	for w, n := range why {
		fmt.Printf("  dropped by receiver %s (%d)\n", w, n)
	}
}

// failed adds the receivers' last log lines to an error.
func failed(dir string, err error) error {
	for _, name := range []string{"a", "b"} {
		lines := strings.Split(strings.TrimSpace(mustRead(filepath.Join(dir, name+".log"))), "\n")
		err = fmt.Errorf("%w\nreceiver %s:\n%s", err, name, strings.Join(lines[max(0, len(lines)-15):], "\n"))
	}
	return err
}

// each runs f for every unit at once and returns the first error.
func each(us []*unitSim, f func(*unitSim) error) error {
	var wg sync.WaitGroup
	var first atomic.Value
	for _, u := range us {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(u); err != nil {
				first.CompareAndSwap(nil, err)
			}
		}()
	}
	wg.Wait()
	if err, ok := first.Load().(error); ok {
		return err
	}
	return nil
}

// unitSim is one simulated unit: its log holds events 1..last.
type unitSim struct {
	i    int
	last int64
	ws   *websocket.Conn
}

func (u *unitSim) dial(addr string) (*websocket.Conn, int64, error) {
	d := websocket.Dialer{Subprotocols: []string{"motcua.uplink.v1"}, HandshakeTimeout: 60 * time.Second}
	var ws *websocket.Conn
	var err error
	for tries := 0; tries < 30; tries++ {
		ws, _, err = d.Dial("ws://"+addr+"/ingest", http.Header{"Authorization": {"Bearer " + token(u.i)}})
		if err == nil {
			break
		}
		time.Sleep(time.Duration(100+tries*50) * time.Millisecond)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("unit %d: %w", u.i, err)
	}
	first := int64(1)
	if u.last == 0 {
		first = 0
	}
	hello := fmt.Sprintf(`{"type":"hello","unit":%q,"protocol":1,"first":%d,"last":%d}`, unitID(u.i), first, u.last)
	ws.SetReadDeadline(time.Now().Add(120 * time.Second))
	var w struct {
		Type string `json:"type"`
		Ack  int64  `json:"ack"`
	}
	if err := ws.WriteMessage(websocket.TextMessage, []byte(hello)); err != nil {
		ws.Close()
		return nil, 0, err
	}
	if err := ws.ReadJSON(&w); err != nil || w.Type != "welcome" {
		ws.Close()
		return nil, 0, fmt.Errorf("unit %d: no welcome: %v", u.i, err)
	}
	return ws, w.Ack, nil
}

func (u *unitSim) connect(addr string) error {
	ws, _, err := u.dial(addr)
	u.ws = ws
	return err
}

func (u *unitSim) close() {
	if u.ws != nil {
		u.ws.Close()
		u.ws = nil
	}
}

// event is a realistic ticket event of the unit, about 600 bytes.
func (u *unitSim) event(seq int64) []byte {
	n := seq%300 + 1
	return fmt.Appendf(nil, `{"type":"event","seq":%d,"at":"2026-11-26T07:30:%02d.%03d+07:00","event":"ticket.issued","day":"2026-11-26","ticket":{"id":"20261126-A%03d","number":"A%03d","service":"dat-dai","priority":false,"status":"waiting","counter":null,"calls":0,"issued_at":"2026-11-26T07:30:00+07:00","called_at":null,"done_at":null,"ahead":%d,"estimated_wait_s":%d,"day":"2026-11-26","public":"abcdefghijklmnopqrstuvwxyz"},"n":%d}`,
		seq, seq%60, seq%1000, n, n, n%17, n*60, n)
}

// session connects and sends everything after the welcome's ack up to
// last, at most window in flight, and returns when all is acknowledged.
func (u *unitSim) session(addr string, lat *latencies) error {
	ws, ack, err := u.dial(addr)
	if err != nil {
		return err
	}
	defer ws.Close()
	return u.stream(ws, ack, u.last, lat, 0)
}

// paced sends the events after the welcome's ack up to last, one every
// per, and records ack latencies.
func (u *unitSim) paced(addr string, per time.Duration, lat *latencies) error {
	ws, ack, err := u.dial(addr)
	if err != nil {
		return err
	}
	defer ws.Close()
	// Spread the units' first events over one period.
	time.Sleep(time.Duration(u.i) * per / time.Duration(*units))
	return u.stream(ws, ack, u.last, lat, per)
}

// stream sends events ack+1..last (one every per, or as fast as the
// window allows) and reads acks until last is acknowledged.
func (u *unitSim) stream(ws *websocket.Conn, ack, last int64, lat *latencies, per time.Duration) error {
	sent := make([]time.Time, last-ack+1)
	var mu sync.Mutex
	acked := ack
	wake := make(chan struct{}, 1)
	errc := make(chan error, 1)
	go func() {
		for {
			ws.SetReadDeadline(time.Now().Add(120 * time.Second))
			var m struct {
				Type string `json:"type"`
				Seq  int64  `json:"seq"`
			}
			_, data, err := ws.ReadMessage()
			if err == nil {
				err = json.Unmarshal(data, &m)
			}
			if err != nil {
				errc <- fmt.Errorf("unit %d: %w", u.i, err)
				return
			}
			if m.Type != "ack" {
				continue
			}
			now := time.Now()
			mu.Lock()
			if lat != nil {
				for s := acked + 1; s <= m.Seq; s++ {
					lat.add(now.Sub(sent[s-ack]))
				}
			}
			acked = max(acked, m.Seq)
			done := acked >= last
			mu.Unlock()
			select {
			case wake <- struct{}{}:
			default:
			}
			if done {
				errc <- nil
				return
			}
		}
	}()
	if ack >= last {
		return nil
	}
	next := time.Now()
	for s := ack + 1; s <= last; s++ {
		for {
			mu.Lock()
			inflight := s - 1 - acked
			mu.Unlock()
			if inflight < int64(*window) {
				break
			}
			select {
			case <-wake:
			case err := <-errc:
				return err
			}
		}
		if per > 0 {
			time.Sleep(time.Until(next))
			next = next.Add(per)
		}
		mu.Lock()
		sent[s-ack] = time.Now()
		mu.Unlock()
		if err := ws.WriteMessage(websocket.TextMessage, u.event(s)); err != nil {
			return fmt.Errorf("unit %d: %w", u.i, err)
		}
	}
	return <-errc
}

// latencies collects ack latencies.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

// percentiles returns p50 and p99 in milliseconds.
func (l *latencies) percentiles() (float64, float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return 0, 0
	}
	slices.Sort(l.d)
	at := func(p float64) float64 { return float64(l.d[int(p*float64(len(l.d)-1))]) / 1e6 }
	return at(0.50), at(0.99)
}
