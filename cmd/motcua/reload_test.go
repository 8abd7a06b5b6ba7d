package main

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"

	"motcua/kiosk/queue"
)

func (p *daemonProc) state(t *testing.T) *queue.State {
	t.Helper()
	req, _ := http.NewRequest("GET", p.base+"/api/v1/state", nil)
	req.Header.Set("Authorization", "Bearer "+crashAdmin)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st queue.State
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return &st
}

// TestReload sends SIGHUP to the real binary and waits for what it tells
// systemd: a valid new configuration adds a service and keeps the queue;
// an invalid one is refused with the reason, in the log and in systemd's
// status, and the old configuration stays.
func TestReload(t *testing.T) {
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	addr := freePort(t)
	path := writeCrashConfig(t, dir, addr)
	p := startDaemon(t, bin, path, addr)
	if code, body, err := p.post("/api/v1/tickets", `{"service":"dat-dai"}`); err != nil || code != 201 {
		t.Fatalf("issue: %d %s %v", code, body, err)
	}

	orig, _ := os.ReadFile(path)
	added := string(orig) + "\n[[service]]\nid = \"xay-dung\"\nname = \"Xây dựng\"\nprefix = \"D\"\n"
	if err := os.WriteFile(path, []byte(added), 0o600); err != nil {
		t.Fatal(err)
	}
	p.cmd.Process.Signal(syscall.SIGHUP)
	if err := p.notes.wait("STATUS=configuration reloaded"); err != nil {
		t.Fatal(err)
	}
	st := p.state(t)
	if len(st.Services) != 3 {
		t.Errorf("after the reload: got %d services, want 3", len(st.Services))
	}
	if len(st.Services[0].Waiting) != 1 || st.Services[0].Waiting[0].Number != "A001" {
		t.Errorf("queue after reload: got %+v, want A001 still waiting", st.Services[0].Waiting)
	}
	if code, body, _ := p.post("/api/v1/tickets", `{"service":"xay-dung"}`); code != 201 || !strings.Contains(string(body), `"D001"`) {
		t.Errorf("ticket of the new service: got %d %s", code, body)
	}

	bad := strings.Replace(added, `prefix = "D"`, `prefix = "D"`+"\nsurprise = 1", 1)
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	p.cmd.Process.Signal(syscall.SIGHUP)
	if err := p.notes.wait("STATUS=reload refused"); err != nil {
		t.Fatal(err)
	}
	if status := p.notes.got[len(p.notes.got)-1]; !strings.Contains(status, "surprise") {
		t.Errorf("systemd's status does not name the bad key: %q", status)
	}
	if !strings.Contains(p.out.String(), "surprise") {
		t.Errorf("the log does not name the bad key:\n%s", p.out.String())
	}
	if st := p.state(t); len(st.Services) != 3 {
		t.Errorf("after a refused reload: got %d services, want the old 3", len(st.Services))
	}
	if code, _, _ := p.post("/api/v1/tickets", `{"service":"xay-dung"}`); code != 201 {
		t.Errorf("issuing after a refused reload: got %d", code)
	}
}
