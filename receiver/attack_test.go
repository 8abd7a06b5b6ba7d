package receiver

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"motcua/uplinkproto"
)

// Issue 13.3: a snapshot with null services and counters, then one event,
// made the receiver panic, for all units, and again at every start.
func TestNullsAreRefused(t *testing.T) {
	tests := []struct {
		name, msg, reason string
	}{
		{"null service and counter", `{"type":"snapshot","seq":0,"state":{"seq":0,"services":[null],"counters":[null]}}`, "a service is null"},
		{"null counter", `{"type":"snapshot","seq":0,"state":{"seq":0,"services":[],"counters":[null]}}`, "counter is null"},
		{"null waiting ticket", `{"type":"snapshot","seq":0,"state":{"seq":0,"services":[{"id":"a","waiting":[null]}]}}`, "waiting ticket is null"},
		{"null device", `{"type":"snapshot","seq":0,"state":{"seq":0,"devices":[null]}}`, "device name is empty"},
		{"ticket without id", `{"type":"event","seq":1,"at":"2026-11-26T08:00:00+07:00","event":"ticket.issued","ticket":{}}`, "ticket id is empty"},
		{"counter 0", `{"type":"event","seq":1,"at":"2026-11-26T08:00:00+07:00","event":"counter.opened","counter":{"id":0}}`, "counter id 0"},
		{"state not an object", `{"type":"snapshot","seq":0,"state":[1]}`, "state object"},
		{"bad time", `{"type":"event","seq":1,"at":"yesterday","event":"x"}`, "not an RFC 3339 time"},
		{"bad day", `{"type":"event","seq":1,"at":"2026-11-26T08:00:00Z","event":"x","day":"26/11"}`, "not a date"},
		{"long name", `{"type":"event","seq":1,"at":"2026-11-26T08:00:00Z","event":"` + strings.Repeat("e", 200) + `"}`, "more than 128"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			c, _ := e.connect(tokenA, unitA, 1, 1)
			c.send(tt.msg, event(1, ""))
			ce := c.closed()
			if ce == nil || ce.Code != websocket.ClosePolicyViolation || !strings.Contains(ce.Text, tt.reason) {
				t.Fatalf("got close %v, want policy violation with %q", ce, tt.reason)
			}
			// The other units are served, the unit may come back, and a
			// restart loads what is stored.
			b, _ := e.connect(tokenB, unitB, 1, 1)
			b.send(event(1, ""))
			b.waitAck(1)
			e.restart()
			a, ack := e.connect(tokenA, unitA, 1, 1)
			a.send(event(ack+1, ""))
			a.waitAck(ack + 1)
			if st := e.status(unitA).State; st != nil {
				t.Errorf("live state %+v from a refused snapshot", st)
			}
		})
	}
}

