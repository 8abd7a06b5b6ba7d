package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"motcua/clock"
	"motcua/kiosk/config"
	"motcua/kiosk/daemon"
	"motcua/kiosk/queue"
)

// room is a daemon on a loopback port with one token of each kind.
type room struct {
	t    testing.TB
	d    *daemon.Daemon
	base string
	tok  map[string]string
}

func newRoom(t testing.TB, edit func(*config.Config)) *room {
	return newRoomLogged(t, edit, nil)
}

func newRoomLogged(t testing.TB, edit func(*config.Config), log *slog.Logger) *room {
	t.Helper()
	return newRoomClock(t, edit, log, clock.Trusted{})
}

func newRoomClock(t testing.TB, edit func(*config.Config), log *slog.Logger, clk clock.Dated) *room {
	t.Helper()
	cfg := config.Demo()
	cfg.Server.DataDir = t.TempDir()
	tok := map[string]string{
		"admin":    "admin-secret-0001",
		"kiosk":    "kiosk-secret-0001",
		"display":  "display-secret-01",
		"counter1": "counter1-secret-1",
	}
	for _, tk := range []config.Token{
		{Role: config.RoleAdmin, Secret: tok["admin"]},
		{Role: config.RoleKiosk, Secret: tok["kiosk"]},
		{Role: config.RoleDisplay, Secret: tok["display"]},
		{Role: config.RoleCounter, Secret: tok["counter1"], Counters: []int{1}},
	} {
		if err := cfg.AddToken(tk); err != nil {
			t.Fatal(err)
		}
	}
	if edit != nil {
		edit(cfg)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d, err := daemon.New(context.Background(), daemon.Options{Config: cfg, Clock: clk, Listener: ln, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("daemon: %v", err)
		}
	})
	return &room{t: t, d: d, base: "http://" + d.Addr(), tok: tok}
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) code() string {
	var e struct {
		Error struct{ Code, Message string }
	}
	json.Unmarshal(a.body, &e)
	return e.Error.Code
}

func (r *room) req(method, path, token, body string, hdr ...string) answer {
	r.t.Helper()
	return doReq(r.t, r.base, method, path, token, body, hdr...)
}

func doReq(t testing.TB, base, method, path, token, body string, hdr ...string) answer {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" { // the client sends req.Host, not the header
			req.Host = hdr[i+1]
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, b}
}

func TestAuth(t *testing.T) {
	r := newRoom(t, nil)
	tests := []struct {
		name, method, path, token, body string
		hdr                             []string
		status                          int
		code                            string
	}{
		{"no token", "GET", "/api/v1/state", "", "", nil, 401, "unauthorized"},
		{"wrong token", "GET", "/api/v1/state", "not-a-token-at-all", "", nil, 401, "unauthorized"},
		{"token in query", "GET", "/api/v1/state?token=" + r.tok["display"], "", "", nil, 200, ""},
		{"display reads state", "GET", "/api/v1/state", r.tok["display"], "", nil, 200, ""},
		{"display may not issue", "POST", "/api/v1/tickets", r.tok["display"], `{"service":"dat-dai"}`, nil, 403, "forbidden"},
		{"counter may not issue", "POST", "/api/v1/tickets", r.tok["counter1"], `{"service":"dat-dai"}`, nil, 403, "forbidden"},
		{"kiosk issues", "POST", "/api/v1/tickets", r.tok["kiosk"], `{"service":"dat-dai"}`, nil, 201, ""},
		{"counter 1 token on counter 2", "POST", "/api/v1/counters/2/open", r.tok["counter1"], `{}`, nil, 403, "forbidden"},
		{"counter 1 token on counter 1", "POST", "/api/v1/counters/1/open", r.tok["counter1"], `{"officer":"Lê Thị B"}`, nil, 200, ""},
		{"kiosk may not call", "POST", "/api/v1/counters/1/next", r.tok["kiosk"], "", nil, 403, "forbidden"},
		{"foreign origin", "GET", "/api/v1/state", r.tok["admin"], "", []string{"Origin", "http://evil.example"}, 403, "origin_not_allowed"},
		{"own origin", "GET", "/api/v1/state", r.tok["admin"], "", []string{"Origin", r.base}, 200, ""},
		{"healthz needs nothing", "GET", "/healthz", "", "", nil, 200, ""},
		{"metrics on loopback", "GET", "/metrics", "", "", nil, 200, ""},
		{"kiosk may not start a day", "POST", "/api/v1/day", r.tok["kiosk"], "", nil, 403, "forbidden"},
		// The clock is synchronised and the day began with the kiosk's ticket:
		// a day by hand is refused (it used to move the queue to tomorrow).
		{"admin may start a day, not on a synced clock's current day", "POST", "/api/v1/day", r.tok["admin"], "", nil, 409, "day_already_begun"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := r.req(tt.method, tt.path, tt.token, tt.body, tt.hdr...)
			if a.status != tt.status || a.code() != tt.code {
				t.Errorf("got %d %q, want %d %q (%s)", a.status, a.code(), tt.status, tt.code, a.body)
			}
		})
	}
}

