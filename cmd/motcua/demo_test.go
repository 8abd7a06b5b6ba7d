package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestDemo runs `motcua demo` as the README says: it must print the page
// URLs with their tokens within a second, serve the pages and the API,
// print on its simulated printer, show the simulated displays, and stop
// cleanly on Ctrl-C.
func TestDemo(t *testing.T) {
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	addr := freePort(t)
	cmd := exec.Command(bin, "demo", "-listen", addr, "-data", t.TempDir())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	tokens := map[string]string{}
	urlRe := regexp.MustCompile(`http://\S+/(kiosk|board|admin|counter/1|rate/1)\?token=([a-z0-9]+)`)
	lines := bufio.NewScanner(stdout)
	for len(tokens) < 5 && lines.Scan() {
		if m := urlRe.FindStringSubmatch(lines.Text()); m != nil {
			tokens[m[1]] = m[2]
		}
	}
	if len(tokens) < 5 {
		t.Fatalf("the demo printed URLs for %v only (the rating page's too?)\n%s", tokens, stderr.String())
	}
	go io.Copy(io.Discard, stdout)
	base := "http://" + addr
	resp, err := http.Get(base + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	started := time.Since(start)
	if started > 3*time.Second {
		t.Errorf("the demo took %s to serve", started)
	}
	t.Logf("demo serving %s after the exec", started)

	call := func(method, path, token, body string) (int, []byte) {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Sec-Fetch-Site", "none") // as a browser opening a start URL
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	if code, _ := call("GET", "/kiosk?token="+tokens["kiosk"], "", ""); code != http.StatusSeeOther {
		t.Errorf("kiosk start URL: got %d, want 303 to drop the token", code)
	}
	code, body := call("POST", "/api/v1/sim/press", tokens["kiosk"], `{"service":"dat-dai"}`)
	var pressed struct {
		Printed bool `json:"printed"`
		Ticket  struct{ Number string }
	}
	json.Unmarshal(body, &pressed)
	if code != 201 || !pressed.Printed || pressed.Ticket.Number != "A001" {
		t.Fatalf("simulated button: got %d %s", code, body)
	}
	if code, body := call("GET", "/api/v1/procedures?q=dang+ky+khai+sinh", tokens["kiosk"], ""); code != 200 || !strings.Contains(string(body), `"code":"1.001193"`) {
		t.Errorf("the demo's catalogue: got %d %s", code, body)
	}
	if code, body := call("POST", "/api/v1/tickets", tokens["kiosk"], `{"procedure":"1.000894"}`); code != 201 || !strings.Contains(string(body), `"printed":true`) || !strings.Contains(string(body), `"number":"B001"`) {
		t.Errorf("a ticket for a procedure, with its checklist: got %d %s", code, body)
	}
	call("POST", "/api/v1/counters/1/open", tokens["counter/1"], `{"officer":"Nguyễn Văn A"}`)
	if code, body := call("POST", "/api/v1/counters/1/next", tokens["counter/1"], ""); code != 200 {
		t.Fatalf("next: %d %s", code, body)
	}
	var sim struct {
		Displays []struct {
			Counter int    `json:"counter"`
			Text    string `json:"text"`
		} `json:"displays"`
		Printed []string `json:"printed"`
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		_, body := call("GET", "/api/v1/sim", tokens["admin"], "")
		json.Unmarshal(body, &sim)
		if len(sim.Displays) > 0 && strings.TrimSpace(sim.Displays[0].Text) == "A001" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("display 1 does not show A001: %s", body)
		}
	}
	if len(sim.Printed) != 2 {
		t.Errorf("printed tickets: got %v, want two PNGs", sim.Printed)
	} else if code, png := call("GET", sim.Printed[0], tokens["admin"], ""); code != 200 || !strings.HasPrefix(string(png), "\x89PNG") {
		t.Errorf("the printed ticket: got %d, %d bytes", code, len(png))
	} else {
		checkTicketQR(t, png, base, "A001")
	}
	if code, wav := call("GET", "/voice/call.wav?number=A001&counter=1", tokens["board"], ""); code != 200 || !strings.HasPrefix(string(wav), "RIFF") {
		t.Errorf("voice call: got %d", code)
	}

	// The demo's bookings: DEMO-2's slot holds now; a scan at the
	// simulated kiosk scanner checks it in.
	if code, body := call("GET", "/api/v1/appointments", tokens["admin"], ""); code != 200 || !strings.Contains(string(body), `"code":"DEMO-2"`) {
		t.Errorf("the demo's bookings: got %d %s", code, body)
	}
	// The check-in is a ticket.issued event of the booking's ticket: the
	// test follows the websocket from now on and waits for it.
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/api/v1/ws", http.Header{"Authorization": {"Bearer " + tokens["admin"]}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	var snapshot struct{ Type string }
	if err := ws.ReadJSON(&snapshot); err != nil || snapshot.Type != "snapshot" {
		t.Fatalf("websocket: got %+v %v, want a snapshot first", snapshot, err)
	}
	if code, body := call("POST", "/api/v1/sim/scan", tokens["admin"], `{"text":"DEMO-2","scanner":"kiosk"}`); code != 202 {
		t.Errorf("sim scan: got %d %s", code, body)
	}
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		var f struct {
			Event  string
			Ticket struct{ Appointment string }
		}
		if err := ws.ReadJSON(&f); err != nil {
			t.Fatalf("DEMO-2 was not checked in by the scan: %v", err)
		}
		if f.Event == "ticket.issued" && f.Ticket.Appointment == "DEMO-2" {
			break
		}
	}
	if _, body := call("GET", "/api/v1/appointments/DEMO-2", tokens["admin"], ""); !strings.Contains(string(body), `"status":"checked_in"`) {
		t.Errorf("DEMO-2 after its ticket: %s, want checked_in", body)
	}

	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after Ctrl-C: %v\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the demo did not stop after Ctrl-C")
	}
}

// checkTicketQR reads the QR code of a printed ticket with zbarimg, an
// independent decoder: it must be the address of the ticket's own page,
// which must show the ticket.
func checkTicketQR(t *testing.T, png []byte, base, number string) {
	t.Helper()
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("zbarimg not installed (CI=true): %v", err)
		}
		t.Skipf("zbarimg not installed: %v", err)
	}
	p := filepath.Join(t.TempDir(), "ticket.png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(zbar, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", p).Output()
	if err != nil {
		t.Fatalf("zbarimg found no QR code on the printed ticket: %v", err)
	}
	url := strings.TrimSpace(string(out))
	public, ok := strings.CutPrefix(url, base+"/t/")
	if !ok || len(public) != 26 {
		t.Fatalf("the ticket's QR code reads %q, want %s/t/ and a public id", url, base)
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("the page of the QR code: got %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp, err = http.Get(base + "/api/v1/public/" + public)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var pt struct{ Number string }
	json.NewDecoder(resp.Body).Decode(&pt)
	if pt.Number != number {
		t.Errorf("the QR code's ticket: got %q, want %s", pt.Number, number)
	}
}
