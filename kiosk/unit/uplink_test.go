package unit

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"motcua/clock"
	"motcua/kiosk"
	"motcua/kiosk/config"
	"motcua/kiosk/queue"
	"motcua/kiosk/uplink"
	"motcua/uplinkproto"
)

// recReceiver is an uplink receiver that records every event message it
// gets, resends included, so that a test sees a duplicate the reference
// receiver would quietly ignore. It acknowledges each event at once.
type recReceiver struct {
	srv   *httptest.Server
	token string
	// changes are poked at each event received and connection opened
	// or closed.
	changes *changes

	mu    sync.Mutex
	seqs  []int64 // seq of every event received, in arrival order
	conns int     // connections welcomed
	open  int     // connections open now
	bad   []string
}

func newRecReceiver(t *testing.T, token string) *recReceiver {
	r := &recReceiver{token: token, changes: newChanges()}
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
	r.changes.poke()
	defer func() {
		r.mu.Lock()
		r.open--
		r.mu.Unlock()
		r.changes.poke()
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
			r.changes.poke()
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

// uplinkUnit is a running unit whose configuration the test rewrites.
type uplinkUnit struct {
	u   *Unit
	dir string
}

func (x *uplinkUnit) config(t *testing.T, extra string) *config.Config {
	t.Helper()
	toml := fmt.Sprintf(`[unit]
id = "uplink-reload"
name = "Thử tải lại"
[server]
data_dir = %q
[[service]]
id = "dat-dai"
name = "Đất đai"
prefix = "A"
[[service]]
id = "ho-tich"
name = "Hộ tịch"
prefix = "B"
[[counter]]
id = 1
name = "Quầy 1"
services = ["dat-dai", "ho-tich"]
`, filepath.Join(x.dir, "data")) + extra
	cfg, err := config.Parse(filepath.Join(x.dir, "motcua.toml"), []byte(toml))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func (x *uplinkUnit) issue(t *testing.T, n int) {
	t.Helper()
	for range n {
		if _, err := x.u.Room().Do(func(e *queue.Engine) ([]queue.Event, error) { return e.Issue("dat-dai", false) }); err != nil {
			t.Fatal(err)
		}
	}
}

func (x *uplinkUnit) state(t *testing.T) *queue.State {
	t.Helper()
	st, err := kiosk.View(x.u.Room(), (*queue.Engine).State)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func (x *uplinkUnit) uplinkDevice(t *testing.T) string {
	for _, d := range x.state(t).Devices {
		if d.Name == uplink.DeviceName {
			return d.Status + " " + d.Detail
		}
	}
	return ""
}

func (x *uplinkUnit) metrics(t *testing.T) string {
	t.Helper()
	rec := httptest.NewRecorder()
	x.u.d.Metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	return string(body)
}

var ackedSeq = regexp.MustCompile(`(?m)^motcua_uplink_acked_seq (\S+)$`)

// metricAcked is the uplink's acknowledged seq in /metrics, -1 when the
// metric is missing.
func (x *uplinkUnit) metricAcked(t *testing.T) int64 {
	m := ackedSeq.FindStringSubmatch(x.metrics(t))
	if m == nil {
		return -1
	}
	f, _ := strconv.ParseFloat(m[1], 64)
	return int64(f)
}

// A reload with a new [uplink] moves the client from receiver A to
// receiver B, which gets the whole log exactly once and in order while A
// gets nothing more; the metrics and the device status follow the new
// client; an unchanged [uplink] does not reconnect, a bad one refuses the
// reload, a removed one stops the client and an added one starts it.
func TestReloadUplink(t *testing.T) {
	x := &uplinkUnit{dir: t.TempDir()}
	a := newRecReceiver(t, "token-of-receiver-a")
	b := newRecReceiver(t, "token-of-receiver-b")
	withA := uplinkSection(t, x.dir, "a", a.url(), a.token)
	withB := uplinkSection(t, x.dir, "b", b.url(), b.token)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	x.u, err = New(context.Background(), x.config(t, withA), Options{Clock: clock.Trusted{}, Listener: ln})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- x.u.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	reload := func(extra string) error { return x.u.Reload(x.config(t, extra)) }

	x.issue(t, 5)
	a.changes.wait(t, "receiver A to have the log", func() bool { return a.last() == x.state(t).Seq })
	beforeB := x.state(t).Seq
	_, aConns, _, _ := a.snapshot()

	if err := reload(withB); err != nil {
		t.Fatal(err)
	}
	a.changes.wait(t, "A's connection to close", func() bool { _, _, open, _ := a.snapshot(); return open == 0 })
	x.issue(t, 5)
	var n int64
	b.changes.wait(t, "receiver B to have the log", func() bool { n = x.state(t).Seq; return b.last() == n })
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
	eventually(t, "the metrics of the new client", func() bool { return x.metricAcked(t) == n })
	if m := x.metrics(t); !strings.Contains(m, "motcua_uplink_connected 1") {
		t.Errorf("/metrics after the reload has no connected uplink:\n%s", m)
	}
	if got, want := x.uplinkDevice(t), "ok connected to "+b.url(); got != want {
		t.Errorf("uplink device: got %q, want %q", got, want)
	}

	// The same [uplink] again: no reconnection. A ca_file that cannot be
	// read when the reload is put in force (it was fine when the
	// configuration was checked) refuses the whole reload, the new
	// service included.
	if err := reload(withB); err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(x.dir, "ca.pem")
	if err := os.WriteFile(ca, selfSignedPEM(t), 0o600); err != nil {
		t.Fatal(err)
	}
	next := x.config(t, withB+fmt.Sprintf("ca_file = %q\n\n[[service]]\nid = \"xay-dung\"\nname = \"Xây dựng\"\n", ca))
	if err := os.WriteFile(ca, []byte("no certificate here\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := x.u.Reload(next); err == nil || !strings.Contains(err.Error(), "ca") {
		t.Errorf("an unreadable ca_file: got %v, want a refusal naming the CA", err)
	}
	if st := x.state(t); len(st.Services) != 2 {
		t.Errorf("after a refused reload: got %d services, want the old 2", len(st.Services))
	}
	if _, conns, open, _ := b.snapshot(); conns != 1 || open != 1 {
		t.Errorf("receiver B after an unchanged and a refused reload: got %d connections (%d open), want the first one still open", conns, open)
	}

	// Removing [uplink] stops the client.
	x.issue(t, 1)
	b.changes.wait(t, "receiver B to have the log", func() bool { n = x.state(t).Seq; return b.last() == n })
	if err := reload(""); err != nil {
		t.Fatal(err)
	}
	b.changes.wait(t, "B's connection to close", func() bool { _, _, open, _ := b.snapshot(); return open == 0 })
	x.issue(t, 2)
	if m := x.metrics(t); strings.Contains(m, "motcua_uplink_") {
		t.Errorf("/metrics still has uplink metrics without [uplink]")
	}
	if got := x.uplinkDevice(t); !strings.HasPrefix(got, "ok off: ") {
		t.Errorf("uplink device without [uplink]: got %q, want ok off: ...", got)
	}
	if seqs, conns, _, _ := b.snapshot(); slices.Max(seqs) != n || conns != 1 {
		t.Errorf("receiver B after [uplink] was removed: got up to seq %d over %d connections, want %d over 1", slices.Max(seqs), conns, n)
	}

	// [uplink] added back, for A: the new client resumes from A's welcome
	// ack, so A ends with the whole log, once.
	if err := reload(withA); err != nil {
		t.Fatal(err)
	}
	a.changes.wait(t, "receiver A to have the log", func() bool { n = x.state(t).Seq; return a.last() == n })
	if seqs, conns, _, _ := a.snapshot(); !slices.Equal(seqs, seqRange(1, n)) || conns != aConns+1 {
		t.Errorf("receiver A after [uplink] came back: got seqs %v over %d connections, want 1..%d over %d", seqs, conns, n, aConns+1)
	}
}

func seqRange(from, to int64) []int64 {
	var s []int64
	for i := from; i <= to; i++ {
		s = append(s, i)
	}
	return s
}

// selfSignedPEM is a CA certificate in PEM form.
func selfSignedPEM(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