func TestErrorCodes(t *testing.T) {
	r := newRoom(t, func(c *config.Config) { c.Server.TicketBurst = 3; c.Server.TicketRate = 1 })
	admin, kiosk := r.tok["admin"], r.tok["kiosk"]
	tests := []struct {
		name, method, path, token, body string
		status                          int
		code                            string
	}{
		{"unknown service", "POST", "/api/v1/tickets", admin, `{"service":"khong-co"}`, 400, "unknown_service"},
		{"no service", "POST", "/api/v1/tickets", admin, `{}`, 400, "bad_request"},
		{"not JSON", "POST", "/api/v1/tickets", admin, `{"service":`, 400, "bad_request"},
		{"unknown field", "POST", "/api/v1/tickets", admin, `{"service":"dat-dai","vip":true}`, 400, "bad_request"},
		{"two values", "POST", "/api/v1/tickets", admin, `{"service":"dat-dai"}{}`, 400, "bad_request"},
		{"huge body", "POST", "/api/v1/tickets", admin, `{"service":"` + strings.Repeat("x", 100<<10) + `"}`, 413, "body_too_large"},
		{"unknown ticket", "GET", "/api/v1/tickets/20261126-Z999", admin, "", 404, "unknown_ticket"},
		{"unknown counter", "POST", "/api/v1/counters/99/next", admin, "", 404, "unknown_counter"},
		{"bad counter id", "POST", "/api/v1/counters/abc/next", admin, "", 404, "unknown_counter"},
		{"unknown action", "POST", "/api/v1/counters/1/dance", admin, "", 404, "not_found"},
		{"unknown endpoint", "GET", "/api/v1/nothing", admin, "", 404, "not_found"},
		{"next on closed", "POST", "/api/v1/counters/1/next", admin, "", 409, "counter_closed"},
		{"open", "POST", "/api/v1/counters/1/open", admin, `{"officer":"A"}`, 200, ""},
		{"none waiting", "POST", "/api/v1/counters/1/next", admin, "", 204, ""},
		{"recall with none", "POST", "/api/v1/counters/1/recall", admin, "", 409, "not_serving"},
		{"rate with none", "POST", "/api/v1/counters/1/rating", kiosk, `{"score":4}`, 409, "nothing_to_rate"},
		{"resume open", "POST", "/api/v1/counters/1/resume", admin, "", 409, "invalid_state"},
		{"issue 1", "POST", "/api/v1/tickets", kiosk, `{"service":"dat-dai"}`, 201, ""},
		{"issue 2", "POST", "/api/v1/tickets", kiosk, `{"service":"dat-dai"}`, 201, ""},
		{"issue 3", "POST", "/api/v1/tickets", kiosk, `{"service":"dat-dai","priority":true}`, 201, ""},
		{"rate limited", "POST", "/api/v1/tickets", kiosk, `{"service":"dat-dai"}`, 429, "rate_limited"},
		{"admin not limited", "POST", "/api/v1/tickets", admin, `{"service":"dat-dai"}`, 201, ""},
		{"next", "POST", "/api/v1/counters/1/next", admin, "", 200, ""},
		{"bad transfer", "POST", "/api/v1/counters/1/transfer", admin, `{}`, 400, "bad_transfer"},
		{"transfer unknown", "POST", "/api/v1/counters/1/transfer", admin, `{"counter":42}`, 404, "unknown_counter"},
		{"pause", "POST", "/api/v1/counters/1/pause", admin, `{"reason":"họp"}`, 200, ""},
		{"next paused", "POST", "/api/v1/counters/1/next", admin, "", 409, "counter_paused"},
		{"resume", "POST", "/api/v1/counters/1/resume", admin, "", 200, ""},
		{"done", "POST", "/api/v1/counters/1/done", admin, "", 200, ""},
		{"bad score", "POST", "/api/v1/counters/1/rating", kiosk, `{"score":9}`, 400, "bad_score"},
		{"rate", "POST", "/api/v1/counters/1/rating", kiosk, `{"score":4}`, 200, ""},
		{"rate again", "POST", "/api/v1/counters/1/rating", kiosk, `{"score":1}`, 409, "already_rated"},
		{"close", "POST", "/api/v1/counters/1/close", admin, "", 200, ""},
	}
	for _, tt := range tests {
		a := r.req(tt.method, tt.path, tt.token, tt.body)
		if a.status != tt.status || a.code() != tt.code {
			t.Errorf("%s: got %d %q, want %d %q (%s)", tt.name, a.status, a.code(), tt.status, tt.code, a.body)
		}
		if tt.code == "rate_limited" && a.header.Get("Retry-After") == "" {
			t.Errorf("%s: no Retry-After", tt.name)
		}
	}
}

