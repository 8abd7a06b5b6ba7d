package doctor_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"motcua/devices/printer/printertest"
	"motcua/internal/doctor"
	"motcua/kiosk/config"
)

func serialPrinter(t *testing.T, path string) *config.Printer {
	t.Helper()
	e, err := config.ParseEndpoint("serial:" + path)
	if err != nil {
		t.Fatal(err)
	}
	return &config.Printer{Address: "serial:" + path, Endpoint: e, Baud: 19200}
}

// TestPrinterOverPTY runs the printer check against the emulator on a
// pseudo-terminal: a ready printer, one out of paper, one with its cover
// open, one that does not answer, and one that is not plugged in.
func TestPrinterOverPTY(t *testing.T) {
	tests := []struct {
		name      string
		set       func(e *printertest.Emulator)
		unplug    bool
		want      doctor.Level
		vi, en    string
		wantQuery bool
	}{
		{name: "ok", set: func(*printertest.Emulator) {}, want: doctor.LevelOK, vi: "có giấy", en: "paper loaded", wantQuery: true},
		{name: "paper low", set: func(e *printertest.Emulator) { e.SetPaper(printertest.PaperLow) }, want: doctor.LevelWarn, vi: "Giấy sắp hết", en: "near its end", wantQuery: true},
		{name: "no paper", set: func(e *printertest.Emulator) { e.SetPaper(printertest.PaperOut) }, want: doctor.LevelFail, vi: "hết giấy", en: "out of paper", wantQuery: true},
		{name: "cover open", set: func(e *printertest.Emulator) { e.SetCover(true) }, want: doctor.LevelFail, vi: "Nắp máy in đang mở", en: "cover open", wantQuery: true},
		{name: "silent", set: func(e *printertest.Emulator) { e.SetSilent(true) }, want: doctor.LevelFail, vi: "không trả lời", en: "does not answer", wantQuery: true},
		{name: "absent", set: func(*printertest.Emulator) {}, unplug: true, want: doctor.LevelFail, vi: "Không kết nối được máy in", en: "no such device"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			em := printertest.New()
			tt.set(em)
			link, err := printertest.StartPTY(em)
			if err != nil {
				t.Fatal(err)
			}
			defer link.Close()
			path := link.Path()
			if tt.unplug {
				if err := link.Unplug(); err != nil {
					t.Fatal(err)
				}
				// A pty path may be reused: point at one that cannot exist.
				path = filepath.Join(t.TempDir(), "ttyUSB9")
			}
			r := doctor.CheckPrinter(context.Background(), serialPrinter(t, path), 4*time.Second)
			if r.Level != tt.want {
				t.Errorf("level: got %v, want %v (%s / %s)", r.Level, tt.want, r.VI, r.EN)
			}
			if !strings.Contains(r.VI, tt.vi) || !strings.Contains(r.EN, tt.en) {
				t.Errorf("got %q / %q, want them to contain %q / %q", r.VI, r.EN, tt.vi, tt.en)
			}
			if q := em.Queries(); (q[1]+q[2]+q[3]+q[4] > 0) != tt.wantQuery {
				t.Errorf("status queries %v, want some: %v", q, tt.wantQuery)
			}
		})
	}
}

func TestPrinterNotConfigured(t *testing.T) {
	if r := doctor.CheckPrinter(context.Background(), nil, time.Second); r.Level != doctor.LevelOK {
		t.Errorf("got %v, want ok", r.Level)
	}
}

func TestSerial(t *testing.T) {
	em := printertest.New()
	link, err := printertest.StartPTY(em)
	if err != nil {
		t.Fatal(err)
	}
	defer link.Close()
	e, _ := config.ParseEndpoint("serial:" + link.Path())
	if r := doctor.CheckSerial("serial printer", e, "root", true); r.Level != doctor.LevelOK {
		t.Errorf("present: got %v (%s), want ok", r.Level, r.EN)
	}
	gone, _ := config.ParseEndpoint("serial:" + filepath.Join(t.TempDir(), "ttyUSB0"))
	if r := doctor.CheckSerial("serial printer", gone, "root", true); r.Level != doctor.LevelFail || !strings.Contains(r.VI, "Không thấy thiết bị") {
		t.Errorf("absent: got %v %q, want fail", r.Level, r.VI)
	}
	file := filepath.Join(t.TempDir(), "plain")
	os.WriteFile(file, nil, 0o600)
	notTTY, _ := config.ParseEndpoint("serial:" + file)
	if r := doctor.CheckSerial("serial printer", notTTY, "root", true); r.Level != doctor.LevelFail {
		t.Errorf("regular file: got %v, want fail", r.Level)
	}
}

