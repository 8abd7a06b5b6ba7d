package unit

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"motcua/clock"
	"motcua/display"
	"motcua/kiosk"
	"motcua/kiosk/callout"
	"motcua/kiosk/config"
	"motcua/kiosk/queue"
)

const simAdmin = "unit-test-admin-01"

// simConfig is a room of one counter with a simulated display and, with
// withPrinter, a simulated printer.
func simConfig(t *testing.T, dir string, withPrinter bool) *config.Config {
	t.Helper()
	toml := simTOML(dir)
	if withPrinter {
		toml += "[printer]\naddress = \"sim\"\n"
	}
	cfg, err := config.Parse("unit.toml", []byte(toml))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// simTOML is simConfig's file, without a printer.
func simTOML(dir string) string {
	return fmt.Sprintf(`[unit]
id = "unit-test"
name = "UBND xã Thử"
[server]
data_dir = %q
[[service]]
id = "dat-dai"
name = "Đất đai"
prefix = "A"
[[counter]]
id = 1
name = "Quầy 1"
services = ["dat-dai"]
[[display]]
counter = 1
driver = "sim"
[[token]]
role = "admin"
secret = %q
`, filepath.Join(dir, "data"), simAdmin)
}

// newSimUnit makes a unit of cfg on a loopback port; run starts it and
// stops it at the end of the test.
func newSimUnit(t *testing.T, cfg *config.Config) (u *Unit, run func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u, err = New(context.Background(), cfg, Options{Clock: clock.Trusted{}, Listener: ln})
	if err != nil {
		t.Fatal(err)
	}
	return u, func() {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- u.Run(ctx) }()
		t.Cleanup(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
}

// recorder is a counter display that records the calls it is given.
type recorder struct {
	mu    sync.Mutex
	calls []string
}

func (r *recorder) Call(c display.Content) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, c.Text)
}

func (r *recorder) Set(display.Content) {}