func TestTicketLifecycle(t *testing.T) {
	r := newRoom(t, nil)
	a := r.req("POST", "/api/v1/tickets", r.tok["kiosk"], `{"service":"dat-dai"}`)
	var issued queue.Ticket
	if err := json.Unmarshal(a.body, &issued); err != nil || a.status != 201 {
		t.Fatalf("issue: %d %s %v", a.status, a.body, err)
	}
	if issued.Number != "A001" || issued.Status != queue.Waiting || issued.Ahead != 0 {
		t.Errorf("issued: got %+v", issued)
	}
	r.req("POST", "/api/v1/counters/1/open", r.tok["counter1"], `{"officer":"Nguyễn Văn A"}`)
	a = r.req("POST", "/api/v1/counters/1/next", r.tok["counter1"], "")
	var called queue.Ticket
	json.Unmarshal(a.body, &called)
	if a.status != 200 || called.ID != issued.ID || called.Status != queue.Called || *called.Counter != 1 {
		t.Fatalf("next: %d %s", a.status, a.body)
	}
	a = r.req("GET", "/api/v1/tickets/"+issued.ID, r.tok["display"], "")
	var got queue.Ticket
	json.Unmarshal(a.body, &got)
	if got.Status != queue.Called || got.Officer != "Nguyễn Văn A" {
		t.Errorf("get: got %+v", got)
	}
}

// wsDial opens the websocket with a token and optional since.
func (r *room) wsDial(since string) *websocket.Conn {
	r.t.Helper()
	u := strings.Replace(r.base, "http", "ws", 1) + "/api/v1/ws?token=" + r.tok["display"]
	if since != "" {
		u += "&since=" + since
	}
	c, resp, err := websocket.DefaultDialer.Dial(u, nil)
	if err != nil {
		r.t.Fatalf("dial: %v (%v)", err, resp)
	}
	r.t.Cleanup(func() { c.Close() })
	return c
}