func TestConfig(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("[unit]\nid = \"X Y\"\nbogus = 1\n"), 0o600)
	cfg, r := doctor.CheckConfig(bad)
	if cfg != nil || r.Level != doctor.LevelFail {
		t.Fatalf("got %v %v, want nil and fail", cfg, r.Level)
	}
	if !strings.Contains(r.EN, "bad.toml:3") {
		t.Errorf("got %q, want the line of the unknown key", r.EN)
	}
	good := writeConfig(t, dir, "127.0.0.1:0", "")
	if cfg, r := doctor.CheckConfig(good); cfg == nil || r.Level != doctor.LevelOK {
		t.Errorf("got %v %v (%s), want a config and ok", cfg, r.Level, r.EN)
	}
}

func writeConfig(t *testing.T, dir, listen, extra string) string {
	t.Helper()
	path := filepath.Join(dir, "motcua.toml")
	cfg := `[unit]
id = "doctor-test"
name = "Thử"
[server]
listen = "` + listen + `"
data_dir = "` + filepath.Join(dir, "data") + `"
[[service]]
id = "dat-dai"
name = "Đất đai"
[[counter]]
id = 1
services = ["dat-dai"]
[[token]]
role = "admin"
secret = "doctor-test-admin-token"
` + extra
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

type fakeClock bool

func (c fakeClock) Synced() bool { return bool(c) }

func TestClock(t *testing.T) {
	if r := doctor.CheckClock(fakeClock(true)); r.Level != doctor.LevelOK {
		t.Errorf("synced: got %v, want ok", r.Level)
	}
	r := doctor.CheckClock(fakeClock(false))
	if r.Level != doctor.LevelWarn || !strings.Contains(r.VI, "không sang ngày mới") || !strings.Contains(r.EN, "does not start a new day") {
		t.Errorf("unsynced: got %v %q %q, want warn explaining the day", r.Level, r.VI, r.EN)
	}
}

func TestDataDir(t *testing.T) {
	dir := t.TempDir()
	rs := doctor.CheckDataDir(dir, "root")
	if len(rs) != 2 || rs[0].Level != doctor.LevelOK || rs[1].Check != "disk" {
		t.Errorf("got %+v, want writable and a disk result", rs)
	}
	if rs := doctor.CheckDataDir(filepath.Join(dir, "new"), "root"); rs[0].Level != doctor.LevelWarn {
		t.Errorf("missing: got %v, want warn", rs[0].Level)
	}
	file := filepath.Join(dir, "f")
	os.WriteFile(file, nil, 0o600)
	if rs := doctor.CheckDataDir(file, "root"); rs[0].Level != doctor.LevelFail {
		t.Errorf("file: got %v, want fail", rs[0].Level)
	}
}

func TestListen(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if r := doctor.CheckListen(context.Background(), addr, time.Second); r.Level != doctor.LevelOK || !strings.Contains(r.EN, "free") {
		t.Errorf("free: got %v %q", r.Level, r.EN)
	}
	motcua := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			w.Write([]byte(`{"status":"ok"}`))
			return
		}
		http.NotFound(w, r)
	}))
	defer motcua.Close()
	if r := doctor.CheckListen(context.Background(), motcua.Listener.Addr().String(), 5*time.Second); r.Level != doctor.LevelOK || !strings.Contains(r.EN, "running motcua") {
		t.Errorf("motcua: got %v %q", r.Level, r.EN)
	}
	other := httptest.NewServer(http.NotFoundHandler())
	defer other.Close()
	if r := doctor.CheckListen(context.Background(), other.Listener.Addr().String(), 5*time.Second); r.Level != doctor.LevelFail {
		t.Errorf("other program: got %v %q, want fail", r.Level, r.EN)
	}
}

// receiver is a fake uplink receiver: it checks the token and the
// subprotocol, reads the hello and answers welcome.
func receiver(t *testing.T, token string) (url string, hellos chan map[string]any) {
	hellos = make(chan map[string]any, 1)
	up := websocket.Upgrader{Subprotocols: []string{"motcua.uplink.v1"}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			http.Error(w, "bad token", http.StatusUnauthorized)
			return
		}
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		var hello map[string]any
		if err := c.ReadJSON(&hello); err != nil {
			return
		}
		hellos <- hello
		c.WriteJSON(map[string]any{"type": "welcome", "ack": 17})
		c.ReadMessage()
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http"), hellos
}

func TestUplink(t *testing.T) {
	url, hellos := receiver(t, "right-token-123")
	cfg := &config.Config{Unit: config.Unit{ID: "doctor-test"}}
	if r := doctor.CheckUplink(context.Background(), cfg, time.Second); r.Level != doctor.LevelOK {
		t.Errorf("none: got %v, want ok", r.Level)
	}
	cfg.Uplink = &config.Uplink{URL: url, Token: "right-token-123", TokenFile: "uplink.token"}
	r := doctor.CheckUplink(context.Background(), cfg, 5*time.Second)
	if r.Level != doctor.LevelOK || !strings.Contains(r.EN, "up to event 17") {
		t.Errorf("good token: got %v %q", r.Level, r.EN)
	}
	select {
	case h := <-hellos:
		if h["type"] != "hello" || h["unit"] != "doctor-test" || h["protocol"] != float64(1) {
			t.Errorf("hello: got %v", h)
		}
	default:
		t.Error("the receiver got no hello")
	}
	cfg.Uplink.Token = "wrong-token-456"
	if r := doctor.CheckUplink(context.Background(), cfg, 5*time.Second); r.Level != doctor.LevelFail || !strings.Contains(r.EN, "refused the token") {
		t.Errorf("wrong token: got %v %q", r.Level, r.EN)
	}
	cfg.Uplink.URL = "ws://127.0.0.1:1/ingest"
	if r := doctor.CheckUplink(context.Background(), cfg, 5*time.Second); r.Level != doctor.LevelWarn {
		t.Errorf("unreachable: got %v %q, want warn", r.Level, r.EN)
	}
}