// logBuffer collects a server's log.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Issue 13.3: start-up never dies on stored data; it skips and reports
// the bad rows.
func TestLoadSkipsBadRows(t *testing.T) {
	e := newEnv(t)
	c, _ := e.connect(tokenA, unitA, 1, 12)
	for i := int64(1); i <= 10; i++ {
		c.send(event(i, ""))
	}
	c.send(`{"type":"snapshot","seq":10,"state":`+liveState+`}`,
		ticketEvent(11, "ticket.issued", "t1", "A001", "waiting", 0),
		ticketEvent(12, "ticket.issued", "t2", "A002", "waiting", 0))
	c.waitAck(12)
	e.stop()

	// What a bad receiver version, a hand edit or a bad disk could leave.
	e.exec(`UPDATE events SET data = ? WHERE unit = 'unit-a' AND seq = 12`, []byte(`{"type":"event","seq":12,"at":"x","event":"ticket.issued","ticket":null}`))
	e.exec(`UPDATE events SET data = ? WHERE unit = 'unit-a' AND seq = 11`, []byte("\x00\xff"))
	e.exec(`INSERT INTO units(unit, ack, snapshot_seq, snapshot) VALUES ('unit-b', 5, 3, ?)`, []byte(`{"seq":3,"services":[null],"counters":[null]}`))
	e.exec(`INSERT INTO events(unit, seq, at, name, data) VALUES ('unit-b', 4, 'x', 'y', ?)`, []byte(`{"type":"event","seq":4,"at":"2026-11-26T08:00:00Z","event":"ticket.issued","ticket":{"id":"t","status":"waiting","service":"a"}}`))
	e.exec(`INSERT INTO units(unit, ack) VALUES ('Not A Unit', 3)`)
	e.exec(`INSERT INTO units(unit, ack, snapshot_seq, snapshot) VALUES ('unit-d', 2, 1, ?)`, []byte("garbage"))
	bad := []string{"unit-a: event 12 skipped", "unit-a: event 11 skipped", "unit-b: snapshot at seq 3 skipped", "Not A Unit", "unit-d: snapshot at seq 1 skipped"}
	if pg == nil {
		// SQLite keeps any value in any column.
		e.exec(`INSERT INTO units(unit, ack) VALUES ('unit-c', 'many')`)
		bad = append(bad, "unit-c")
	}

	var logs logBuffer
	e.open(func(o *Options) { o.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	st := e.status(unitA)
	if st.Ack != 12 || st.State == nil || waiting(st.State) != "|" || st.State.Seq != 10 {
		t.Errorf("unit a: got ack %d, state %v; want 12 with the snapshot at 10 and the bad events skipped", st.Ack, st.State)
	}
	if st := e.status(unitB); st.Ack != 5 || st.State != nil {
		t.Errorf("unit b: got ack %d, state %v; want 5 and no state", st.Ack, st.State)
	}
	if st := e.status("unit-d"); st.Ack != 2 || st.State != nil {
		t.Errorf("unit d: got ack %d, state %v; want 2 and no state", st.Ack, st.State)
	}
	for _, u := range e.srv.Units() {
		if u.Unit == "Not A Unit" || u.Unit == "unit-c" {
			t.Errorf("loaded the bad row of %q", u.Unit)
		}
	}
	for _, want := range bad {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the log does not report %q:\n%s", want, logs.String())
		}
	}
	// The page renders all of it.
	if resp, _ := e.do("GET", "/", "", asOperator...); resp.StatusCode != 200 {
		t.Errorf("page: %d", resp.StatusCode)
	}
	// And the unit goes on.
	c, ack := e.connect(tokenA, unitA, 1, 13)
	if ack != 12 {
		t.Fatalf("welcome: got %d, want 12", ack)
	}
	c.send(ticketEvent(13, "ticket.issued", "t3", "A003", "waiting", 0))
	c.waitAck(13)
}

// Issue 13.5: a forged gap moved the stored ack past what the unit had;
// its real events were then ignored and it refused that receiver for
// good. A gap may only cover what the hello said the unit lacks.
func TestForgedGapIsRefused(t *testing.T) {
	tests := []struct {
		name        string
		first, last int64
		events      int64 // sent before the gap
		gap         string
		refused     bool
		ackAfter    int64
	}{
		{name: "beyond everything", first: 1, last: 5, events: 2, gap: `{"type":"gap","from":3,"to":4611686018427387904}`, refused: true},
		{name: "over held events", first: 3, last: 5, gap: `{"type":"gap","from":1,"to":3}`, refused: true},
		{name: "unit holds nothing", first: 0, last: 0, gap: `{"type":"gap","from":1,"to":2}`, refused: true},
		{name: "what the unit lacks", first: 3, last: 5, gap: `{"type":"gap","from":1,"to":2}`, ackAfter: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			c, _ := e.connect(tokenA, unitA, tt.first, tt.last)
			for i := range tt.events {
				c.send(event(i+1, ""))
			}
			if tt.events > 0 {
				c.waitAck(tt.events)
			}
			c.send(tt.gap)
			if tt.refused {
				ce := c.closed()
				if ce == nil || ce.Code != websocket.ClosePolicyViolation || !strings.Contains(ce.Text, "covers events its hello said it holds") {
					t.Fatalf("got close %v, want the gap refused", ce)
				}
				if st := e.status(unitA); st.Ack != tt.events || st.Lost != 0 {
					t.Fatalf("after a refused gap: ack %d, lost %d; want %d and 0", st.Ack, st.Lost, tt.events)
				}
				// The real unit's events are stored.
				c, ack := e.connect(tokenA, unitA, 1, tt.events+2)
				if ack != tt.events {
					t.Fatalf("welcome: %d, want %d", ack, tt.events)
				}
				c.send(event(ack+1, ""), event(ack+2, ""))
				c.waitAck(ack + 2)
				if got := e.stored(unitA); !slices.Equal(got, seqRange(1, ack+2)) {
					t.Errorf("stored %v, want 1..%d", got, ack+2)
				}
				return
			}
			c.waitAck(tt.ackAfter)
			if st := e.status(unitA); st.Lost != tt.ackAfter {
				t.Errorf("lost %d, want %d", st.Lost, tt.ackAfter)
			}
		})
	}
}

