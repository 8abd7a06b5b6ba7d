package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/gorilla/websocket"

	"motcua/kiosk/uplink"
	"motcua/uplinkproto"
)

// recReceiver is an uplink receiver that records every event message it
// gets, resends included, so that a test sees a duplicate the reference
// receiver would quietly ignore. It acknowledges each event at once.
type recReceiver struct {
	srv   *httptest.Server
	token string

	mu    sync.Mutex
	seqs  []int64 // seq of every event received, in arrival order
	conns int     // connections welcomed
	open  int     // connections open now
	bad   []string
}

func newRecReceiver(t *testing.T, token string) *recReceiver {
	r := &recReceiver{token: token}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(func() {
		r.srv.CloseClientConnections()
		r.srv.Close()
	})
	return r
}

func (r *recReceiver) url() string { return "ws" + strings.TrimPrefix(r.srv.URL, "http") + "/ingest" }

func (r *recReceiver) serve(w http.ResponseWriter, req *http.Request) {
	if req.Header.Get("Authorization") != "Bearer "+r.token {
		http.Error(w, "wrong token", http.StatusUnauthorized)
		return
	}
	up := websocket.Upgrader{Subprotocols: []string{uplinkproto.Subprotocol}}
	conn, err := up.Upgrade(w, req, nil)
	if err != nil {
		return
	}
	defer conn.Close()
	if _, data, err := conn.ReadMessage(); err != nil {
		return
	} else if m, err := uplinkproto.DecodeClient(data); err != nil || m.Type != uplinkproto.TypeHello {
		r.fail("first message %q, want a hello", data)
		return
	}
	r.mu.Lock()
	ack := int64(0)
	if n := len(r.seqs); n > 0 {
		ack = r.seqs[n-1]
	}
	r.conns++
	r.open++
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.open--
		r.mu.Unlock()
	}()
	if err := conn.WriteMessage(websocket.TextMessage, uplinkproto.Welcome(ack)); err != nil {
		return
	}
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			return
		}
		m, err := uplinkproto.DecodeClient(data)
		if err != nil {
			r.fail("bad message %q: %v", data, err)
			return
		}
		switch m.Type {
		case uplinkproto.TypeEvent:
			r.mu.Lock()
			r.seqs = append(r.seqs, m.Seq)
			r.mu.Unlock()
			if err := conn.WriteMessage(websocket.TextMessage, uplinkproto.Ack(m.Seq)); err != nil {
				return
			}
		case uplinkproto.TypeGap:
			r.fail("gap %d..%d", m.From, m.To)
		}
	}
}

func (r *recReceiver) fail(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bad = append(r.bad, fmt.Sprintf(format, args...))
}

// snapshot returns the seqs received, the connections welcomed and open,
// and the protocol faults seen.
func (r *recReceiver) snapshot() (seqs []int64, conns, open int, bad []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.seqs), r.conns, r.open, slices.Clone(r.bad)
}

// last is the highest seq received (0: none).
func (r *recReceiver) last() int64 {
	seqs, _, _, _ := r.snapshot()
	if len(seqs) == 0 {
		return 0
	}
	return slices.Max(seqs)
}

