package satellite_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"motcua/backoff"
	"motcua/devices/escpos"
	"motcua/devices/printer"
	"motcua/devices/printer/printertest"
	"motcua/kiosk/config"
	"motcua/kiosk/queue"
	"motcua/kiosk/satellite"
	"motcua/kiosk/unit"
)

const (
	satToken   = "satellite-kiosk-secret-1"
	ownToken   = "own-kiosk-secret-0002"
	adminToken = "admin-secret-00000003"
)

// mainDaemon is the main daemon of the room: a unit with its own kiosk's
// printer (an emulator over a pty) and the satellite kiosk "tang-2".
type mainDaemon struct {
	t     testing.TB
	clock *officeClock
	cfg   *config.Config
	addr  string
	emu   *printertest.Emulator
	stop  func()
}

func newMain(t testing.TB) *mainDaemon {
	t.Helper()
	m := &mainDaemon{t: t, emu: printertest.New(), clock: newOfficeClock()}
	pty, err := printertest.StartPTY(m.emu)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pty.Close() })
	dir := t.TempDir()
	m.cfg, err = config.Parse("main.toml", []byte(fmt.Sprintf(`[unit]
id = "sat-test"
name = "UBND xã Thử"
[server]
data_dir = %q
# The benchmark issues hundreds of tickets a second from one kiosk.
ticket_rate = 1000000
ticket_burst = 1000000
[printer]
address = "serial:%s"
mode = "ascii"
[[kiosk]]
id = "tang-2"
name = "Tầng 2"
satellite = true
[[service]]
id = "dat-dai"
name = "Đất đai"
prefix = "A"
[[counter]]
id = 1
services = ["dat-dai"]
[[token]]
role = "kiosk"
secret = %q
kiosk = "tang-2"
[[token]]
role = "kiosk"
secret = %q
[[token]]
role = "admin"
secret = %q
`, filepath.Join(dir, "data"), pty.Path(), satToken, ownToken, adminToken)))
	if err != nil {
		t.Fatal(err)
	}
	m.start()
	t.Cleanup(func() { m.stop() })
	return m
}

// start runs the main daemon, on the address it had before if any.
func (m *mainDaemon) start() {
	m.t.Helper()
	addr := m.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		m.t.Fatal(err)
	}
	m.addr = ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	u, err := unit.New(ctx, m.cfg, unit.Options{Clock: m.clock, Listener: ln})
	if err != nil {
		m.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- u.Run(ctx) }()
	m.stop = func() {
		cancel()
		if err := <-done; err != nil {
			m.t.Errorf("main daemon stopped: %v", err)
		}
		m.stop = func() {}
	}
}

func (m *mainDaemon) url() string { return "http://" + m.addr }

// call makes an API request with a token and decodes the answer.
func (m *mainDaemon) call(method, path, token, body string, out any) int {
	m.t.Helper()
	req, err := http.NewRequest(method, m.url()+path, strings.NewReader(body))
	if err != nil {
		m.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		m.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			m.t.Fatalf("%s %s: %d %s: %v", method, path, res.StatusCode, b, err)
		}
	}
	return res.StatusCode
}