type frame struct {
	Type  string          `json:"type"`
	Seq   int64           `json:"seq"`
	Event string          `json:"event"`
	State json.RawMessage `json:"state"`
}

func read(t *testing.T, c *websocket.Conn) frame {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var f frame
	if err := c.ReadJSON(&f); err != nil {
		t.Fatalf("read: %v", err)
	}
	return f
}

func TestWebsocketSnapshotAndResume(t *testing.T) {
	r := newRoom(t, nil)
	for range 3 {
		r.req("POST", "/api/v1/tickets", r.tok["admin"], `{"service":"dat-dai"}`)
	}
	c := r.wsDial("")
	snap := read(t, c)
	if snap.Type != "snapshot" || snap.Seq != 4 || len(snap.State) == 0 {
		t.Fatalf("first frame: got %+v, want a snapshot at seq 4", snap)
	}
	r.req("POST", "/api/v1/tickets", r.tok["admin"], `{"service":"dat-dai"}`)
	if f := read(t, c); f.Type != "event" || f.Seq != 5 || f.Event != queue.TicketIssued {
		t.Fatalf("live: got %+v, want event 5 ticket.issued", f)
	}
	for _, since := range []int64{0, 3, 5} {
		c := r.wsDial(fmt.Sprint(since))
		head := r.d.Log.Durable()
		var got, want []int64
		for seq := since + 1; seq <= head; seq++ {
			want = append(want, seq)
			f := read(t, c)
			if f.Type != "event" {
				t.Fatalf("since=%d: got a %s frame", since, f.Type)
			}
			got = append(got, f.Seq)
		}
		// Then live events continue without a gap.
		r.req("POST", "/api/v1/tickets", r.tok["admin"], `{"service":"tu-phap-ho-tich"}`)
		got = append(got, read(t, c).Seq)
		want = append(want, head+1)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("since=%d: got %v, want %v", since, got, want)
		}
	}
	// A since from the future is not kept: a snapshot comes instead.
	c2 := r.wsDial("100000")
	if f := read(t, c2); f.Type != "snapshot" {
		t.Errorf("since beyond the log: got %s, want snapshot", f.Type)
	}
	a := r.req("GET", "/api/v1/ws?since=-4", r.tok["display"], "")
	if a.status != 400 {
		t.Errorf("negative since: got %d, want 400", a.status)
	}
}

