package unit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"motcua/clock"
	"motcua/devices/modbus/modbustest"
	"motcua/devices/printer/printertest"
	"motcua/devices/scanner/scannertest"
	"motcua/kiosk"
	"motcua/kiosk/config"
	"motcua/kiosk/daemon"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/queue"
)

// testButton is a fake GPIO pin registered as GPIO17 for the whole test
// binary (periph's registry cannot forget a pin).
var testButton = func() *gpiotest.Pin {
	p := &gpiotest.Pin{N: "GPIO17", Num: 17, L: gpio.High, EdgesChan: make(chan gpio.Level)}
	if err := gpioreg.Register(p); err != nil {
		panic(err)
	}
	return p
}()

// rigRoom is a unit with the devices of a config, on emulated hardware.
type rigRoom struct {
	u       *Unit
	d       *daemon.Daemon
	pty     *printertest.PTY
	link    string // the printer's address: a symlink to the pty, as udev makes /dev/motcua-printer
	printer *printertest.Emulator
	display *modbustest.Slave
	keypad  *modbustest.Slave
	scanner *scannertest.PTY // the kiosk's USB serial scanner
	// changes are poked at each commit and each write to the display.
	changes *changes
}

func startRig(t testing.TB, buttonRate string, printMode ...string) *rigRoom {
	t.Helper()
	return startRigAt(t, "serial:", buttonRate, printMode...)
}

// startRigAt starts a rig whose printer address is scheme followed by the
// printer's device path ("" for a bare path).
func startRigAt(t testing.TB, scheme, buttonRate string, printMode ...string) *rigRoom {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	emu := printertest.New()
	pty, err := printertest.StartPTY(emu)
	if err != nil {
		t.Fatal(err)
	}
	busHost, busDev, err := modbustest.Pair()
	if err != nil {
		t.Fatal(err)
	}
	srv := modbustest.NewServer(busHost, 0)
	disp, pad := srv.Add(5), srv.Add(6)
	busCtx, busStop := context.WithCancel(context.Background())
	go srv.Run(busCtx)

	scanEmu, err := scannertest.StartPTY(11)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	link := filepath.Join(dir, "motcua-printer")
	if err := os.Symlink(pty.Path(), link); err != nil {
		t.Fatal(err)
	}
	toml := fmt.Sprintf(`[unit]
id = "rig-test"
name = "UBND xã Thử"
[server]
data_dir = %q
[printer]
address = "%s%s"
mode = %q
qr_url = "https://dichvucong.example.gov.vn/q/{unit}/{id}"
footer = "Xin cảm ơn quý khách!"
[rs485]
port = %q
baud = 115200
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
driver = "modbus7seg"
slave = 5
[[keypad]]
counter = 1
kind = "call"
slave = 6
[[button]]
pin = "GPIO17"
service = "dat-dai"
rate = %q
[[scanner]]
address = "serial:/dev/motcua-scanner"
place = "kiosk"
[[token]]
role = "admin"
secret = "rig-test-admin-01"
`, filepath.Join(dir, "data"), scheme, link, append(printMode, "tcvn3")[0], busDev.Name(), buttonRate)
	cfg, err := config.Parse("rig.toml", []byte(toml))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Scanners[0].Endpoint.Path = scanEmu.Path() // config takes only paths under /dev
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	u, err := New(ctx, cfg, Options{Clock: clock.Trusted{}, Listener: ln, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	r := &rigRoom{u: u, d: u.d, pty: pty, link: link, printer: emu, display: disp, keypad: pad, scanner: scanEmu, changes: watch(u)}
	disp.OnWrite(func(uint16, []uint16) { r.changes.poke() })
	done := make(chan error, 1)
	go func() { done <- u.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("stop: %v", err)
		}
		busStop()
		pty.Close()
		scanEmu.Close()
		busHost.Close()
		busDev.Close()
	})
	return r
}

