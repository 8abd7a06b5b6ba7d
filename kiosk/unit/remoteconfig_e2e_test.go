package unit

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"motcua/clock"
	"motcua/devices/printer/printertest"
	"motcua/kiosk/config"
	"motcua/kiosk/remoteconfig"
	"motcua/receiver"
	"motcua/uplinkproto"
)

// TestRemoteConfigFromReceiver sends configurations from a real receiver
// (PUT /api/units/{unit}/config) to a unit connected over its uplink:
// the refused one comes back with the check's problems, the one that
// breaks the printer is rolled back by the unit after 60 s (fake clock)
// and the receiver's fleet JSON and page say so with the reason, the
// good one is applied.
func TestRemoteConfigFromReceiver(t *testing.T) {
	const opToken, unitToken = "fleet-operator-token-01", "fleet-unit-token-0001"
	srv, err := receiver.Open(context.Background(), receiver.Options{Store: "sqlite:" + t.TempDir(),
		Tokens: map[string]string{unitToken: "unit-test"}, Operators: map[string]string{opToken: "it"}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer func() {
		srv.Close()
		ts.Close()
	}()

	emu := printertest.New()
	pty, err := printertest.StartPTY(emu)
	if err != nil {
		t.Fatal(err)
	}
	defer pty.Close()
	dir := t.TempDir()
	link := filepath.Join(dir, "motcua-printer")
	if err := os.Symlink(pty.Path(), link); err != nil {
		t.Fatal(err)
	}
	tokenFile := filepath.Join(dir, "uplink.token")
	if err := os.WriteFile(tokenFile, []byte(unitToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	file := func(service, printer string) string {
		return strings.Replace(simTOML(dir), `name = "Đất đai"`, fmt.Sprintf("name = %q", service), 1) +
			fmt.Sprintf("[printer]\naddress = \"serial:%s\"\n[uplink]\nurl = %q\ntoken_file = %q\n", printer, "ws"+strings.TrimPrefix(ts.URL, "http")+"/ingest", tokenFile)
	}
	path := filepath.Join(dir, "motcua.toml")
	if err := os.WriteFile(path, []byte(file("Đất đai", link)), 0o640); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.LoadRun(path)
	if err != nil {
		t.Fatal(err)
	}
	clk := clockwork.NewFakeClock()
	applied := make(chan struct{}, 1)
	m := remoteconfig.New(remoteconfig.Options{Path: path, Check: Check, Clock: clk, Notify: func(o uplinkproto.ConfigOutcome) {
		if o.State == uplinkproto.ConfigApplied {
			applied <- struct{}{}
		}
	}})
	u, err := New(context.Background(), cfg, Options{Clock: clock.Trusted{}, Remote: m, Version: "e2e"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 2)
	go func() { done <- u.Run(ctx) }()
	go func() { done <- m.Run(ctx, u) }()
	defer func() {
		cancel()
		for range 2 {
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		}
	}()

	fleet := func() receiver.FleetUnit {
		t.Helper()
		units, err := srv.FleetView(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range units {
			if f.Unit == "unit-test" {
				return f
			}
		}
		return receiver.FleetUnit{}
	}
	put := func(toml string) *uplinkproto.Message {
		t.Helper()
		req, _ := http.NewRequest("PUT", ts.URL+"/api/units/unit-test/config", strings.NewReader(toml))
		req.Header.Set("Authorization", "Bearer "+opToken)
		req.Header.Set("Content-Type", "application/toml")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("PUT config: %s %s", resp.Status, body)
		}
		msg, err := uplinkproto.DecodeClient(body)
		if err != nil {
			t.Fatalf("result %s: %v", body, err)
		}
		return msg
	}
	configOf := func(want string) uplinkproto.ConfigOutcome {
		t.Helper()
		eventually(t, "the receiver to show config "+want, func() bool {
			f := fleet()
			return f.Status != nil && f.Status.Config.State == want
		})
		return fleet().Status.Config
	}
	eventually(t, "the unit's first status and a healthy unit", func() bool { return fleet().Status != nil && u.Healthy() == nil })

	res := put(file("Đất đai", link) + "[unknown_section]\nx = 1\n")
	if res.OK || res.Error == nil || res.Error.Code != "invalid_config" || !strings.Contains(res.Error.Message, "unknown_section") {
		t.Fatalf("a file that fails the check: got %s", res.Raw)
	}
	if o := configOf(uplinkproto.ConfigRejected); !strings.Contains(o.Reason, "unknown_section") {
		t.Errorf("rejected: reason %q", o.Reason)
	}

	res = put(file("Đất đai hỏng", "/dev/motcua-no-such-printer"))
	if !res.OK || !strings.Contains(string(res.Raw), `"state":"applying"`) {
		t.Fatalf("a file that passes the check: got %s", res.Raw)
	}
	wctx, wcancel := context.WithTimeout(ctx, 60*time.Second)
	defer wcancel()
	for range 30 {
		if err := clk.BlockUntilContext(wctx, 1); err != nil {
			t.Fatal(err)
		}
		clk.Advance(2 * time.Second)
	}
	o := configOf(uplinkproto.ConfigRolledBack)
	if !strings.Contains(o.Reason, "printer") || !strings.Contains(o.Reason, "not healthy 1m0s") {
		t.Errorf("rolled back: reason %q, want the printer and the wait", o.Reason)
	}
	if got := u.d.Room.Config().Services[0].Name; got != "Đất đai" {
		t.Errorf("after the rollback: service %q", got)
	}
	req, _ := http.NewRequest("GET", ts.URL+"/api/fleet", nil)
	req.Header.Set("Authorization", "Bearer "+opToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Units []struct {
			Status struct {
				Config uplinkproto.ConfigOutcome `json:"config"`
			} `json:"status"`
		} `json:"units"`
	}
	json.NewDecoder(resp.Body).Decode(&v)
	resp.Body.Close()
	if len(v.Units) != 1 || v.Units[0].Status.Config.State != uplinkproto.ConfigRolledBack {
		t.Errorf("GET /api/fleet: %+v, want the rollback", v)
	}
	req, _ = http.NewRequest("GET", ts.URL+"/fleet", nil)
	req.Header.Set("Authorization", "Bearer "+opToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "Đã khôi phục cấu hình cũ") {
		t.Errorf("the fleet page does not show the rollback:\n%s", page)
	}

	eventually(t, "the unit to be healthy again", func() bool { return u.Healthy() == nil })
	res = put(file("Đất đai (mới)", link))
	if !res.OK {
		t.Fatalf("a good file: got %s", res.Raw)
	}
	// Each time the unit's manager waits for its next check, let the
	// printer open, then move the clock to the check.
	for waiting := true; waiting; {
		blocked := make(chan error, 1)
		go func() { blocked <- clk.BlockUntilContext(wctx, 1) }()
		select {
		case <-applied:
			waiting = false
		case err := <-blocked:
			if err != nil {
				t.Fatal(err)
			}
			eventually(t, "the printer to open", func() bool { return u.Healthy() == nil })
			clk.Advance(2 * time.Second)
		}
	}
	configOf(uplinkproto.ConfigApplied)
	if got := u.d.Room.Config().Services[0].Name; got != "Đất đai (mới)" {
		t.Errorf("applied: service %q", got)
	}
}