// TestSlowClientDoesNotBlock connects a client that never reads; events
// keep flowing to a reading client, and the stalled one is dropped.
func TestSlowClientDoesNotBlock(t *testing.T) {
	// Big events fill the stalled client's buffers: every counter event
	// carries the counter's name, which the configuration may make long
	// (officer names from the API are bounded).
	r := newRoom(t, func(c *config.Config) { c.Counters[0].Name = strings.Repeat("Quầy một cửa ", 800) })
	// A raw TCP client with a tiny receive buffer that never reads.
	dialer := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
		return errors.Join(err, serr)
	}}
	conn, err := dialer.Dial("tcp", strings.TrimPrefix(r.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /api/v1/ws?token=%s HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", r.tok["display"])
	good := r.wsDial("")
	read(t, good) // snapshot
	// A blocked hub would hold each event for the 10 s write timeout; a
	// busy machine takes a few seconds for the 1,000 durable events.
	deadline := time.Now().Add(60 * time.Second)
	var wg sync.WaitGroup
	wg.Add(1)
	const n = 1000
	var got int
	go func() {
		defer wg.Done()
		for got < n {
			good.SetReadDeadline(time.Now().Add(20 * time.Second))
			if _, _, err := good.ReadMessage(); err != nil {
				return
			}
			got++
		}
	}()
	for i := range n {
		if i%2 == 0 {
			r.req("POST", "/api/v1/counters/1/open", r.tok["admin"], `{"officer":"Nguyễn Văn An"}`)
		} else {
			r.req("POST", "/api/v1/counters/1/close", r.tok["admin"], "")
		}
		if time.Now().After(deadline) {
			t.Fatalf("issuing %d events took over 60 s: the stalled client blocks", n)
		}
	}
	wg.Wait()
	if got != n {
		t.Errorf("reading client got %d events, want %d", got, n)
	}
	if c := r.d.Hub.Clients(); c != 1 {
		t.Errorf("clients: got %d, want 1 (the stalled one dropped)", c)
	}
}

func TestWebsocketHugeFrameClosesOnlyThatClient(t *testing.T) {
	r := newRoom(t, nil)
	c := r.wsDial("")
	read(t, c)
	if err := c.WriteMessage(websocket.TextMessage, bytes.Repeat([]byte("x"), 10<<20)); err != nil {
		t.Logf("write: %v", err) // the server may close before all is written
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, _, err := c.ReadMessage(); err == nil {
		t.Fatal("connection still open after a 10 MB frame")
	}
	// The daemon still serves.
	if a := r.req("POST", "/api/v1/tickets", r.tok["admin"], `{"service":"dat-dai"}`); a.status != 201 {
		t.Errorf("after the huge frame: got %d", a.status)
	}
}

func FuzzTicketBody(f *testing.F) {
	for _, s := range []string{`{"service":"dat-dai"}`, `{"service":"dat-dai","priority":true}`, `{}`, `[]`, `null`, `{"service":1}`, "\x00"} {
		f.Add(s)
	}
	r := newRoom(f, nil)
	f.Fuzz(func(t *testing.T, body string) {
		a := doReq(t, r.base, "POST", "/api/v1/tickets", r.tok["admin"], body)
		switch a.status {
		case 201:
			var tk queue.Ticket
			if err := json.Unmarshal(a.body, &tk); err != nil || tk.Number == "" {
				t.Fatalf("201 without a ticket: %s", a.body)
			}
		case 400, 413:
			if a.code() == "" {
				t.Fatalf("%d without an error code: %s", a.status, a.body)
			}
		default:
			t.Fatalf("body %q: status %d %s", body, a.status, a.body)
		}
	})
}

func TestMetrics(t *testing.T) {
	r := newRoom(t, nil)
	r.req("POST", "/api/v1/tickets", r.tok["admin"], `{"service":"dat-dai"}`)
	r.req("POST", "/api/v1/tickets", r.tok["admin"], `{"service":"dat-dai"}`)
	r.req("POST", "/api/v1/counters/1/open", r.tok["admin"], `{"officer":"A"}`)
	r.req("POST", "/api/v1/counters/1/next", r.tok["admin"], "")
	c := r.wsDial("")
	read(t, c)
	a := r.req("GET", "/metrics", "", "")
	for _, want := range []string{
		`motcua_tickets_issued_total{service="dat-dai"} 2`,
		`motcua_tickets_called_total{service="dat-dai"} 1`,
		`motcua_queue_length{service="dat-dai"} 1`,
		`motcua_wait_seconds_count{service="dat-dai"} 1`,
		`motcua_websocket_clients 1`,
		`motcua_eventlog_seq 5`,
	} {
		if !strings.Contains(string(a.body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// TestTokensNotLogged logs every request at debug level and checks that no
// token, in a header or in the query, reaches the log.
func TestTokensNotLogged(t *testing.T) {
	var buf syncBuf
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r := newRoomLogged(t, nil, log)
	r.req("GET", "/api/v1/state?token="+r.tok["display"], "", "")
	r.req("POST", "/api/v1/tickets", r.tok["kiosk"], `{"service":"dat-dai"}`)
	r.req("GET", "/api/v1/state?token=wrong-secret-value", "", "")
	c := r.wsDial("0")
	read(t, c)
	c.Close()
	out := buf.String()
	if !strings.Contains(out, "/api/v1/state") {
		t.Fatalf("requests are not logged at all:\n%s", out)
	}
	for _, secret := range []string{r.tok["display"], r.tok["kiosk"], "wrong-secret-value"} {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds a token:\n%s", out)
		}
	}
}

type syncBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