// Issue 13.4: the command API trusted any request from 127.0.0.1, with
// no token and no Origin or Content-Type check; the page and /api/units
// (officers' names, units' addresses) were open.
func TestOperatorOnly(t *testing.T) {
	e := newEnv(t)
	same := e.ts.URL // the receiver's own origin
	cmd := `{"name":"counter.next","counter":1}`
	js := []string{"Content-Type", "application/json"}
	with := func(h ...[]string) []string { return slices.Concat(h...) }
	tests := []struct {
		name, method, path, body string
		headers                  []string
		status                   int
		code                     string
	}{
		{"page without login", "GET", "/", "", nil, http.StatusSeeOther, ""},
		{"units without token, from this machine", "GET", "/api/units", "", nil, http.StatusUnauthorized, "unauthorized"},
		{"command without token, from this machine", "POST", "/api/units/unit-a/commands", cmd, js, http.StatusUnauthorized, "unauthorized"},
		{"command with a unit's token", "POST", "/api/units/unit-a/commands", cmd, with(js, []string{"Authorization", "Bearer " + tokenA}), http.StatusUnauthorized, "unauthorized"},
		{"command with a wrong token", "POST", "/api/units/unit-a/commands", cmd, with(js, []string{"Authorization", "Bearer " + opToken + "x"}), http.StatusUnauthorized, "unauthorized"},
		{"command as a form", "POST", "/api/units/unit-a/commands", cmd, with(asOperator, []string{"Content-Type", "text/plain"}), http.StatusUnsupportedMediaType, "bad_request"},
		{"command from another site", "POST", "/api/units/unit-a/commands", cmd, with(js, asOperator, []string{"Origin", "http://evil.example"}), http.StatusForbidden, "bad_origin"},
		{"command from this site over https", "POST", "/api/units/unit-a/commands", cmd, with(js, asOperator, []string{"Origin", strings.Replace(same, "http:", "https:", 1)}), http.StatusForbidden, "bad_origin"},
		{"command a unit cannot decode", "POST", "/api/units/unit-a/commands", `{"name":"counter.next","counter":0}`, with(js, asOperator), http.StatusBadRequest, "bad_request"},
		{"command to a unit not connected", "POST", "/api/units/unit-a/commands", cmd, with(js, asOperator, []string{"Origin", same}), http.StatusBadGateway, "unit_unreachable"},
		{"units with the token", "GET", "/api/units", "", asOperator, http.StatusOK, ""},
		{"page with the token", "GET", "/", "", asOperator, http.StatusOK, ""},
		{"login from another site", "POST", "/login", "token=" + opToken, []string{"Content-Type", "application/x-www-form-urlencoded", "Origin", "http://evil.example"}, http.StatusForbidden, "bad_origin"},
		{"login with a wrong token", "POST", "/login", "token=nope", []string{"Content-Type", "application/x-www-form-urlencoded"}, http.StatusUnauthorized, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := e.do(tt.method, tt.path, tt.body, tt.headers...)
			if resp.StatusCode != tt.status || tt.code != "" && !strings.Contains(body, `"code":"`+tt.code+`"`) {
				t.Errorf("got %d %s, want %d %s", resp.StatusCode, body, tt.status, tt.code)
			}
		})
	}
}