// press pushes the ticket button down, holds it past the 30 ms debounce
// until issued returns, having seen the ticket the press issued (printed,
// committed), and lets it go.
func press(issued func()) {
	testButton.EdgesChan <- gpio.Low
	issued()
	testButton.EdgesChan <- gpio.High
}

// TestButtonToDisplay is the room end to end: a button press becomes a
// durable ticket, printed; the counter's keypad "Next" calls it and the
// counter's display shows its number.
func TestButtonToDisplay(t *testing.T) {
	r := startRig(t, "2s")
	press(func() { waitJobs(t, r.printer, 1) })
	if job := r.printer.Jobs()[0]; !bytes.Contains(job, []byte("A001")) {
		t.Errorf("printed job lacks A001: % x", job[:min(len(job), 64)])
	}
	ev, err := r.d.Log.Ticket(context.Background(), "")
	if err != nil || ev != nil {
		t.Fatalf("lookup of no ticket: %v %v", ev, err)
	}
	st, _ := kiosk.View(r.d.Room, (*queue.Engine).State)
	if w := st.Services[0].Waiting; len(w) != 1 || w[0].Number != "A001" {
		t.Fatalf("waiting: got %v, want A001", w)
	}
	if _, err := r.d.Room.Do(func(e *queue.Engine) ([]queue.Event, error) { return e.Open(1, "Lê Văn C") }); err != nil {
		t.Fatal(err)
	}
	r.keypad.AddInput(0, 1) // one press of Next
	r.changes.wait(t, "the display to show A001", func() bool {
		h := r.display.Holding(0, 4)
		return string([]byte{byte(h[0]), byte(h[1]), byte(h[2]), byte(h[3])}) == "A001"
	})
	st, _ = kiosk.View(r.d.Room, (*queue.Engine).State)
	if s := st.Counters[0].Serving; s == nil || s.Number != "A001" || s.Status != queue.Called {
		t.Errorf("counter 1 serves %+v, want A001 called", s)
	}
	names := map[string]string{}
	for _, d := range st.Devices {
		names[d.Name] = d.Status
	}
	for _, want := range []string{"printer", "display 1", "keypad 6"} {
		if names[want] != queue.DeviceOK {
			t.Errorf("device %q: got %q, want ok (all: %v)", want, names[want], names)
		}
	}
}

// BenchmarkPressToTicket measures from the button's edge to the durable
// ticket.issued event, and to the whole job at the printer emulator (over
// a pseudo-terminal, which has no baud rate).
func BenchmarkPressToTicket(b *testing.B) {
	r := startRig(b, "1ms")
	issued := make(chan time.Time, 1)
	r.d.Subscribe(func(recs []eventlog.Record) {
		for _, rec := range recs {
			if rec.Event != nil && rec.Event.Name == queue.TicketIssued {
				issued <- time.Now()
			}
		}
	})
	ctx := context.Background()
	var toEvent, toPrinted []time.Duration
	for i := range b.N {
		start := time.Now()
		testButton.EdgesChan <- gpio.Low
		toEvent = append(toEvent, (<-issued).Sub(start))
		if err := r.printer.Wait(ctx, func(s printertest.Snapshot) bool { return s.Jobs == i+1 }); err != nil {
			b.Fatal(err)
		}
		toPrinted = append(toPrinted, time.Since(start))
		testButton.EdgesChan <- gpio.High
		time.Sleep(20 * time.Millisecond) // released, debounced
	}
	b.StopTimer()
	reportLatency(b, "event", toEvent)
	reportLatency(b, "printed", toPrinted)
}

