package unit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"

	"motcua/clock"
	"motcua/devices/printer/printertest"
	"motcua/kiosk"
	"motcua/kiosk/config"
	"motcua/kiosk/queue"
)

// kioskRoom is a unit with two kiosks, the unit's own ([printer]) and
// [[kiosk]] "sanh-b", each with an emulated serial printer, and a
// satellite kiosk "tang-2" without a printer here.
type kioskRoom struct {
	u          *Unit
	own, sanhB *printertest.Emulator
}

const (
	kioskOwnToken   = "kiosk-own-secret-01"
	kioskSanhBToken = "kiosk-sanh-b-secret-02"
	kioskTang2Token = "kiosk-tang-2-secret-03"
	kioskAdmin      = "kiosk-admin-secret-04"
)

func startKioskRoom(t *testing.T) *kioskRoom {
	t.Helper()
	r := &kioskRoom{own: printertest.New(), sanhB: printertest.New()}
	var paths []string
	for _, emu := range []*printertest.Emulator{r.own, r.sanhB} {
		pty, err := printertest.StartPTY(emu)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { pty.Close() })
		paths = append(paths, pty.Path())
	}
	dir := t.TempDir()
	cfg, err := config.Parse("kiosks.toml", []byte(fmt.Sprintf(`[unit]
id = "kiosks-test"
name = "UBND xã Thử"
[server]
data_dir = %q
[printer]
address = "serial:%s"
mode = "ascii"
footer = "Sanh A"
[[kiosk]]
id = "sanh-b"
name = "Sảnh B"
[kiosk.printer]
address = "serial:%s"
mode = "ascii"
footer = "Sanh B"
[[kiosk]]
id = "tang-2"
satellite = true
[[service]]
id = "dat-dai"
name = "Đất đai"
prefix = "A"
[[counter]]
id = 1
services = ["dat-dai"]
[[button]]
pin = "GPIO17"
service = "dat-dai"
kiosk = "sanh-b"
[[button]]
pin = "GPIO5"
role = "guide"
kiosk = "sanh-b"
[[token]]
role = "kiosk"
secret = %q
[[token]]
role = "kiosk"
secret = %q
kiosk = "sanh-b"
[[token]]
role = "kiosk"
secret = %q
kiosk = "tang-2"
[[token]]
role = "admin"
secret = %q
`, filepath.Join(dir, "data"), paths[0], paths[1], kioskOwnToken, kioskSanhBToken, kioskTang2Token, kioskAdmin)))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	u, err := New(ctx, cfg, Options{Clock: clock.Trusted{}, Listener: ln})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- u.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	r.u = u
	return r
}

// call sends a request with a token and decodes the answer.
func (r *kioskRoom) call(t *testing.T, method, path, token, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+r.u.Addr()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil && res.StatusCode != http.StatusNoContent {
		t.Fatalf("%s %s: %d, body not JSON: %v", method, path, res.StatusCode, err)
	}
	return res.StatusCode, out
}

// ticketID is the id of the queue day's ticket number.
func (r *kioskRoom) ticketID(t *testing.T, number string) string {
	t.Helper()
	day, err := kiosk.View(r.u.Room(), (*queue.Engine).Day)
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(day, "-", "") + "-" + number
}

// waitJobs waits until emu has printed n jobs and returns them.
func waitJobs(t *testing.T, emu *printertest.Emulator, n int) [][]byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := emu.Wait(ctx, func(s printertest.Snapshot) bool { return s.Jobs >= n }); err != nil {
		t.Fatalf("waiting for %d jobs: %v (got %d)", n, err, len(emu.Jobs()))
	}
	return emu.Jobs()
}