// A browser logs in with the operator token and gets a session cookie:
// the page and the API take it, a page on another site cannot use it,
// and it ends on logout or after 12 hours.
func TestLoginSession(t *testing.T) {
	e := newEnv(t)
	resp, _ := e.do("POST", "/login", "token="+opToken, "Content-Type", "application/x-www-form-urlencoded", "Origin", e.ts.URL)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("login: got %d to %q, want 303 to /", resp.StatusCode, resp.Header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode {
		t.Fatalf("session cookie %+v, want HttpOnly and SameSite=Strict", cookie)
	}
	withCookie := []string{"Cookie", sessionCookie + "=" + cookie.Value}
	if resp, body := e.do("GET", "/", "", withCookie...); resp.StatusCode != 200 || !strings.Contains(body, "motcua receiver") {
		t.Errorf("page with the cookie: %d", resp.StatusCode)
	}
	cmd := `{"name":"counter.next","counter":1}`
	if resp, _ := e.do("POST", "/api/units/unit-a/commands", cmd, slices.Concat(withCookie, []string{"Content-Type", "application/json", "Origin", "http://evil.example"})...); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site command with the cookie: got %d, want 403", resp.StatusCode)
	}
	if resp, _ := e.do("POST", "/api/units/unit-a/commands", cmd, slices.Concat(withCookie, []string{"Content-Type", "application/json", "Origin", e.ts.URL})...); resp.StatusCode != http.StatusBadGateway {
		t.Errorf("same-site command with the cookie: got %d, want 502 (the unit is not connected)", resp.StatusCode)
	}
	e.clk.Advance(sessionTTL)
	if resp, _ := e.do("GET", "/api/units", "", withCookie...); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("after 12 hours: got %d, want 401", resp.StatusCode)
	}
	// Log in again, then out.
	resp, _ = e.do("POST", "/login", "token="+opToken, "Content-Type", "application/x-www-form-urlencoded")
	withCookie = []string{"Cookie", resp.Cookies()[0].Name + "=" + resp.Cookies()[0].Value}
	if resp, _ := e.do("POST", "/logout", "", withCookie...); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("logout: got %d", resp.StatusCode)
	}
	if resp, _ := e.do("GET", "/api/units", "", withCookie...); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("after logout: got %d, want 401", resp.StatusCode)
	}
}

func TestOperatorTokenIsNotAUnitToken(t *testing.T) {
	_, err := Open(context.Background(), Options{Dir: t.TempDir(), Tokens: map[string]string{tokenA: unitA}, Operators: map[string]string{tokenA: "op"}})
	if err == nil || !strings.Contains(err.Error(), "operator op has the token of unit unit-a") {
		t.Errorf("got %v, want the shared token refused", err)
	}
}

// serveEnv runs Server.Serve on loopback.
func serveEnv(t *testing.T, mod func(*Options)) (*env, string) {
	t.Helper()
	var mods []func(*Options)
	if mod != nil {
		mods = append(mods, mod)
	}
	e := newEnv(t, mods...)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return e, ln.Addr().String()
}

// Issue 13.9: the receiver had no connection cap (3,000 held).
func TestConnectionCap(t *testing.T) {
	_, addr := serveEnv(t, func(o *Options) { o.MaxConns = 3; o.HeaderTimeout = time.Hour })
	var held []net.Conn
	for range 3 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		held = append(held, c)
	}
	// The fourth is closed at once.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(wait))
	if n, err := c.Read(make([]byte, 1)); err != io.EOF && !isReset(err) {
		t.Fatalf("fourth connection: read %d, %v; want it closed", n, err)
	}
	c.Close()
	// Once one is let go, a new one is served.
	held[0].Close()
	deadline := time.Now().Add(wait)
	for {
		resp, err := (&http.Client{Timeout: wait}).Get("http://" + addr + "/login")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no connection served after one was closed: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func isReset(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "reset") || strings.Contains(err.Error(), "closed"))
}

// Issue 13.9: the receiver had no idle or handshake timeout.
func TestHeaderTimeout(t *testing.T) {
	_, addr := serveEnv(t, func(o *Options) { o.HeaderTimeout = 50 * time.Millisecond })
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprint(c, "GET / HTTP/1.1\r\n") // and never the rest
	c.SetReadDeadline(time.Now().Add(wait))
	if _, err := io.ReadAll(c); err != nil && !isReset(err) {
		t.Fatalf("got %v, want the connection closed", err)
	}
}

// The websocket of a unit that never says hello is closed (see also
// TestHelloTimeout) through Serve too; and Serve stops when asked.
func TestServeIngest(t *testing.T) {
	e, addr := serveEnv(t, nil)
	d := websocket.Dialer{Subprotocols: []string{uplinkproto.Subprotocol}, HandshakeTimeout: wait}
	ws, _, err := d.Dial("ws://"+addr+"/ingest", http.Header{"Authorization": {"Bearer " + tokenA}})
	if err != nil {
		t.Fatal(err)
	}
	c := &unitConn{t: t, ws: ws}
	defer ws.Close()
	c.send(string(uplinkproto.Hello(unitA, 1, 1)), event(1, ""))
	if m := c.read(); m.Type != uplinkproto.TypeWelcome {
		t.Fatalf("got %s", m.Raw)
	}
	c.waitAck(1)
	if st := e.status(unitA); !st.Connected || !strings.HasPrefix(st.Addr, "127.0.0.1:") {
		t.Errorf("status %+v", st)
	}
}