// uplinkSection writes token to a file in dir and returns an [uplink]
// section for url with it.
func uplinkSection(t *testing.T, dir, name, url, token string) string {
	t.Helper()
	tf := filepath.Join(dir, name+".token")
	if err := os.WriteFile(tf, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("\n[uplink]\nurl = %q\ntoken_file = %q\nbackoff_max = \"1s\"\n", url, tf)
}

func (p *daemonProc) metrics(t *testing.T) string {
	t.Helper()
	resp, err := client.Get(p.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics: got %d %s, want 200", resp.StatusCode, body)
	}
	return string(body)
}

var ackedSeq = regexp.MustCompile(`(?m)^motcua_uplink_acked_seq (\S+)$`)

// metricAcked is the uplink's acknowledged seq in /metrics, -1 when the
// metric is missing.
func (p *daemonProc) metricAcked(t *testing.T) int64 {
	m := ackedSeq.FindStringSubmatch(p.metrics(t))
	if m == nil {
		return -1
	}
	f, _ := strconv.ParseFloat(m[1], 64)
	return int64(f)
}

func (p *daemonProc) uplinkDetail(t *testing.T) string {
	for _, d := range p.state(t).Devices {
		if d.Name == uplink.DeviceName {
			return d.Status + " " + d.Detail
		}
	}
	return ""
}

func (p *daemonProc) issue(t *testing.T, n int) {
	t.Helper()
	for range n {
		if code, body, err := p.post("/api/v1/tickets", `{"service":"dat-dai"}`); err != nil || code != 201 {
			t.Fatalf("issue: %d %s %v", code, body, err)
		}
	}
}

func (p *daemonProc) reload(t *testing.T, path, config string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	p.cmd.Process.Signal(syscall.SIGHUP)
}

// TestReloadUplink sends SIGHUP to the real binary with a new [uplink]:
// the client moves from receiver A to receiver B, which gets the whole log
// exactly once and in order while A gets nothing more; the metrics and
// the device status follow the new client; an unchanged [uplink] does not
// reconnect, a bad one refuses the reload, a removed one stops the
// client and an added one starts it.
func TestReloadUplink(t *testing.T) {
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	addr := freePort(t)
	path := writeCrashConfig(t, dir, addr)
	base, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	a := newRecReceiver(t, "token-of-receiver-a")
	b := newRecReceiver(t, "token-of-receiver-b")
	withA := string(base) + uplinkSection(t, dir, "a", a.url(), a.token)
	withB := string(base) + uplinkSection(t, dir, "b", b.url(), b.token)
	if err := os.WriteFile(path, []byte(withA), 0o600); err != nil {
		t.Fatal(err)
	}
	p := startDaemon(t, bin, path, addr)

	p.issue(t, 5)
	waitFor(t, "receiver A to have the log", func() bool { return a.last() == p.state(t).Seq })
	beforeB := p.state(t).Seq
	_, aConns, _, _ := a.snapshot()

	p.reload(t, path, withB)
	waitFor(t, "the restart in the log", func() bool { return strings.Contains(p.out.String(), "uplink restarted with the new configuration") })
	waitFor(t, "A's connection to close", func() bool { _, _, open, _ := a.snapshot(); return open == 0 })
	p.issue(t, 5)
	var n int64
	waitFor(t, "receiver B to have the log", func() bool { n = p.state(t).Seq; return b.last() == n })

	seqs, _, _, bad := b.snapshot()
	if want := seqRange(1, n); !slices.Equal(seqs, want) {
		t.Errorf("receiver B got seqs %v, want %v once each, in order", seqs, want)
	}
	if len(bad) > 0 {
		t.Errorf("receiver B saw %v", bad)
	}
	aSeqs, conns, open, bad := a.snapshot()
	if m := slices.Max(aSeqs); m > beforeB || conns != aConns || open != 0 || len(bad) > 0 {
		t.Errorf("receiver A after the reload: got up to seq %d, %d connections (%d open), faults %v; want nothing after seq %d, still %d connections, none open",
			m, conns, open, bad, beforeB, aConns)
	}
	if !slices.Equal(aSeqs, seqRange(1, beforeB)) {
		t.Errorf("receiver A got seqs %v, want 1..%d", aSeqs, beforeB)
	}
	waitFor(t, "the metrics of the new client", func() bool { return p.metricAcked(t) == n })
	if m := p.metrics(t); !strings.Contains(m, "motcua_uplink_connected 1") {
		t.Errorf("/metrics after the reload has no connected uplink:\n%s", grepLines(m, "motcua_uplink_"))
	}
	if got, want := p.uplinkDetail(t), "ok connected to "+b.url(); got != want {
		t.Errorf("uplink device: got %q, want %q", got, want)
	}
	if out := p.out.String(); strings.Contains(out, "level=ERROR") || strings.Contains(out, b.token) {
		t.Errorf("the log has an error or the token:\n%s", out)
	}

	// The same [uplink] again: no reconnection. A bad ca_file in a new
	// one refuses the whole reload, the new service included. Removing
	// [uplink] stops the client. Each reload's log line comes after the
	// previous reload finished.
	p.reload(t, path, withB)
	waitFor(t, "the second reload", func() bool { return strings.Count(p.out.String(), `msg="configuration reloaded"`) == 2 })
	ca := filepath.Join(dir, "not-a-ca.pem")
	if err := os.WriteFile(ca, []byte("no certificate here\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	badCA := withB + fmt.Sprintf("ca_file = %q\n\n[[service]]\nid = \"xay-dung\"\nname = \"Xây dựng\"\n", ca)
	p.reload(t, path, badCA)
	waitFor(t, "the refusal", func() bool { return strings.Contains(p.out.String(), "reload refused") })
	if out := p.out.String(); !strings.Contains(out, "ca_file") {
		t.Errorf("the refusal does not name ca_file:\n%s", out)
	}
	if st := p.state(t); len(st.Services) != 2 {
		t.Errorf("after a refused reload: got %d services, want the old 2", len(st.Services))
	}
	if _, conns, open, _ := b.snapshot(); conns != 1 || open != 1 {
		t.Errorf("receiver B after an unchanged and a refused reload: got %d connections (%d open), want the first one still open", conns, open)
	}
	if c := strings.Count(p.out.String(), "uplink restarted"); c != 1 {
		t.Errorf("%d restarts of the uplink in the log, want 1", c)
	}

	p.issue(t, 1)
	waitFor(t, "receiver B to have the log", func() bool { n = p.state(t).Seq; return b.last() == n })
	p.reload(t, path, string(base))
	waitFor(t, "the stop in the log", func() bool {
		return strings.Contains(p.out.String(), "uplink stopped: the configuration has no [uplink]")
	})
	waitFor(t, "B's connection to close", func() bool { _, _, open, _ := b.snapshot(); return open == 0 })
	p.issue(t, 2)
	if m := p.metrics(t); strings.Contains(m, "motcua_uplink_") {
		t.Errorf("/metrics still has uplink metrics without [uplink]:\n%s", grepLines(m, "motcua_uplink_"))
	}
	if got := p.uplinkDetail(t); !strings.HasPrefix(got, "ok off: ") {
		t.Errorf("uplink device without [uplink]: got %q, want ok off: ...", got)
	}
	if seqs, conns, _, _ := b.snapshot(); slices.Max(seqs) != n || conns != 1 {
		t.Errorf("receiver B after [uplink] was removed: got up to seq %d over %d connections, want %d over 1", slices.Max(seqs), conns, n)
	}

	// [uplink] added back, for A: the new client resumes from A's welcome
	// ack, so A ends with the whole log, once.
	p.reload(t, path, withA)
	waitFor(t, "the start in the log", func() bool {
		return strings.Contains(p.out.String(), "uplink started with the new configuration")
	})
	waitFor(t, "receiver A to have the log", func() bool { n = p.state(t).Seq; return a.last() == n })
	if seqs, conns, _, _ := a.snapshot(); !slices.Equal(seqs, seqRange(1, n)) || conns != aConns+1 {
		t.Errorf("receiver A after [uplink] came back: got seqs %v over %d connections, want 1..%d over %d", seqs, conns, n, aConns+1)
	}
	if out := p.out.String(); strings.Count(out, "level=ERROR") != 1 || strings.Contains(out, "DATA RACE") {
		t.Errorf("the log has errors besides the refused reload:\n%s", out)
	}
}

func seqRange(from, to int64) []int64 {
	var s []int64
	for i := from; i <= to; i++ {
		s = append(s, i)
	}
	return s
}

func grepLines(s, prefix string) string {
	var out []string
	for l := range strings.Lines(s) {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "")
}