// waitEvent follows the main daemon's websocket from the start of the log
// until an event satisfies ok.
func (m *mainDaemon) waitEvent(what string, ok func(f map[string]any) bool) {
	m.t.Helper()
	h := http.Header{"Authorization": {"Bearer " + adminToken}}
	conn, _, err := websocket.DefaultDialer.Dial("ws://"+m.addr+"/api/v1/ws?since=0", h)
	if err != nil {
		m.t.Fatal(err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		var f map[string]any
		if err := conn.ReadJSON(&f); err != nil {
			m.t.Fatalf("waiting for %s: %v", what, err)
		}
		if ok(f) {
			return
		}
	}
}

// sat is a running satellite with its own emulated printer.
type sat struct {
	s       *satellite.Satellite
	printed chan printed
	online  chan bool
	stop    func() error
}

type printed struct {
	number string
	err    error
}

// satPrinter is the satellite's printer: a supervisor over a pty to an
// emulator, as "motcua satellite" opens a serial printer.
func satPrinter(t testing.TB, emu *printertest.Emulator) *printer.Supervisor {
	t.Helper()
	pty, err := printertest.StartPTY(emu)
	if err != nil {
		t.Fatal(err)
	}
	sup, err := printer.New(printer.Config{Name: "satellite", FailFast: true,
		Open: func(context.Context) (io.ReadWriteCloser, error) {
			return printer.OpenSerial(pty.Path(), printer.Options{Baud: 19200})
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sup.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		pty.Close()
	})
	return sup
}

type jobs struct{ sup *printer.Supervisor }

func (j jobs) PrintJob(ctx context.Context, id string, data []byte) error {
	return j.sup.Print(ctx, printer.Job{ID: id, Data: data})
}

// officeClock is the main daemon's clock: 9:00 on a working day when the
// test starts (so that no midnight comes in between), running with the
// machine's, moved on by Skip. The satellite keeps the machine's clock,
// hours apart, as a Pi's may be.
type officeClock struct {
	start time.Time
	base  time.Time
	off   atomic.Int64
}

func newOfficeClock() *officeClock {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		panic(err)
	}
	return &officeClock{start: time.Now(), base: time.Date(2026, 12, 3, 9, 0, 0, 0, loc)}
}

func (c *officeClock) Now() time.Time {
	return c.base.Add(time.Since(c.start) + time.Duration(c.off.Load()))
}
func (c *officeClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
func (c *officeClock) Synced() bool                           { return true }

// Skip moves the clock on by d.
func (c *officeClock) Skip(d time.Duration) { c.off.Add(int64(d)) }

func startSat(t testing.TB, m *mainDaemon, dir string, sup *printer.Supervisor) *sat {
	t.Helper()
	r := &sat{printed: make(chan printed, 16), online: make(chan bool, 16)}
	s, err := satellite.New(satellite.Options{
		Server: m.url(), Token: satToken, DataDir: dir, Printer: jobs{sup},
		Layout:    escpos.Layout{Paper: escpos.Paper80, Mode: escpos.ASCII},
		Footer:    "Tang 2",
		Backoff:   backoff.Policy{Min: 20 * time.Millisecond, Max: 200 * time.Millisecond},
		OnOnline:  func(on bool) { r.online <- on },
		OnPrinted: func(t *queue.Ticket, err error) { r.printed <- printed{t.Number, err} },
	})
	if err != nil {
		t.Fatal(err)
	}
	r.s = s
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	r.stop = func() error {
		cancel()
		err := <-done
		r.stop = func() error { return nil }
		return err
	}
	t.Cleanup(func() { r.stop() })
	return r
}

func (r *sat) waitOnline(t testing.TB, want bool) {
	t.Helper()
	for {
		select {
		case on := <-r.online:
			if on == want {
				return
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("timed out waiting for online = %v", want)
		}
	}
}

func (r *sat) waitPrinted(t testing.TB, number string, wantErr bool) {
	t.Helper()
	select {
	case p := <-r.printed:
		if p.number != number || (p.err != nil) != wantErr {
			t.Fatalf("got %s printed with error %v, want %s (error %v)", p.number, p.err, number, wantErr)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", number)
	}
}

// numbers are the ticket numbers on the emulator's paper, in order.
func numbers(emu *printertest.Emulator) []string {
	var out []string
	for _, j := range emu.Jobs() {
		for _, n := range []string{"A001", "A002", "A003", "A004", "A005", "A006", "A007", "A008"} {
			if bytes.Contains(j, []byte(n)) {
				out = append(out, n)
			}
		}
	}
	return out
}

func TestSatellite(t *testing.T) {
	m := newMain(t)
	satEmu := printertest.New()
	sup := satPrinter(t, satEmu)
	satDir := t.TempDir()
	s := startSat(t, m, satDir, sup)
	s.waitOnline(t, true)

	// The satellite's button: numbered by the main daemon, printed at the
	// satellite.
	for _, n := range []string{"A001", "A002"} {
		if err := s.s.Issue(context.Background(), "dat-dai", false); err != nil {
			t.Fatal(err)
		}
		s.waitPrinted(t, n, false)
	}
	// The main daemon's own kiosk prints its ticket itself.
	var out map[string]any
	if code := m.call("POST", "/api/v1/tickets", ownToken, `{"service":"dat-dai"}`, &out); code != 201 || out["number"] != "A003" || out["printed"] != true {
		t.Fatalf("own kiosk: got %d %v", code, out)
	}
	// The kiosk page on the satellite's screen asks the main daemon
	// itself: not printed there, printed at the satellite.
	if code := m.call("POST", "/api/v1/tickets", satToken, `{"service":"dat-dai"}`, &out); code != 201 || out["number"] != "A004" || out["printed"] != false || out["kiosk"] != "tang-2" {
		t.Fatalf("satellite's page: got %d %v", code, out)
	}
	s.waitPrinted(t, "A004", false)

	// Its printer's status reaches the main daemon as a device of the kiosk.
	s.s.ReportDevice("printer", queue.DeviceWarning, "sắp hết giấy")
	m.waitEvent("the satellite's printer", func(f map[string]any) bool {
		d, _ := f["device"].(map[string]any)
		return f["event"] == "device.status" && d["name"] == "printer tang-2" && d["status"] == "warning"
	})

	// The main daemon restarts while the satellite waits: the satellite
	// refuses its buttons meanwhile, then goes on without printing twice.
	m.stop()
	s.waitOnline(t, false)
	if err := s.s.Issue(context.Background(), "dat-dai", false); !errors.Is(err, satellite.ErrOffline) {
		t.Fatalf("issue while the main daemon is down: got %v, want ErrOffline", err)
	}
	m.start()
	s.waitOnline(t, true)
	if err := s.s.Issue(context.Background(), "dat-dai", false); err != nil {
		t.Fatal(err)
	}
	s.waitPrinted(t, "A005", false)

	// The satellite restarts: a ticket issued for its kiosk meanwhile is
	// printed when it comes back.
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if code := m.call("POST", "/api/v1/tickets", satToken, `{"service":"dat-dai"}`, &out); code != 201 || out["number"] != "A006" {
		t.Fatalf("while the satellite is down: got %d %v", code, out)
	}
	s = startSat(t, m, satDir, sup)
	s.waitPrinted(t, "A006", false)

	// Down again, and back too late for the citizen (10 minutes on the
	// main daemon's clock): A007 is reported not printed and listed on the
	// main daemon for a reprint; a ticket asked for now prints.
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if code := m.call("POST", "/api/v1/tickets", satToken, `{"service":"dat-dai"}`, &out); code != 201 || out["number"] != "A007" {
		t.Fatalf("while the satellite is down: got %d %v", code, out)
	}
	m.clock.Skip(10 * time.Minute)
	s = startSat(t, m, satDir, sup)
	s.waitPrinted(t, "A007", true)
	if err := s.s.Issue(context.Background(), "dat-dai", false); err != nil {
		t.Fatal(err)
	}
	s.waitPrinted(t, "A008", false)

	if got, want := numbers(satEmu), []string{"A001", "A002", "A004", "A005", "A006", "A008"}; !slicesEqual(got, want) {
		t.Errorf("satellite's paper: got %v, want %v, each once", got, want)
	}
	if got, want := numbers(m.emu), []string{"A003"}; !slicesEqual(got, want) {
		t.Errorf("main daemon's paper: got %v, want %v", got, want)
	}
	var unprinted struct {
		Unprinted []struct {
			Ticket string `json:"ticket"`
		} `json:"unprinted"`
	}
	if code := m.call("GET", "/api/v1/prints", adminToken, "", &unprinted); code != http.StatusOK {
		t.Fatalf("unprinted list: got %d", code)
	}
	var ids []string
	for _, p := range unprinted.Unprinted {
		ids = append(ids, p.Ticket[strings.IndexByte(p.Ticket, '-')+1:])
	}
	if !slicesEqual(ids, []string{"A007"}) {
		t.Errorf("main daemon's unprinted tickets: got %v, want A007", ids)
	}
	// The admin reprints A007: it comes out at the satellite, and the
	// main daemon's list of unprinted tickets is empty.
	var rep map[string]any
	if code := m.call("POST", "/api/v1/tickets/"+unprinted.Unprinted[0].Ticket+"/reprint", adminToken, "", &rep); code != http.StatusAccepted || rep["satellite"] != "tang-2" {
		t.Fatalf("reprint: got %d %v", code, rep)
	}
	s.waitPrinted(t, "A007", false)
	if got := numbers(satEmu); len(got) != 7 || got[6] != "A007" {
		t.Errorf("satellite's paper after the reprint: got %v, want A007 last", got)
	}
	unprinted.Unprinted = nil
	if m.call("GET", "/api/v1/prints", adminToken, "", &unprinted); len(unprinted.Unprinted) != 0 {
		t.Errorf("unprinted after the reprint: got %v, want none", unprinted.Unprinted)
	}
	// What the satellite keeps is small and names its tickets.
	if b, err := os.ReadFile(filepath.Join(satDir, "satellite.json")); err != nil || !bytes.Contains(b, []byte("-A006\":true")) {
		t.Errorf("satellite.json: got %s, %v", b, err)
	}
}

func slicesEqual(a, b []string) bool {
	return strings.Join(a, ",") == strings.Join(b, ",")
}

// The satellite's screen opens the main daemon's pages through it; while
// the main daemon is down, it says so.
func TestSatellitePages(t *testing.T) {
	m := newMain(t)
	s, err := satellite.New(satellite.Options{Server: m.url(), Token: satToken, DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.ServePages(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("pages: %v", err)
		}
	})
	proxy := "http://" + ln.Addr().String()
	get := func(path string, hdr ...string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", proxy+path, nil)
		req.Header.Set("Authorization", "Bearer "+satToken)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := get("/api/v1/state", "Origin", proxy); code != 200 || !strings.Contains(body, `"sat-test"`) {
		t.Fatalf("state through the satellite: got %d %s", code, body)
	}
	if code, body := get("/kiosk"); code != 200 || !strings.Contains(body, "<html") {
		t.Fatalf("kiosk page through the satellite: got %d %.200s", code, body)
	}
	// The page's websocket, from the satellite's own origin.
	conn, _, err := websocket.DefaultDialer.Dial("ws://"+ln.Addr().String()+"/api/v1/ws", http.Header{
		"Authorization": {"Bearer " + satToken}, "Origin": {proxy}})
	if err != nil {
		t.Fatalf("websocket through the satellite: %v", err)
	}
	var f map[string]any
	if err := conn.ReadJSON(&f); err != nil || f["type"] != "snapshot" {
		t.Fatalf("websocket: got %v %v, want a snapshot", f, err)
	}
	m.stop()
	if err := conn.ReadJSON(&f); err == nil {
		t.Error("websocket: still open after the main daemon stopped")
	}
	conn.Close()
	if code, body := get("/kiosk"); code != http.StatusServiceUnavailable || !strings.Contains(body, "Tạm ngừng lấy số") {
		t.Errorf("kiosk page, main daemon down: got %d %.300s", code, body)
	}
	if code, body := get("/api/v1/state"); code != http.StatusServiceUnavailable || !strings.Contains(body, `"main_unreachable"`) {
		t.Errorf("API, main daemon down: got %d %s", code, body)
	}
}

// BenchmarkIssueToPaper is the time from a kiosk's POST /api/v1/tickets to
// its ticket's paper: at the main daemon's own kiosk, printed before the
// answer, and at a satellite, which prints when the event reaches it.
func BenchmarkIssueToPaper(b *testing.B) {
	m := newMain(b)
	satEmu := printertest.New()
	s := startSat(b, m, b.TempDir(), satPrinter(b, satEmu))
	s.waitOnline(b, true)
	b.Run("own-kiosk", func(b *testing.B) {
		for range b.N {
			var out map[string]any
			if code := m.call("POST", "/api/v1/tickets", ownToken, `{"service":"dat-dai"}`, &out); code != 201 || out["printed"] != true {
				b.Fatalf("got %d %v", code, out)
			}
		}
	})
	b.Run("satellite", func(b *testing.B) {
		for range b.N {
			var out map[string]any
			if code := m.call("POST", "/api/v1/tickets", satToken, `{"service":"dat-dai"}`, &out); code != 201 {
				b.Fatalf("got %d %v", code, out)
			}
			s.waitPrinted(b, out["number"].(string), false)
		}
	})
}

// An outcome the main daemon could not take is kept and sent at the next
// connection: a ticket reported not printed reaches the admin's list even
// when the first report failed.
func TestSatelliteReportsAgain(t *testing.T) {
	m := newMain(t)
	var refuse atomic.Bool
	target, err := url.Parse(m.url())
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if refuse.Load() && strings.HasSuffix(r.URL.Path, "/prints") {
			http.Error(w, "main daemon busy", http.StatusServiceUnavailable)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	satDir := t.TempDir()
	startOn := func() *sat {
		r := &sat{printed: make(chan printed, 16), online: make(chan bool, 16)}
		s, err := satellite.New(satellite.Options{Server: front.URL, Token: satToken, DataDir: satDir,
			Backoff:   backoff.Policy{Min: 20 * time.Millisecond, Max: 200 * time.Millisecond},
			OnOnline:  func(on bool) { r.online <- on },
			OnPrinted: func(t *queue.Ticket, err error) { r.printed <- printed{t.Number, err} }})
		if err != nil {
			t.Fatal(err)
		}
		r.s = s
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- s.Run(ctx) }()
		r.stop = func() error { cancel(); err := <-done; r.stop = func() error { return nil }; return err }
		t.Cleanup(func() { r.stop() })
		return r
	}
	s := startOn()
	s.waitOnline(t, true)
	refuse.Store(true)
	if err := s.s.Issue(context.Background(), "dat-dai", false); err != nil {
		t.Fatal(err)
	}
	s.waitPrinted(t, "A001", true) // this satellite has no printer
	unprinted := func() int {
		var out struct{ Unprinted []any }
		if code := m.call("GET", "/api/v1/prints", adminToken, "", &out); code != http.StatusOK {
			t.Fatalf("prints: %d", code)
		}
		return len(out.Unprinted)
	}
	if n := unprinted(); n != 0 {
		t.Fatalf("unprinted while the reports are refused: got %d, want 0", n)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	refuse.Store(false)
	s = startOn()
	s.waitOnline(t, true)
	// The next ticket's report follows the one kept, on one connection.
	if err := s.s.Issue(context.Background(), "dat-dai", false); err != nil {
		t.Fatal(err)
	}
	s.waitPrinted(t, "A002", true)
	if n := unprinted(); n != 2 {
		t.Errorf("unprinted after the reconnection: got %d, want A001 and A002", n)
	}
}

// On its first start a satellite has no event to follow from: it takes
// the state, and prints the waiting tickets of its kiosk that are fresh.
func TestSatelliteFirstStart(t *testing.T) {
	m := newMain(t)
	var out map[string]any
	if code := m.call("POST", "/api/v1/tickets", satToken, `{"service":"dat-dai"}`, &out); code != 201 || out["number"] != "A001" {
		t.Fatalf("issue: got %d %v", code, out)
	}
	if code := m.call("POST", "/api/v1/tickets", ownToken, `{"service":"dat-dai"}`, &out); code != 201 || out["number"] != "A002" {
		t.Fatalf("issue: got %d %v", code, out)
	}
	emu := printertest.New()
	s := startSat(t, m, t.TempDir(), satPrinter(t, emu))
	s.waitPrinted(t, "A001", false)
	if err := s.s.Issue(context.Background(), "dat-dai", false); err != nil {
		t.Fatal(err)
	}
	s.waitPrinted(t, "A003", false)
	if got := numbers(emu); !slicesEqual(got, []string{"A001", "A003"}) {
		t.Errorf("satellite's paper: got %v, want A001 and A003", got)
	}
}