// Each ticket prints at the kiosk whose token asked for it, laid out by
// that kiosk's printer section; a reprint goes to the same kiosk; a
// satellite's ticket is not printed here and carries its kiosk.
func TestKioskTokensPrintAtTheirKiosk(t *testing.T) {
	r := startKioskRoom(t)
	tests := []struct {
		token, kiosk, number string
		printed              bool
	}{
		{kioskOwnToken, "", "A001", true},
		{kioskSanhBToken, "sanh-b", "A002", true},
		{kioskSanhBToken, "sanh-b", "A003", true},
		{kioskTang2Token, "tang-2", "A004", false},
		{kioskOwnToken, "", "A005", true},
	}
	for _, tt := range tests {
		code, out := r.call(t, "POST", "/api/v1/tickets", tt.token, `{"service":"dat-dai"}`)
		if code != http.StatusCreated {
			t.Fatalf("issue: got %d %v, want 201", code, out)
		}
		kiosk, _ := out["kiosk"].(string)
		if out["number"] != tt.number || kiosk != tt.kiosk || out["printed"] != tt.printed || out["print_error"] != nil {
			t.Errorf("got %v %q printed %v (%v), want %s at %q printed %v", out["number"], kiosk, out["printed"], out["print_error"], tt.number, tt.kiosk, tt.printed)
		}
	}
	own, sanhB := waitJobs(t, r.own, 2), waitJobs(t, r.sanhB, 2)
	check := func(name string, jobs [][]byte, numbers []string, footer string) {
		t.Helper()
		if len(jobs) != len(numbers) {
			t.Fatalf("%s: got %d jobs, want %d", name, len(jobs), len(numbers))
		}
		for i, n := range numbers {
			if !bytes.Contains(jobs[i], []byte(n)) || !bytes.Contains(jobs[i], []byte(footer)) {
				t.Errorf("%s job %d: got %q, want %s with footer %q", name, i, jobs[i], n, footer)
			}
		}
	}
	check("own kiosk", own, []string{"A001", "A005"}, "Sanh A")
	check("sanh-b", sanhB, []string{"A002", "A003"}, "Sanh B")

	// A reprint of a sanh-b ticket comes out at sanh-b.
	id := r.ticketID(t, "A003")
	if code, out := r.call(t, "POST", "/api/v1/tickets/"+id+"/reprint", kioskAdmin, ""); code != http.StatusOK {
		t.Fatalf("reprint: got %d %v", code, out)
	}
	if jobs := waitJobs(t, r.sanhB, 3); !bytes.Contains(jobs[2], []byte("A003")) {
		t.Errorf("reprint: got %q at sanh-b, want A003", jobs[2])
	}
	if n := len(r.own.Jobs()); n != 2 {
		t.Errorf("reprint: the own kiosk printed %d jobs, want still 2", n)
	}
	// Both printers are devices of the state, by kiosk.
	st, err := kiosk.View(r.u.Room(), (*queue.Engine).State)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, d := range st.Devices {
		names[d.Name] = true
	}
	if !names["printer"] || !names["printer sanh-b"] {
		t.Errorf("devices: got %v, want printer and printer sanh-b", st.Devices)
	}
	var devs struct{ Devices []queue.Device }
	req, _ := http.NewRequest("GET", "http://"+r.u.Addr()+"/api/v1/devices?kiosk=sanh-b", nil)
	req.Header.Set("Authorization", "Bearer "+kioskAdmin)
	if res, err := http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	} else {
		err := json.NewDecoder(res.Body).Decode(&devs)
		res.Body.Close()
		if err != nil || len(devs.Devices) != 1 || devs.Devices[0].Name != "printer sanh-b" || devs.Devices[0].Kiosk != "sanh-b" {
			t.Errorf("devices of sanh-b: got %+v %v, want its printer", devs.Devices, err)
		}
	}
	// And of the metrics (loopback needs no token).
	res, err := http.Get("http://" + r.u.Addr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(res.Body)
	for _, want := range []string{`motcua_device_ok{device="printer"} 1`, `motcua_device_ok{device="printer sanh-b"} 1`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("metrics: got no %s", want)
		}
	}
}

