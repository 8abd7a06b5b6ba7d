package receiver

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jonboulle/clockwork"

	"motcua/internal/pgtest"
	"motcua/uplinkproto"
)

const (
	unitA  = "unit-a"
	tokenA = "token-aaaaaaaaaaaa"
	unitB  = "unit-b"
	tokenB = "token-bbbbbbbbbbbb"
	// opToken is the operator's token.
	opToken = "operator-token-0123456789"
)

// wait is how long a test waits for something that must happen: it
// catches hangs, never measures speed.
const wait = 30 * time.Second

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// pg is the PostgreSQL server of TestMain's second run of the tests;
// nil in the first, on SQLite.
var pg *pgtest.Server

// TestMain runs every test of the package on the SQLite store, then
// again on a PostgreSQL server it starts (each env its own database).
func TestMain(m *testing.M) {
	code := m.Run()
	if code != 0 || flag.Lookup("test.fuzz").Value.String() != "" {
		os.Exit(code)
	}
	srv, err := pgtest.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "receiver: the tests on PostgreSQL did not run:", err)
		if errors.Is(err, pgtest.ErrNoPostgres) && os.Getenv("CI") == "" {
			os.Exit(code)
		}
		os.Exit(1)
	}
	pg = srv
	fmt.Println("receiver: the same tests on PostgreSQL")
	code = m.Run()
	if err := srv.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	os.Exit(code)
}

// env is a receiver on loopback with a fake clock, on the store of the
// run (SQLite in dir, or a PostgreSQL database of its own).
type env struct {
	t     *testing.T
	dir   string
	store string
	clk   *clockwork.FakeClock
	srv   *Server
	ts    *httptest.Server
}

func newEnv(t *testing.T, mod ...func(*Options)) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), clk: clockwork.NewFakeClockAt(time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC))}
	e.store = "sqlite:" + e.dir
	if pg != nil {
		url, err := pg.NewSchema()
		if err != nil {
			t.Fatal(err)
		}
		e.store = url
	}
	e.open(mod...)
	return e
}

func (e *env) options(mod ...func(*Options)) Options {
	o := Options{Store: e.store, Tokens: map[string]string{tokenA: unitA, tokenB: unitB}, Operators: map[string]string{opToken: "op"}, Logger: testLogger(e.t), Clock: e.clk}
	for _, m := range mod {
		m(&o)
	}
	return o
}

// open starts the server on the env's directory.
func (e *env) open(mod ...func(*Options)) {
	e.t.Helper()
	srv, err := Open(context.Background(), e.options(mod...))
	if err != nil {
		e.t.Fatal(err)
	}
	e.srv = srv
	e.ts = httptest.NewServer(srv.Handler())
	e.t.Cleanup(e.stop)
}

// stop closes the server; a second call does nothing.
func (e *env) stop() {
	if e.srv == nil {
		return
	}
	e.srv.Close()
	e.ts.Close()
	e.srv = nil
}

// restart closes the server and opens it again on the same store.
func (e *env) restart(mod ...func(*Options)) {
	e.t.Helper()
	e.stop()
	e.open(mod...)
}

// block waits until the fake clock has n timers and tickers of the
// connections, besides the poller's ticker on PostgreSQL.
func (e *env) block(ctx context.Context, n int) error {
	if pg != nil {
		n++
	}
	return e.clk.BlockUntilContext(ctx, n)
}

func (e *env) url() string { return "ws" + strings.TrimPrefix(e.ts.URL, "http") + "/ingest" }

// unitConn is a unit's side of a connection, written by the test.
type unitConn struct {
	t  *testing.T
	ws *websocket.Conn
}

// dial opens a websocket with token, without a hello.
func (e *env) dial(token string) *unitConn {
	e.t.Helper()
	d := websocket.Dialer{Subprotocols: []string{uplinkproto.Subprotocol}, HandshakeTimeout: wait}
	ws, _, err := d.Dial(e.url(), http.Header{"Authorization": {"Bearer " + token}})
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { ws.Close() })
	return &unitConn{t: e.t, ws: ws}
}

// connect dials, says hello and returns the welcome's ack.
func (e *env) connect(token, unit string, first, last int64) (*unitConn, int64) {
	e.t.Helper()
	c := e.dial(token)
	c.send(string(uplinkproto.Hello(unit, first, last)))
	m := c.read()
	if m.Type != uplinkproto.TypeWelcome {
		e.t.Fatalf("got %s, want a welcome", m.Raw)
	}
	return c, m.Ack
}

func (c *unitConn) send(msgs ...string) {
	c.t.Helper()
	for _, m := range msgs {
		if err := c.ws.WriteMessage(websocket.TextMessage, []byte(m)); err != nil {
			c.t.Fatal(err)
		}
	}
}

