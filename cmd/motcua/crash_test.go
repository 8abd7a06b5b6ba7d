package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"motcua/kiosk/queue"
)

// buildBinary builds cmd/motcua once per test binary run.
var buildBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "motcua-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "motcua")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

const crashAdmin = "crash-test-admin-token"

func writeCrashConfig(t *testing.T, dir, addr string) string {
	t.Helper()
	cfg := fmt.Sprintf(`[unit]
id = "crash-test"
name = "Thử mất điện"

[server]
listen = %q
data_dir = %q

[[service]]
id = "dat-dai"
name = "Đất đai"
prefix = "A"

[[service]]
id = "ho-tich"
name = "Hộ tịch"
prefix = "B"

[[counter]]
id = 1
name = "Quầy 1"
services = ["dat-dai", "ho-tich"]

[[counter]]
id = 2
name = "Quầy 2"
services = ["ho-tich"]

[[token]]
role = "admin"
secret = %q
`, addr, filepath.Join(dir, "data"), crashAdmin)
	path := filepath.Join(dir, "motcua.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// daemonProc is the real binary running `motcua run`.
type daemonProc struct {
	cmd   *exec.Cmd
	base  string
	out   logFile
	notes *sdNotes // what it tells systemd
}

// logFile is a daemon's output. The daemon writes it itself, not through
// a pipe the test copies, so that what it logged before it told systemd
// something is there once the test hears of it.
type logFile struct{ f *os.File }

func (l *logFile) String() string {
	b, _ := os.ReadFile(l.f.Name())
	return string(b)
}

// sdNotes receives what a daemon tells systemd (sd_notify), as systemd
// does on $NOTIFY_SOCKET: the test waits on these events.
type sdNotes struct {
	conn *net.UnixConn
	got  []string
}

func listenNotify(t *testing.T) (string, *sdNotes) {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return sock, &sdNotes{conn: conn}
}

// wait reads notifications until one contains want, for at most 30 s.
func (n *sdNotes) wait(want string) error {
	buf := make([]byte, 4096)
	n.conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		k, err := n.conn.Read(buf)
		if err != nil {
			return fmt.Errorf("waiting for %q: %w; got %q", want, err, n.got)
		}
		n.got = append(n.got, string(buf[:k]))
		if strings.Contains(string(buf[:k]), want) {
			return nil
		}
	}
}

// syncBuffer is the daemon's output, read while the process writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startDaemon runs "motcua run" and returns once it tells systemd it
// serves (READY=1).
func startDaemon(t *testing.T, bin, config, addr string) *daemonProc {
	t.Helper()
	sock, notes := listenNotify(t)
	p := &daemonProc{base: "http://" + addr, notes: notes}
	p.cmd = exec.Command(bin, "run", "-config", config)
	p.cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+sock)
	f, err := os.CreateTemp(t.TempDir(), "daemon-*.log")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	p.out.f = f
	p.cmd.Stdout, p.cmd.Stderr = f, f
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.kill() })
	if err := notes.wait("READY=1"); err != nil {
		t.Fatalf("the daemon did not say it serves: %v\n%s", err, p.out.String())
	}
	return p
}

func (p *daemonProc) kill() {
	if p.cmd.ProcessState == nil {
		p.cmd.Process.Signal(syscall.SIGKILL)
		p.cmd.Wait()
	}
}

// client gives up only on a hung daemon, not on a disk that stalls a few
// seconds while other test binaries write.
var client = &http.Client{Timeout: 30 * time.Second}

// checkTickets asserts that the daemon serves every ticket of want (id ->
// number) with its number.
func (p *daemonProc) checkTickets(t *testing.T, want map[string]string) {
	t.Helper()
	for id, number := range want {
		req, _ := http.NewRequest("GET", p.base+"/api/v1/tickets/"+id, nil)
		req.Header.Set("Authorization", "Bearer "+crashAdmin)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var tk queue.Ticket
		json.NewDecoder(resp.Body).Decode(&tk)
		resp.Body.Close()
		if resp.StatusCode != 200 || tk.Number != number {
			t.Errorf("ticket %s: got %d %q, want 200 %q", id, resp.StatusCode, tk.Number, number)
		}
	}
}

