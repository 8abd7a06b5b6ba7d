package satellite_test

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"motcua/kiosk/satellite"
)

// TestSetupRun runs a satellite as `motcua satellite` does, with a
// simulated printer: it reaches the main daemon, which shows its printer,
// and stops with its context. A token file that is not there stops it
// before anything opens.
func TestSetupRun(t *testing.T) {
	m := newMain(t)
	dir := t.TempDir()
	token := filepath.Join(dir, "satellite.token")
	if err := os.WriteFile(token, []byte(satToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data") // made by Run
	s := satellite.Setup{Server: m.url(), TokenFile: token, Devices: satellite.DeviceConfig{Printer: "sim", DataDir: data}, Listen: "127.0.0.1:0"}

	missing := s
	missing.TokenFile = filepath.Join(dir, "none.token")
	if err := missing.Run(context.Background(), func(net.Addr) { t.Error("ready without a token") }); err == nil || !strings.Contains(err.Error(), "-token-file") {
		t.Errorf("no token file: got %v, want an error naming -token-file", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	done := make(chan error, 1)
	var pages net.Addr
	go func() {
		done <- s.Run(ctx, func(a net.Addr) {
			pages = a
			close(ready)
		})
	}()
	select {
	case <-ready:
		// The pages are served through the satellite from the start.
		res, err := http.Get("http://" + pages.String() + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("healthz through the satellite's pages: got %d", res.StatusCode)
		}
	case err := <-done:
		t.Fatalf("Run: %v", err)
	}
	if fi, err := os.Stat(data); err != nil || !fi.IsDir() {
		t.Errorf("data directory: %v", err)
	}
	m.waitEvent("the satellite's printer", func(f map[string]any) bool {
		d, _ := f["device"].(map[string]any)
		return f["event"] == "device.status" && d["name"] == "printer tang-2" && d["status"] == "ok"
	})
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run after its context ended: %v", err)
	}
}