// read reads the next message from the receiver.
func (c *unitConn) read() *uplinkproto.Message {
	c.t.Helper()
	c.ws.SetReadDeadline(time.Now().Add(wait))
	_, data, err := c.ws.ReadMessage()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	m, err := uplinkproto.DecodeServer(data)
	if err != nil {
		c.t.Fatal(err)
	}
	return m
}

// waitAck reads until an ack of seq.
func (c *unitConn) waitAck(seq int64) {
	c.t.Helper()
	for {
		m := c.read()
		if m.Type != uplinkproto.TypeAck {
			c.t.Fatalf("got %s, want an ack", m.Raw)
		}
		if m.Seq == seq {
			return
		}
		if m.Seq > seq {
			c.t.Fatalf("got ack %d, want %d", m.Seq, seq)
		}
	}
}

// closed reads until the receiver closes the connection and returns the
// close frame (nil when the socket was closed without one).
func (c *unitConn) closed() *websocket.CloseError {
	c.t.Helper()
	c.ws.SetReadDeadline(time.Now().Add(wait))
	for {
		_, _, err := c.ws.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce
		}
		var ne interface{ Timeout() bool }
		if errors.As(err, &ne) && ne.Timeout() {
			c.t.Fatalf("the receiver did not close the connection in %s", wait)
		}
		return nil
	}
}

// event is an event message of a unit at seq.
func event(seq int64, extra string) string {
	return fmt.Sprintf(`{"type":"event","seq":%d,"at":"2026-11-26T08:%02d:%02d+07:00","event":"ticket.issued","day":"2026-11-26"%s}`, seq, seq/60%60, seq%60, extra)
}

// ticketEvent is an event carrying a ticket: of service ho-tich when
// its number starts with B, else dat-dai.
func ticketEvent(seq int64, name, id, number, status string, counter int) string {
	service := "dat-dai"
	if strings.HasPrefix(number, "B") {
		service = "ho-tich"
	}
	c := "null"
	if counter > 0 {
		c = fmt.Sprint(counter)
	}
	return fmt.Sprintf(`{"type":"event","seq":%d,"at":"2026-11-26T08:00:00+07:00","event":%q,"day":"2026-11-26","ticket":{"id":%q,"number":%q,"service":%q,"priority":false,"status":%q,"counter":%s,"calls":0,"issued_at":"2026-11-26T08:00:00+07:00","called_at":null,"done_at":null,"ahead":0,"estimated_wait_s":0,"day":"2026-11-26"}}`,
		seq, name, id, number, service, status, c)
}

// do sends an HTTP request to the receiver with the headers given as
// name, value pairs and returns the response and its body.
func (e *env) do(method, path, body string, headers ...string) (*http.Response, string) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.ts.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	cl := *e.ts.Client()
	cl.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := cl.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp, string(b)
}

// asOperator are the headers of a program with the operator's token.
var asOperator = []string{"Authorization", "Bearer " + opToken}

// db opens the env's database, as an integrator's program would.
func (e *env) db() *sql.DB {
	e.t.Helper()
	driver, dsn := "sqlite", "file:"+filepath.Join(e.dir, FileName)
	if pg != nil {
		driver, dsn = "pgx", e.store
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		e.t.Fatal(err)
	}
	return db
}

// exec runs statements on the env's database; ? are the arguments.
func (e *env) exec(query string, args ...any) {
	e.t.Helper()
	db := e.db()
	defer db.Close()
	if _, err := db.Exec((&sqlStore{pg: pg != nil}).q(query), args...); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
}

// stored reads the seqs stored for unit straight from the database.
func (e *env) stored(unit string) []int64 {
	e.t.Helper()
	db := e.db()
	defer db.Close()
	rows, err := db.Query((&sqlStore{pg: pg != nil}).q(`SELECT seq FROM events WHERE unit = ? ORDER BY seq`), unit)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var seqs []int64
	for rows.Next() {
		var s int64
		if err := rows.Scan(&s); err != nil {
			e.t.Fatal(err)
		}
		seqs = append(seqs, s)
	}
	return seqs
}

// status returns unit's status on the receiver.
func (e *env) status(unit string) UnitStatus {
	e.t.Helper()
	for _, u := range e.srv.Units() {
		if u.Unit == unit {
			return u
		}
	}
	e.t.Fatalf("unit %s unknown to the receiver", unit)
	return UnitStatus{}
}

// seqRange is 1..n.
func seqRange(from, to int64) []int64 {
	var s []int64
	for i := from; i <= to; i++ {
		s = append(s, i)
	}
	return s
}
