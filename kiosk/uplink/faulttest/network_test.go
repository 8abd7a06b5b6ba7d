package faulttest

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"motcua/uplinkproto"
)

// chaosProxy forwards TCP to target; while chaos is on, it drops,
// stalls and half-closes connections at random.
type chaosProxy struct {
	ln     net.Listener
	target string
	chaos  atomic.Bool
	faults atomic.Int64
	wg     sync.WaitGroup
}

func newChaosProxy(t *testing.T, target string) *chaosProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &chaosProxy{ln: ln, target: target}
	p.chaos.Store(true)
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(func() {
		ln.Close()
		p.wg.Wait()
	})
	return p
}

func (p *chaosProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go p.serve(c.(*net.TCPConn))
	}
}

// gate is a pump's stall switch.
type gate struct {
	mu sync.Mutex
}

func (p *chaosProxy) serve(down *net.TCPConn) {
	defer p.wg.Done()
	c, err := net.Dial("tcp", p.target)
	if err != nil {
		down.Close()
		return
	}
	up := c.(*net.TCPConn)
	var stall gate
	done := make(chan struct{}, 2)
	pump := func(dst, src *net.TCPConn) {
		buf := make([]byte, 4096)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				// Waits while the test holds the lock to stall the link.
				stall.mu.Lock()
				//lint:ignore SA2001 the wait is the point
				stall.mu.Unlock()
				if _, werr := dst.Write(buf[:n]); werr != nil {
					break
				}
			}
			if err != nil {
				break
			}
		}
		dst.CloseWrite()
		done <- struct{}{}
	}
	go pump(up, down)
	go pump(down, up)
	// While chaos is on, faults keep coming until the connection ends.
	for p.chaos.Load() {
		t := time.NewTimer(50*time.Millisecond + rand.N(400*time.Millisecond))
		select {
		case <-t.C:
			p.faults.Add(1)
			switch rand.N(4) {
			case 0: // drop
				down.Close()
				up.Close()
			case 1: // stall both ways, then go on
				stall.mu.Lock()
				time.Sleep(100*time.Millisecond + rand.N(500*time.Millisecond))
				stall.mu.Unlock()
			case 2: // half-close towards the kiosk
				down.CloseWrite()
			case 3: // half-close towards the receiver
				up.CloseWrite()
			}
		case <-done:
			t.Stop()
			<-done
			down.Close()
			up.Close()
			return
		}
	}
	<-done
	<-done
	down.Close()
	up.Close()
}

// TestChaosProxy: a TCP proxy between the kiosk and the receiver drops,
// stalls and half-closes connections at random while events happen.
func TestChaosProxy(t *testing.T) {
	r := newReceiver(t)
	r.start(t)
	p := newChaosProxy(t, r.addr)
	k := newKioskConfig(t, "ws://"+p.ln.Addr().String()+"/ingest")
	k.start(t)
	stop := make(chan struct{})
	issued := issueWhile(k, stop)
	for p.faults.Load() < int64(count(t, 20)) {
		jitter(50*time.Millisecond, 150*time.Millisecond)
	}
	close(stop)
	n := issued()
	p.chaos.Store(false)
	converge(t, k, r, 30*time.Second)
	total := checkSame(t, k, r)
	t.Logf("%d tickets, %d events stored once each through %d network faults", n, total, p.faults.Load())
}

// fakeReceiver is a receiver whose behaviour the test scripts.
func fakeUpgrader(proto string) *websocket.Upgrader {
	u := &websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	if proto != "" {
		u.Subprotocols = []string{proto}
	}
	return u
}

// readHello reads a unit's hello.
func readHello(c *websocket.Conn) (*uplinkproto.Message, error) {
	_, data, err := c.ReadMessage()
	if err != nil {
		return nil, err
	}
	return uplinkproto.DecodeClient(data)
}

// readAll reads until the unit hangs up.
func readAll(c *websocket.Conn) error {
	for {
		if _, _, err := c.ReadMessage(); err != nil {
			return err
		}
	}
}

// TestReceiverNeverAcks: the kiosk sends at most its window of events,
// keeps its memory bounded and keeps serving.
func TestReceiverNeverAcks(t *testing.T) {
	var events atomic.Int64
	wake := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := fakeUpgrader(uplinkproto.Subprotocol).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		if _, err := readHello(c); err != nil {
			return
		}
		c.WriteMessage(websocket.TextMessage, uplinkproto.Welcome(0))
		for {
			_, data, err := c.ReadMessage()
			if err != nil {
				return
			}
			if m, err := uplinkproto.DecodeClient(data); err == nil && m.Type == uplinkproto.TypeEvent {
				events.Add(1)
				select {
				case wake <- struct{}{}:
				default:
				}
			}
		}
	}))
	defer srv.Close()
	k := newKioskConfig(t, "ws"+strings.TrimPrefix(srv.URL, "http")+"/ingest")
	k.start(t)
	const window = 4096
	n := count(t, 6000)
	if got := k.issue(n, 8); got != n {
		t.Fatalf("issued %d, want %d: the kiosk must keep working", got, n)
	}
	want := int64(min(window, n+1)) // +1: the uplink's own device status
	deadline := time.After(20 * time.Second)
	for events.Load() < want {
		select {
		case <-wake:
		case <-deadline:
			t.Fatalf("the receiver got %d events, want %d", events.Load(), want)
		}
	}
	// Still serving, quickly.
	began := time.Now()
	if got := k.issue(50, 1); got != 50 {
		t.Fatalf("issued %d of 50 while the receiver does not ack", got)
	}
	if el := time.Since(began); el > 5*time.Second {
		t.Errorf("50 tickets took %s while the receiver does not ack", el)
	}
	if got := events.Load(); got > window {
		t.Errorf("the receiver got %d unacknowledged events, want at most the window of %d", got, window)
	}
	rss := rssKiB(t, k.cmd.Process.Pid)
	t.Logf("kiosk RSS %d KiB with %d events unacknowledged", rss, k.seq())
	if rss > 200<<10 {
		t.Errorf("kiosk RSS %d KiB, want under 200 MiB", rss)
	}
}