// A button of a kiosk prints at that kiosk.
func TestKioskButtonPrintsAtItsKiosk(t *testing.T) {
	r := startKioskRoom(t)
	var jobs [][]byte
	press(func() { jobs = waitJobs(t, r.sanhB, 1) })
	if !bytes.Contains(jobs[0], []byte("A001")) || !bytes.Contains(jobs[0], []byte("Sanh B")) {
		t.Errorf("got %q at sanh-b, want A001 in its layout", jobs[0])
	}
	// A ticket of the unit's own kiosk after it shows that the press
	// printed nothing there.
	if code, out := r.call(t, "POST", "/api/v1/tickets", kioskOwnToken, `{"service":"dat-dai"}`); code != http.StatusCreated || out["number"] != "A002" {
		t.Fatalf("issue: got %d %v", code, out)
	}
	if own := waitJobs(t, r.own, 1); len(own) != 1 || !bytes.Contains(own[0], []byte("A002")) {
		t.Errorf("own kiosk: got %q, want only A002", own)
	}
	t1, err := r.u.Room().Ticket(context.Background(), r.ticketID(t, "A001"))
	if err != nil || t1.Kiosk != "sanh-b" {
		t.Errorf("the button's ticket: got %+v %v, want kiosk sanh-b", t1, err)
	}
}

// A keypad key of a kiosk reaches that kiosk's pages only.
func TestKioskKeysReachTheirKiosk(t *testing.T) {
	r := startKioskRoom(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	stream := func(token string) *bufio.Scanner {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+r.u.Addr()+"/kiosk/keys", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { res.Body.Close() })
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET /kiosk/keys: %s", res.Status)
		}
		lines := bufio.NewScanner(res.Body)
		if !lines.Scan() || !strings.HasPrefix(lines.Text(), "retry:") {
			t.Fatalf("the key stream did not open: %q %v", lines.Text(), lines.Err())
		}
		return lines
	}
	next := func(lines *bufio.Scanner) string {
		t.Helper()
		for lines.Scan() {
			if l := lines.Text(); l != "" {
				return l
			}
		}
		t.Fatalf("stream ended: %v", lines.Err())
		return ""
	}
	own, sanhB := stream(kioskOwnToken), stream(kioskSanhBToken)
	// sanh-b's guide button, held until its key arrives.
	guideButton.EdgesChan <- gpio.Low
	if got := next(sanhB); got != "data: guide" {
		t.Errorf("sanh-b's pages: got %q, want data: guide", got)
	}
	guideButton.EdgesChan <- gpio.High
	// A key of the unit's own kiosk comes to its pages first: the guide
	// key did not.
	if err := r.u.pages.PressAt("", "ok"); err != nil {
		t.Fatal(err)
	}
	if got := next(own); got != "data: ok" {
		t.Errorf("the own kiosk's pages: got %q, want data: ok (no guide)", got)
	}
}

// The demo's simulated button prints at the kiosk of the token that
// pressed it, on that kiosk's simulated printer.
func TestKioskSimPress(t *testing.T) {
	dir := t.TempDir()
	cfg, err := config.Parse("sim.toml", []byte(fmt.Sprintf(`[unit]
id = "kiosks-sim"
name = "UBND xã Thử"
[server]
data_dir = %q
[printer]
address = "sim"
[[kiosk]]
id = "sanh-b"
[kiosk.printer]
address = "sim"
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
kiosk = "sanh-b"
`, filepath.Join(dir, "data"), kioskSanhBToken)))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	u, err := New(ctx, cfg, Options{Clock: clock.Trusted{}, Listener: ln})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- u.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	r := &kioskRoom{u: u}
	code, out := r.call(t, "POST", "/api/v1/sim/press", kioskSanhBToken, `{"service":"dat-dai"}`)
	tk, _ := out["ticket"].(map[string]any)
	if code != http.StatusCreated || out["printed"] != true || tk["kiosk"] != "sanh-b" {
		t.Fatalf("press: got %d %v, want printed at sanh-b", code, out)
	}
	for sub, want := range map[string]int{"printer-sanh-b": 1, "printer": 0} {
		pngs, err := filepath.Glob(filepath.Join(dir, "data", sub, "*.png"))
		if err != nil || len(pngs) != want {
			t.Errorf("%s: got %d tickets %v, want %d", sub, len(pngs), err, want)
		}
	}
}
