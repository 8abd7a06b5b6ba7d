package unit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"motcua/clock"
	"motcua/devices/scanner/scannertest"
	"motcua/kiosk"
	"motcua/kiosk/config"
	"motcua/kiosk/queue"
	"motcua/kiosk/scan"
)

// scanned is one call of a [ScanHandler].
type scanned struct {
	place scan.Place
	text  string
}

type scanRecorder chan scanned

func (c scanRecorder) Scan(_ context.Context, place scan.Place, text string) {
	c <- scanned{place, text}
}

// scanRig is a unit with a simulated scanner at the kiosk and a USB serial
// scanner (the emulator on a pseudo-terminal, reached through a stable
// name as udev makes one) at counter 1.
type scanRig struct {
	u     *Unit
	emu   *scannertest.PTY
	link  string
	scans scanRecorder
	// changes are poked at each commit: a scanner's new status.
	changes *changes
}

func startScanRig(t testing.TB) *scanRig {
	t.Helper()
	emu, err := scannertest.StartPTY(7)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// config wants a path under /dev; the link stands in for
	// /dev/serial/by-id/..., which the test cannot create.
	link := filepath.Join(dir, "scanner")
	if err := os.Symlink(emu.Path(), link); err != nil {
		t.Fatal(err)
	}
	toml := fmt.Sprintf(`[unit]
id = "scan-test"
name = "UBND xã Thử"
[server]
data_dir = %q
[[service]]
id = "dat-dai"
name = "Đất đai"
[[counter]]
id = 1
services = ["dat-dai"]
[[scanner]]
address = "sim"
place = "kiosk"
[[scanner]]
address = "serial:/dev/motcua-scanner-test"
counter = 1
`, filepath.Join(dir, "data"))
	cfg, err := config.Parse("scan.toml", []byte(toml))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Scanners[1].Endpoint.Path = link
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rec := make(scanRecorder, 16)
	ctx, cancel := context.WithCancel(context.Background())
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	u, err := New(ctx, cfg, Options{Clock: clock.Trusted{}, Listener: ln, Logger: log, Scans: rec})
	if err != nil {
		t.Fatal(err)
	}
	r := &scanRig{u: u, emu: emu, link: link, scans: rec, changes: watch(u)}
	done := make(chan error, 1)
	go func() { done <- u.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("stop: %v", err)
		}
		emu.Close()
	})
	r.changes.wait(t, "the scanners to open", func() bool {
		return r.device(scan.Kiosk) == queue.DeviceOK && r.device(scan.Place{Counter: 1}) == queue.DeviceOK
	})
	return r
}

// device returns the status the state shows for the scanner at place.
func (r *scanRig) device(place scan.Place) string {
	st, _ := kiosk.View(r.u.Room(), (*queue.Engine).State)
	for _, d := range st.Devices {
		if d.Name == "scanner "+place.String() {
			return d.Status
		}
	}
	return ""
}

func (r *scanRig) next(t testing.TB) scanned {
	t.Helper()
	select {
	case s := <-r.scans:
		return s
	case <-time.After(30 * time.Second):
		t.Fatal("no scan reached the handler")
	}
	return scanned{}
}

func TestScannersReachHandler(t *testing.T) {
	r := startScanRig(t)
	// An invented citizen's card (see kiosk/scan).
	const card = "038152999901|123999001|Trần Thị Mẫu|14071952|Nữ|Thôn Thử Nghiệm|01032021"
	if err := r.emu.Scan(card, "\r\n"); err != nil {
		t.Fatal(err)
	}
	if got, want := r.next(t), (scanned{scan.Place{Counter: 1}, card}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if err := r.u.SimScan(scan.Kiosk, "HN-0042"); err != nil {
		t.Fatal(err)
	}
	if got, want := r.next(t), (scanned{scan.Kiosk, "HN-0042"}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if err := r.u.SimScan(scan.Place{Counter: 1}, "HN-0042"); !errors.Is(err, ErrNoSimScanner) {
		t.Errorf("sim scan at a real scanner's place: got %v, want ErrNoSimScanner", err)
	}

	// Unplugged, the scanner shows as a device in error; plugged back in
	// (a new tty behind the same stable name), it reads again.
	os.Remove(r.link)
	r.emu.Unplug()
	r.changes.wait(t, "the scanner to show unplugged", func() bool { return r.device(scan.Place{Counter: 1}) == queue.DeviceError })
	if err := r.emu.Replug(); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(r.emu.Path(), r.link); err != nil {
		t.Fatal(err)
	}
	r.changes.wait(t, "the scanner to come back", func() bool { return r.device(scan.Place{Counter: 1}) == queue.DeviceOK })
	if err := r.emu.Scan("000.00.12.H56-261203-0001", "\r"); err != nil {
		t.Fatal(err)
	}
	if got := r.next(t); got.text != "000.00.12.H56-261203-0001" || got.place.Counter != 1 {
		t.Errorf("after replug: got %+v", got)
	}
}

// BenchmarkScanToHandler measures from the first byte of a scan written
// by the USB serial scanner emulator to the unit's ScanHandler call.
func BenchmarkScanToHandler(b *testing.B) {
	r := startScanRig(b)
	var took []time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := r.emu.Write([]byte("HN-0042\r")); err != nil {
			b.Fatal(err)
		}
		r.next(b)
		took = append(took, time.Since(start))
	}
	b.StopTimer()
	reportLatency(b, "handler", took)
}