func rssKiB(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

// TestMisbehavingReceiver: a receiver that sends garbage, a huge frame,
// a wrong subprotocol or an ack beyond what was sent; the kiosk logs a
// clear error, reconnects, and loses nothing once a good receiver is
// behind the address.
func TestMisbehavingReceiver(t *testing.T) {
	r := newReceiver(t)
	r.start(t)
	target, _ := url.Parse("http://" + r.addr)
	good := httputil.NewSingleHostReverseProxy(target)
	modes := []struct {
		name string
		want string // in the kiosk's log
		run  func(w http.ResponseWriter, req *http.Request) error
	}{
		{"garbage", "not a JSON message", func(w http.ResponseWriter, req *http.Request) error {
			c, err := fakeUpgrader(uplinkproto.Subprotocol).Upgrade(w, req, nil)
			if err != nil {
				return err
			}
			defer c.Close()
			readHello(c)
			c.WriteMessage(websocket.TextMessage, uplinkproto.Welcome(0))
			c.WriteMessage(websocket.TextMessage, []byte("\x00}{garbage"))
			return readAll(c)
		}},
		{"huge frame", "read limit exceeded", func(w http.ResponseWriter, req *http.Request) error {
			c, err := fakeUpgrader(uplinkproto.Subprotocol).Upgrade(w, req, nil)
			if err != nil {
				return err
			}
			defer c.Close()
			readHello(c)
			c.WriteMessage(websocket.TextMessage, uplinkproto.Welcome(0))
			c.WriteMessage(websocket.TextMessage, []byte(`{"type":"ack","seq":1,"pad":"`+strings.Repeat("x", uplinkproto.MaxMessage+10)+`"}`))
			return readAll(c)
		}},
		{"wrong subprotocol", "did not accept subprotocol", func(w http.ResponseWriter, req *http.Request) error {
			c, err := fakeUpgrader("").Upgrade(w, req, http.Header{"Sec-Websocket-Protocol": {"other.v9"}})
			if err != nil {
				return err
			}
			defer c.Close()
			_, _, err = c.ReadMessage()
			return err
		}},
		{"ack beyond last", "acknowledged an event this unit never sent", func(w http.ResponseWriter, req *http.Request) error {
			c, err := fakeUpgrader(uplinkproto.Subprotocol).Upgrade(w, req, nil)
			if err != nil {
				return err
			}
			defer c.Close()
			h, err := readHello(c)
			if err != nil {
				return err
			}
			c.WriteMessage(websocket.TextMessage, uplinkproto.Welcome(0))
			c.WriteMessage(websocket.TextMessage, uplinkproto.Ack(h.Last+1000))
			for {
				if _, _, err := c.ReadMessage(); err != nil {
					return err
				}
			}
		}},
		{"welcome beyond last", "welcome ack", func(w http.ResponseWriter, req *http.Request) error {
			c, err := fakeUpgrader(uplinkproto.Subprotocol).Upgrade(w, req, nil)
			if err != nil {
				return err
			}
			defer c.Close()
			h, err := readHello(c)
			if err != nil {
				return err
			}
			c.WriteMessage(websocket.TextMessage, uplinkproto.Welcome(h.Last+5))
			_, _, err = c.ReadMessage()
			return err
		}},
	}
	var conns atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		i := int(conns.Add(1)) - 1
		if i >= len(modes) {
			good.ServeHTTP(w, req)
			return
		}
		err := modes[i].run(w, req)
		var ce *websocket.CloseError
		if err != nil && !errors.As(err, &ce) && !errors.Is(err, io.EOF) {
			t.Logf("fake receiver %s: %v", modes[i].name, err)
		}
	}))
	defer srv.Close()
	k := newKioskConfig(t, "ws"+strings.TrimPrefix(srv.URL, "http")+"/ingest")
	k.start(t)
	k.issue(200, 4) // events to send, bad receiver or good
	for _, m := range modes {
		k.waitLog(m.want)
	}
	k.issue(100, 4)
	converge(t, k, r, 30*time.Second)
	total := checkSame(t, k, r)
	t.Logf("%d events stored once each after %d misbehaving receivers", total, len(modes))
}