func (p *daemonProc) post(path, body string) (int, []byte, error) {
	req, _ := http.NewRequest("POST", p.base+path, bytes.NewBufferString(body))
	req.Header.Set("Authorization", "Bearer "+crashAdmin)
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	return resp.StatusCode, buf.Bytes(), nil
}

// TestCrash issues and calls tickets and checks bookings in as fast as it
// can, kills the daemon with SIGKILL at random moments, restarts it, and
// checks that every acknowledged ticket survived with its number, that no
// number was given twice, no booking checked in twice (a second check-in
// gives the first ticket), and that the log's seq has no gap or repeat.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test runs the real binary 25 times; not in -short")
	}
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	addr := freePort(t)
	config := writeCrashConfig(t, dir, addr)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))

	acked := map[string]string{}     // ticket id -> number, as acknowledged
	checkedIn := map[string]string{} // booking code -> ticket id, as acknowledged
	var calledAcks int
	const rounds = 25
	const bookings = 200
	for round := range rounds {
		p := startDaemon(t, bin, config, addr)
		if round == 0 {
			// Today's bookings, open until midnight, so that the test may
			// run at any hour.
			today := time.Now().In(hcm).Format(time.DateOnly)
			for i := range bookings {
				body := fmt.Sprintf(`{"code":"CR-%d","service":%q,"date":%q,"from":"%02d:00","to":"24:00"}`,
					i, []string{"dat-dai", "ho-tich"}[i%2], today, i%24)
				if code, out, err := p.post("/api/v1/appointments", body); err != nil || code != 201 {
					t.Fatalf("booking %d: %d %s %v", i, code, out, err)
				}
			}
		}
		for _, c := range []string{"1", "2"} {
			if code, body, err := p.post("/api/v1/counters/"+c+"/open", `{"officer":"Thử"}`); err != nil || code != 200 {
				t.Fatalf("round %d: open: %d %s %v", round, code, body, err)
			}
		}
		ctx, cancel := context.WithCancel(context.Background())
		var mu sync.Mutex
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ctx.Err() == nil; i++ {
					if w == 2 && i%2 == 1 {
						code := fmt.Sprintf("CR-%d", spread(w, i)%bookings)
						status, body, err := p.post("/api/v1/checkin", `{"code":"`+code+`"}`)
						if err != nil || (status != 201 && status != 200) {
							continue
						}
						var tk queue.Ticket
						if err := json.Unmarshal(body, &tk); err != nil || tk.Appointment != code {
							t.Errorf("round %d: check-in %s: %d %s", round, code, status, body)
							return
						}
						mu.Lock()
						prev, ok := checkedIn[code]
						switch {
						case ok && status == 201:
							t.Errorf("round %d: %s checked in twice: %s, then %s", round, code, prev, tk.ID)
						case ok && prev != tk.ID:
							t.Errorf("round %d: %s checked in as %s, again as %s", round, code, prev, tk.ID)
						}
						checkedIn[code] = tk.ID
						acked[tk.ID] = tk.Number
						mu.Unlock()
						continue
					}
					if w == 3 && i%2 == 1 {
						if code, _, err := p.post(fmt.Sprintf("/api/v1/counters/%d/next", 1+i%4/2), ""); err == nil && code == 200 {
							mu.Lock()
							calledAcks++
							mu.Unlock()
						}
						continue
					}
					service := []string{"dat-dai", "ho-tich"}[i%2]
					code, body, err := p.post("/api/v1/tickets", `{"service":"`+service+`"}`)
					if err != nil || code != 201 {
						continue // killed mid-request: not acknowledged
					}
					var tk queue.Ticket
					if err := json.Unmarshal(body, &tk); err != nil {
						t.Errorf("round %d: 201 with a bad body %q", round, body)
						return
					}
					mu.Lock()
					if prev, ok := acked[tk.ID]; ok {
						t.Errorf("round %d: ticket id %s acknowledged twice (%s, %s)", round, tk.ID, prev, tk.Number)
					}
					acked[tk.ID] = tk.Number
					mu.Unlock()
				}
			}()
		}
		time.Sleep(time.Duration(30+rng.IntN(250)) * time.Millisecond)
		p.kill()
		cancel()
		wg.Wait()
	}
	if len(acked) < rounds*10 {
		t.Fatalf("only %d tickets acknowledged in %d rounds: the test did not load the daemon", len(acked), rounds)
	}

	// After the last crash: every acknowledged ticket is there, same number.
	p := startDaemon(t, bin, config, addr)
	p.checkTickets(t, acked)
	req, _ := http.NewRequest("GET", p.base+"/api/v1/appointments", nil)
	req.Header.Set("Authorization", "Bearer "+crashAdmin)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var list struct{ Appointments []queue.Appointment }
	json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if len(list.Appointments) != bookings {
		t.Errorf("got %d bookings after the crashes, want %d", len(list.Appointments), bookings)
	}
	for _, a := range list.Appointments {
		id, ok := checkedIn[a.Code]
		switch {
		case ok && (a.Status != queue.CheckedIn || a.Ticket == nil || *a.Ticket != id):
			t.Errorf("booking %s: got %s ticket %v, want checked in with %s", a.Code, a.Status, a.Ticket, id)
		case !ok && a.Status != queue.Booked && a.Status != queue.CheckedIn:
			t.Errorf("booking %s: got %s, want booked or checked in", a.Code, a.Status)
		}
	}
	p.kill()

	// The log itself: seq 1..N without gap or repeat, no number issued
	// twice in a day.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "data", "motcua.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT seq, name, day, COALESCE(json_extract(data, '$.ticket.number'), ''), COALESCE(json_extract(data, '$.ticket.service'), ''),
		COALESCE(json_extract(data, '$.ticket.appointment'), '') FROM events ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var want int64 = 1
	issued := map[string]bool{}
	checkins := map[string]bool{}
	for rows.Next() {
		var seq int64
		var name, day, number, service, appointment string
		if err := rows.Scan(&seq, &name, &day, &number, &service, &appointment); err != nil {
			t.Fatal(err)
		}
		if seq != want {
			t.Fatalf("seq %d where %d was due: gap or repeat", seq, want)
		}
		want++
		if name == queue.TicketIssued {
			k := day + "/" + service + "/" + number
			if issued[k] {
				t.Errorf("number %s given twice on %s", number, day)
			}
			issued[k] = true
			if appointment != "" {
				if checkins[appointment] {
					t.Errorf("booking %s checked in twice in the log", appointment)
				}
				checkins[appointment] = true
			}
		}
	}
	if len(issued) < len(acked) {
		t.Errorf("log has %d issued tickets, fewer than the %d acknowledged", len(issued), len(acked))
	}
	if len(checkins) < len(checkedIn) || len(checkedIn) == 0 {
		t.Errorf("log has %d check-ins, %d acknowledged; want at least one, none lost", len(checkins), len(checkedIn))
	}
	t.Logf("%d rounds, %d tickets acknowledged (%d issued in the log), %d check-ins acknowledged (%d in the log), %d calls acknowledged, %d events",
		rounds, len(acked), len(issued), len(checkedIn), len(checkins), calledAcks, want-1)
}

var hcm, _ = time.LoadLocation("Asia/Ho_Chi_Minh")

// spread spreads worker w's i-th check-in over the bookings, so that codes
// come back (second check-ins) and new ones are tried in every round.
func spread(w, i int) int { return (i*7919 + w*104729) / 2 }