// BenchmarkScanToTicket measures, as BenchmarkPressToTicket does for a
// button, from the first byte of a booking's code written by the kiosk's
// USB serial scanner emulator to the durable ticket.issued event of its
// check-in, and to the whole job at the printer emulator.
func BenchmarkScanToTicket(b *testing.B) {
	r := startRig(b, "1ms")
	r.changes.wait(b, "the kiosk scanner to open", func() bool {
		st, _ := kiosk.View(r.d.Room, (*queue.Engine).State)
		for _, d := range st.Devices {
			if d.Name == "scanner kiosk" {
				return d.Status == queue.DeviceOK
			}
		}
		return false
	})
	today := time.Now().In(r.u.cfg.Location).Format(time.DateOnly)
	for i := range b.N {
		_, err := r.d.Room.Do(func(e *queue.Engine) ([]queue.Event, error) {
			evs, _, _, err := e.Book(queue.Appointment{Code: fmt.Sprintf("HN-%04d", i), Service: "dat-dai", Date: today, From: "00:00", To: "23:59"})
			return evs, err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	issued := make(chan time.Time, 1)
	r.d.Subscribe(func(recs []eventlog.Record) {
		for _, rec := range recs {
			if rec.Event != nil && rec.Event.Name == queue.TicketIssued {
				issued <- time.Now()
			}
		}
	})
	ctx := context.Background()
	var toEvent, toPrinted []time.Duration
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		if _, err := r.scanner.Write([]byte(fmt.Sprintf("HN-%04d\r", i))); err != nil {
			b.Fatal(err)
		}
		select {
		case at := <-issued:
			toEvent = append(toEvent, at.Sub(start))
		case <-time.After(30 * time.Second):
			b.Fatalf("scan %d checked nothing in", i)
		}
		if err := r.printer.Wait(ctx, func(s printertest.Snapshot) bool { return s.Jobs == i+1 }); err != nil {
			b.Fatal(err)
		}
		toPrinted = append(toPrinted, time.Since(start))
	}
	b.StopTimer()
	reportLatency(b, "event", toEvent)
	reportLatency(b, "printed", toPrinted)
}

func reportLatency(b *testing.B, what string, ds []time.Duration) {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(ds[len(ds)/2]), what+"-p50-ms")
	b.ReportMetric(ms(ds[(len(ds)-1)*99/100]), what+"-p99-ms")
}

// unplug pulls the printer out: the stable name goes first, as udev removes
// it, so that the daemon never reopens the old tty path, which the kernel
// hands to the next pseudo-terminal opened on this machine (another test's).
func (r *rigRoom) unplug(t *testing.T) {
	t.Helper()
	if err := os.Remove(r.link); err != nil {
		t.Fatal(err)
	}
	if err := r.pty.Unplug(); err != nil {
		t.Fatal(err)
	}
}

// replug plugs the printer back in under a new tty name, as USB does, and
// points the stable name at it, as the udev rule does.
func (r *rigRoom) replug(t *testing.T) {
	t.Helper()
	if err := r.pty.Replug(); err != nil {
		t.Fatal(err)
	}
	tmp := r.link + ".new"
	if err := os.Symlink(r.pty.Path(), tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, r.link); err != nil {
		t.Fatal(err)
	}
}

// issueHTTP issues a ticket over the API as the kiosk does.
func (r *rigRoom) issueHTTP(t testing.TB) (number string, printed bool, printErr string) {
	t.Helper()
	req, _ := http.NewRequest("POST", "http://"+r.d.Addr()+"/api/v1/tickets", strings.NewReader(`{"service":"dat-dai"}`))
	req.Header.Set("Authorization", "Bearer rig-test-admin-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Number     string `json:"number"`
		Printed    bool   `json:"printed"`
		PrintError string `json:"print_error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 201 {
		t.Fatalf("issue: %d %v", resp.StatusCode, err)
	}
	return out.Number, out.Printed, out.PrintError
}

func (r *rigRoom) printerStatus(t testing.TB) string {
	st, err := kiosk.View(r.d.Room, (*queue.Engine).State)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range st.Devices {
		if d.Name == "printer" {
			return d.Status
		}
	}
	return ""
}

// TestPrinterFaults runs the daemon against the printer emulator: out of
// paper, cover open, unplugged and back. Tickets are issued all along and
// none is lost; the kiosk is told when one did not print; the printer's
// status follows; printing resumes by itself.
func TestPrinterFaults(t *testing.T) {
	r := startRig(t, "2s")
	r.changes.wait(t, "the printer to be ok", func() bool { return r.printerStatus(t) == queue.DeviceOK })
	steps := []struct {
		name        string
		fault       func()
		wantPrinted bool
		wantStatus  string
	}{
		{"ready", func() {}, true, queue.DeviceOK},
		{"paper out", func() { r.printer.SetPaper(printertest.PaperOut) }, false, queue.DeviceError},
		{"paper back", func() { r.printer.SetPaper(printertest.PaperOK) }, true, queue.DeviceOK},
		{"cover open", func() { r.printer.SetCover(true) }, false, queue.DeviceError},
		{"cover closed", func() { r.printer.SetCover(false) }, true, queue.DeviceOK},
		{"unplugged", func() { r.unplug(t) }, false, queue.DeviceError},
		{"plugged back", func() { r.replug(t) }, true, queue.DeviceOK},
	}
	var numbers []string
	printedJobs := 0
	for _, st := range steps {
		st.fault()
		r.changes.wait(t, st.name+": printer status "+st.wantStatus, func() bool { return r.printerStatus(t) == st.wantStatus })
		number, printed, perr := r.issueHTTP(t)
		numbers = append(numbers, number)
		if printed != st.wantPrinted {
			t.Errorf("%s: printed %v (%q), want %v", st.name, printed, perr, st.wantPrinted)
		}
		if !printed && perr == "" {
			t.Errorf("%s: not printed but no print_error for the kiosk", st.name)
		}
		if printed {
			printedJobs++
		}
	}
	// Every ticket is in the queue, numbered in order: none lost.
	st, _ := kiosk.View(r.d.Room, (*queue.Engine).State)
	var waiting []string
	for _, tk := range st.Services[0].Waiting {
		waiting = append(waiting, tk.Number)
	}
	if strings.Join(waiting, " ") != strings.Join(numbers, " ") || len(numbers) != len(steps) {
		t.Errorf("waiting: got %v, want %v", waiting, numbers)
	}
	if got := len(r.printer.Jobs()); got != printedJobs {
		t.Errorf("printer emulator has %d jobs, want %d", got, printedJobs)
	}
	// The unprinted ones are listed for a reprint, and device.status events
	// were logged for each change.
	var statuses int
	r.d.Log.Since(context.Background(), 0, 0, func(rec eventlog.Record) error {
		if bytes.Contains(rec.Data, []byte(`"event":"device.status"`)) && bytes.Contains(rec.Data, []byte(`"name":"printer"`)) {
			statuses++
		}
		return nil
	})
	if statuses < 6 {
		t.Errorf("printer device.status events: got %d, want at least 6", statuses)
	}
}

// BenchmarkIssueToPrinter measures our overhead from POST /tickets to the
// whole job at the printer emulator over a pseudo-terminal (no baud rate:
// all of it is overhead), to compare with the ticket's wire time.
func BenchmarkIssueToPrinter(b *testing.B) {
	r := startRig(b, "2s", "raster")
	ctx := context.Background()
	var ds []time.Duration
	for i := range b.N {
		start := time.Now()
		r.issueHTTP(b)
		if err := r.printer.Wait(ctx, func(s printertest.Snapshot) bool { return s.Jobs == i+1 }); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(start))
	}
	b.StopTimer()
	bytesPerJob := len(r.printer.Jobs()[0])
	wire := time.Duration(float64(bytesPerJob*10) / 115200 * float64(time.Second))
	reportLatency(b, "overhead", ds)
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	b.ReportMetric(float64(bytesPerJob), "bytes/ticket")
	b.ReportMetric(100*float64(ds[len(ds)/2])/float64(wire), "%-of-115200-wire-p50")
}