func TestGPIOMissingPin(t *testing.T) {
	rs := doctor.CheckGPIO([]string{"GPIO_DOES_NOT_EXIST_99"})
	if len(rs) != 1 || rs[0].Level != doctor.LevelFail {
		t.Errorf("got %+v, want one failure", rs)
	}
}

func TestRunAndWrite(t *testing.T) {
	dir := t.TempDir()
	em := printertest.New()
	em.SetPaper(printertest.PaperOut)
	link, err := printertest.StartPTY(em)
	if err != nil {
		t.Fatal(err)
	}
	defer link.Close()
	os.Mkdir(filepath.Join(dir, "data"), 0o750)
	path := writeConfig(t, dir, "127.0.0.1:0", "[printer]\naddress = \"serial:"+link.Path()+"\"\n")
	rs := doctor.Run(context.Background(), path, doctor.Options{Clock: fakeClock(true), Timeout: 4 * time.Second, User: "root"})
	if !doctor.Failed(rs) {
		t.Errorf("a printer without paper: Failed got false, want true")
	}
	var checks []string
	for _, r := range rs {
		checks = append(checks, r.Check)
	}
	want := "config data_dir disk clock serial printer printer uplink listen"
	if got := strings.Join(checks, " "); got != want {
		t.Errorf("checks: got %q, want %q", got, want)
	}
	var b strings.Builder
	if err := doctor.Write(&b, rs); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); !strings.Contains(out, "[FAIL] printer") || !strings.Contains(out, "Máy in hết giấy") || !strings.Contains(out, "1 failures") {
		t.Errorf("report:\n%s", out)
	}
	b.Reset()
	if err := doctor.WriteJSON(&b, rs); err != nil {
		t.Fatal(err)
	}
	var back []doctor.Result
	if err := json.Unmarshal([]byte(b.String()), &back); err != nil || !reflect.DeepEqual(back, rs) || !strings.Contains(b.String(), "\n  {\n    \"check\": \"config\",") {
		t.Errorf("JSON: got %v reading back\n%s", err, b.String())
	}
	em.SetPaper(printertest.PaperOK)
	if rs := doctor.Run(context.Background(), path, doctor.Options{Clock: fakeClock(true), Timeout: 4 * time.Second, User: "root"}); doctor.Failed(rs) {
		t.Errorf("all well: got failures %+v", rs)
	}
	if rs := doctor.Run(context.Background(), filepath.Join(dir, "none.toml"), doctor.Options{}); !doctor.Failed(rs) || len(rs) != 1 {
		t.Errorf("missing config: got %+v, want one failure", rs)
	}
}

// Each [[kiosk]]'s printer is checked as the unit's own is, named by its
// kiosk.
func TestRunKioskPrinters(t *testing.T) {
	dir := t.TempDir()
	own, sanhB := printertest.New(), printertest.New()
	sanhB.SetPaper(printertest.PaperOut)
	var paths []string
	for _, em := range []*printertest.Emulator{own, sanhB} {
		link, err := printertest.StartPTY(em)
		if err != nil {
			t.Fatal(err)
		}
		defer link.Close()
		paths = append(paths, link.Path())
	}
	os.Mkdir(filepath.Join(dir, "data"), 0o750)
	path := writeConfig(t, dir, "127.0.0.1:0", "[printer]\naddress = \"serial:"+paths[0]+"\"\n[[kiosk]]\nid = \"sanh-b\"\n[kiosk.printer]\naddress = \"serial:"+paths[1]+"\"\n[[kiosk]]\nid = \"tang-2\"\nsatellite = true\n")
	rs := doctor.Run(context.Background(), path, doctor.Options{Clock: fakeClock(true), Timeout: 4 * time.Second, User: "root"})
	var checks []string
	levels := map[string]doctor.Level{}
	for _, r := range rs {
		checks = append(checks, r.Check)
		levels[r.Check] = r.Level
	}
	want := "config data_dir disk clock serial printer serial printer sanh-b printer printer sanh-b uplink listen"
	if got := strings.Join(checks, " "); got != want {
		t.Errorf("checks: got %q, want %q", got, want)
	}
	if levels["printer"] != doctor.LevelOK || levels["printer sanh-b"] != doctor.LevelFail {
		t.Errorf("levels: got %v, want printer ok and printer sanh-b failed (no paper)", levels)
	}
}