func (r *recorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

func post(t *testing.T, u *Unit, path, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", "http://"+u.Addr()+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+simAdmin)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// Reloads replace the devices: the halted ones of an earlier
// configuration get no more events (they used to stay subscribed, 5, 7,
// 9, 11 followers over three reloads), and the set in force gets them.
func TestReloadLetsGoOfOldDevices(t *testing.T) {
	dir := t.TempDir()
	u, run := newSimUnit(t, simConfig(t, dir, true))
	first := &recorder{}
	u.devs.Load().callout = callout.New(map[int][]callout.Display{1: {first}}, nil)
	run()
	for range 3 {
		if err := u.Reload(simConfig(t, dir, true)); err != nil {
			t.Fatal(err)
		}
	}
	if code, _ := post(t, u, "/api/v1/counters/1/open", `{"officer":"Lê Văn C"}`); code != http.StatusOK {
		t.Fatalf("open: %d", code)
	}
	if code, out := post(t, u, "/api/v1/tickets", `{"service":"dat-dai"}`); code != http.StatusCreated || out["printed"] != true {
		t.Fatalf("issue: %d %v", code, out)
	}
	if code, _ := post(t, u, "/api/v1/counters/1/next", ``); code != http.StatusOK {
		t.Fatalf("next: %d", code)
	}
	if got := first.got(); len(got) != 0 {
		t.Errorf("the first, halted device set was called %v, want nothing", got)
	}
	// The set in force shows the call: its display is the simulated one.
	eventually(t, "the display in force to show A001", func() bool {
		st := u.devs.Load().simDisplay.Snapshot()
		return len(st) == 1 && st[0].Content.Text == "A001"
	})
}

// After a reload that removes [printer], tickets are issued without
// printing, not refused by the halted printer ("printer: halted").
func TestReloadWithoutPrinter(t *testing.T) {
	dir := t.TempDir()
	u, run := newSimUnit(t, simConfig(t, dir, true))
	run()
	if code, out := post(t, u, "/api/v1/tickets", `{"service":"dat-dai"}`); code != http.StatusCreated || out["printed"] != true {
		t.Fatalf("with a printer: %d %v", code, out)
	}
	if err := u.Reload(simConfig(t, dir, false)); err != nil {
		t.Fatal(err)
	}
	code, out := post(t, u, "/api/v1/tickets", `{"service":"dat-dai"}`)
	if code != http.StatusCreated || out["printed"] != false || out["print_error"] != nil {
		t.Errorf("without a printer: got %d %v, want 201, printed false, no print_error", code, out)
	}
	if code, out := post(t, u, "/api/v1/tickets/x/reprint", `{}`); code != http.StatusNotFound || out["error"] == nil {
		t.Errorf("reprint without a printer: got %d %v, want 404 no_printer", code, out)
	}
	st, err := kiosk.View(u.Room(), (*queue.Engine).State)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(st.Services[0].Waiting); n != 2 {
		t.Errorf("waiting: got %d, want 2", n)
	}
}

// A bare device path, as docs/config.md allows for [printer] address, is
// a serial port: the daemon prints on it (it used to refuse it as a bad
// address and retry forever).
func TestBarePrinterAddress(t *testing.T) {
	r := startRigAt(t, "", "2s")
	r.changes.wait(t, "the printer to be ok", func() bool { return r.printerStatus(t) == queue.DeviceOK })
	if _, printed, perr := r.issueHTTP(t); !printed {
		t.Errorf("not printed: %s", perr)
	}
	if n := len(r.printer.Jobs()); n != 1 {
		t.Errorf("printer got %d jobs, want 1", n)
	}
}

// The simulation endpoints exist only while a simulated device is in
// force; a simulated press has the kiosk's ticket limit, as
// POST /api/v1/tickets, and a storage failure answers 503.
func TestSimEndpoints(t *testing.T) {
	dir := t.TempDir()
	const kiosk = "unit-test-kiosk-01"
	toml := fmt.Sprintf(`[unit]
id = "unit-test"
name = "UBND xã Thử"
[server]
data_dir = %q
ticket_burst = 2
[[service]]
id = "dat-dai"
name = "Đất đai"
prefix = "A"
[[counter]]
id = 1
name = "Quầy 1"
services = ["dat-dai"]
[[token]]
role = "kiosk"
secret = %q
`, filepath.Join(dir, "data"), kiosk)
	withSim := toml + "[printer]\naddress = \"sim\"\n"
	cfg, err := config.Parse("unit.toml", []byte(toml))
	if err != nil {
		t.Fatal(err)
	}
	u, err := New(context.Background(), cfg, Options{Clock: clock.Trusted{}})
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	serve := func(method, path, body string) (int, string) {
		req := httptest.NewRequest(method, "http://127.0.0.1"+path, strings.NewReader(body))
		req.RemoteAddr = "127.0.0.1:40000"
		req.Header.Set("Authorization", "Bearer "+kiosk)
		rec := httptest.NewRecorder()
		u.d.API.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	press := `{"service":"dat-dai"}`
	for _, path := range []string{"/api/v1/sim", "/api/v1/sim/printer/job-0001.png"} {
		if code, body := serve("GET", path, ""); code != http.StatusNotFound {
			t.Errorf("GET %s without simulated devices: got %d %s, want 404", path, code, body)
		}
	}
	if code, body := serve("POST", "/api/v1/sim/press", press); code != http.StatusNotFound {
		t.Errorf("press without simulated devices: got %d %s, want 404", code, body)
	}

	// A simulated printer: the endpoints are there, with the kiosk's limit.
	cfg, err = config.Parse("unit.toml", []byte(withSim))
	if err != nil {
		t.Fatal(err)
	}
	devs, err := openDevices(cfg, u)
	if err != nil {
		t.Fatal(err)
	}
	u.use(devs)
	stop := u.start(context.Background(), devs)
	defer stop()
	if code, body := serve("GET", "/api/v1/sim", ""); code != http.StatusOK {
		t.Errorf("GET /api/v1/sim: got %d %s, want 200", code, body)
	}
	var codes []int
	for range 3 {
		code, _ := serve("POST", "/api/v1/sim/press", press)
		codes = append(codes, code)
	}
	if fmt.Sprint(codes) != "[201 201 429]" {
		t.Errorf("three presses with a burst of 2: got %v, want [201 201 429]", codes)
	}
	if code, _ := serve("POST", "/api/v1/tickets", press); code != http.StatusTooManyRequests {
		t.Errorf("a ticket after the presses: got %d, want 429 (one limit for every ticket path)", code)
	}

	// The log fails: no ticket, and the answer says the storage failed.
	u.d.Log.Close()
	u.d.API.Reconfigure(cfg) // a fresh limit
	if code, body := serve("POST", "/api/v1/sim/press", press); code != http.StatusServiceUnavailable || !strings.Contains(body, "store_unavailable") {
		t.Errorf("press on a failed log: got %d %s, want 503 store_unavailable", code, body)
	}
}

// The reports' today is the unit's clock's, the engine's today, not the
// machine's.
func TestReportsOnTheUnitsClock(t *testing.T) {
	cfg := simConfig(t, t.TempDir(), false)
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, cfg.Location)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u, err := New(context.Background(), cfg, Options{Clock: fixedClock{at: at}, Listener: ln})
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	rec := httptest.NewRecorder()
	u.reports.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/reports?format=json", nil))
	var rep struct{ From, To string }
	if err := json.NewDecoder(rec.Body).Decode(&rep); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("report: %d %v", rec.Code, err)
	}
	if rep.From != "2026-11-23" || rep.To != "2026-11-23" {
		t.Errorf("today's report: got %s..%s, want 2026-11-23, the unit's today", rep.From, rep.To)
	}
}
