package scanner

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"motcua/devices/scanner/scannertest"
)

// Invented citizen (see kiosk/scan): the number passes its checks, nobody
// has it.
const cardQR = "038152999901|123999001|Trần Thị Mẫu|14071952|Nữ|Thôn Thử Nghiệm, Xã Mẫu, Tỉnh Giả Định|01032021"

// limit catches hangs only.
const limit = 30 * time.Second

// harness runs a Dev and collects its scans and statuses.
type harness struct {
	dev      *Dev
	scans    chan Scan
	statuses chan Status
	done     chan error
	cancel   context.CancelFunc
}

func start(t *testing.T, c Config) *harness {
	t.Helper()
	h := &harness{scans: make(chan Scan, 64), statuses: make(chan Status, 64), done: make(chan error, 1)}
	c.OnScan = func(s Scan) { h.scans <- s }
	c.OnStatus = func(s Status) { h.statuses <- s }
	if c.Backoff == nil {
		c.Backoff = func(int) time.Duration { return time.Millisecond }
	}
	d, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	h.dev = d
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- d.Run(ctx) }()
	t.Cleanup(func() {
		d.Halt()
		cancel()
		select {
		case <-h.done:
		case <-time.After(limit):
			t.Error("Run did not return")
		}
	})
	return h
}

func (h *harness) scan(t *testing.T) Scan {
	t.Helper()
	select {
	case s := <-h.scans:
		return s
	case <-time.After(limit):
		t.Fatal("no scan")
	}
	return Scan{}
}

func (h *harness) waitStatus(t *testing.T, code string) Status {
	t.Helper()
	deadline := time.After(limit)
	for {
		select {
		case s := <-h.statuses:
			if s.Code == code {
				return s
			}
		case <-deadline:
			t.Fatalf("no status %s", code)
		}
	}
}

func TestSerialOverPTY(t *testing.T) {
	emu, err := scannertest.StartPTY(1)
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	h := start(t, Config{Name: "pty", Kind: KindSerial, Open: func(context.Context) (io.ReadCloser, error) {
		return Open(KindSerial, emu.Path(), Options{Baud: 115200})
	}, Timeout: time.Hour})
	h.waitStatus(t, CodeOK)
	sent := []struct{ text, suffix string }{
		{"HN-0042", "\r"},
		{cardQR, "\r\n"},
		{"000.00.12.H56-261203-0001", "\n"},
		{"https://dichvucong.example.gov.vn/hs?ma=000.00.12.H56-261203-0001", "\r"},
	}
	for i := range 20 {
		s := sent[i%len(sent)]
		if err := emu.Scan(s.text, s.suffix); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 20 {
		if got, want := h.scan(t).Text, sent[i%len(sent)].text; got != want {
			t.Fatalf("scan %d: got %q, want %q", i, got, want)
		}
	}
}

func TestSerialReconnects(t *testing.T) {
	emu, err := scannertest.StartPTY(2)
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	h := start(t, Config{Name: "pty", Kind: KindSerial, Open: func(context.Context) (io.ReadCloser, error) {
		p := emu.Path()
		if p == "" {
			return nil, os.ErrNotExist
		}
		return Open(KindSerial, p, Options{})
	}})
	h.waitStatus(t, CodeOK)
	if err := emu.Scan("HN-0001", "\r"); err != nil {
		t.Fatal(err)
	}
	if got := h.scan(t).Text; got != "HN-0001" {
		t.Fatalf("got %q", got)
	}
	emu.Unplug()
	st := h.waitStatus(t, CodeUnplugged)
	if st.Level != LevelError || st.Err == nil || h.dev.Status().Code != CodeUnplugged {
		t.Errorf("got %+v, want an error level with its cause", st)
	}
	if err := emu.Replug(); err != nil {
		t.Fatal(err)
	}
	h.waitStatus(t, CodeOK)
	if err := emu.Scan("HN-0002", "\r"); err != nil {
		t.Fatal(err)
	}
	if got := h.scan(t).Text; got != "HN-0002" {
		t.Fatalf("after replug: got %q", got)
	}
}

// fakeClock hands out timers that the test fires.
type fakeClock struct{ timers chan fakeTimer }

type fakeTimer struct {
	d time.Duration
	c chan time.Time
}

func (f *fakeClock) Now() time.Time { return time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC) }
func (f *fakeClock) After(d time.Duration) <-chan time.Time {
	c := make(chan time.Time, 1)
	f.timers <- fakeTimer{d, c}
	return c
}

func (f *fakeClock) next(t *testing.T) fakeTimer {
	t.Helper()
	select {
	case tm := <-f.timers:
		return tm
	case <-time.After(limit):
		t.Fatal("no timer set")
	}
	return fakeTimer{}
}

func TestTimeoutEndsScan(t *testing.T) {
	clk := &fakeClock{timers: make(chan fakeTimer, 64)}
	r, w := io.Pipe()
	h := start(t, Config{Name: "pipe", Kind: KindSerial, Clock: clk, Timeout: 80 * time.Millisecond,
		Open: func(context.Context) (io.ReadCloser, error) { return r, nil }})
	h.waitStatus(t, CodeOK)
	w.Write([]byte("HN-00"))
	first := clk.next(t)
	w.Write([]byte("42"))
	second := clk.next(t)
	if first.d != 80*time.Millisecond || second.d != 80*time.Millisecond {
		t.Fatalf("timers of %v and %v, want 80ms", first.d, second.d)
	}
	first.c <- time.Time{} // stale: a byte came after it was set
	second.c <- time.Time{}
	if got := h.scan(t).Text; got != "HN-0042" {
		t.Fatalf("got %q, want HN-0042", got)
	}
	// A suffix ends a scan without waiting; no timer is left for it.
	w.Write([]byte("HN-0043\r"))
	if got := h.scan(t).Text; got != "HN-0043" {
		t.Fatalf("got %q", got)
	}
	select {
	case s := <-h.scans:
		t.Fatalf("extra scan %q", s.Text)
	default:
	}
}

func TestFraming(t *testing.T) {
	tests := []struct {
		name   string
		cfg    Config
		reads  []string
		want   []string
		flushW string // what the timeout then ends
	}{
		{"CR LF", Config{}, []string{"A1\r\nB2\r", "\n"}, []string{"A1", "B2"}, ""},
		{"tab suffix", Config{Ends: "\t"}, []string{"A1\r\n\tB", "2\t"}, []string{"A1\r\n", "B2"}, ""},
		{"no suffix", Config{TimeoutOnly: true}, []string{"A1\r\n", "B2"}, nil, "A1\r\nB2"},
		{"too long dropped", Config{MaxLen: 4}, []string{"12345\r6789\r"}, []string{"6789"}, ""},
		{"partial", Config{}, []string{"A1\rB"}, []string{"A1"}, "B"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.cfg
			c.Open, c.OnScan, c.Kind = func(context.Context) (io.ReadCloser, error) { return nil, nil }, func(Scan) {}, KindSerial
			d, err := New(c)
			if err != nil {
				t.Fatal(err)
			}
			f := framer{cfg: &d.cfg}
			var got []string
			for _, r := range tt.reads {
				for _, s := range f.feed([]byte(r)) {
					if len(s) <= d.cfg.MaxLen {
						got = append(got, string(s))
					}
				}
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if rest := f.flush(); string(rest) != tt.flushW {
				t.Errorf("left %q, want %q", rest, tt.flushW)
			}
		})
	}
}

func TestInvalidUTF8(t *testing.T) {
	sim := NewSim()
	h := start(t, Config{Name: "sim", Kind: KindSim, Open: func(context.Context) (io.ReadCloser, error) { return sim, nil }})
	sim.Feed("Tr\xe2n|HN-1")
	if got := h.scan(t).Text; got != "Tr\uFFFDn|HN-1" {
		t.Errorf("got %q", got)
	}
}

func readHex(t *testing.T, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		b, err := hex.DecodeString(strings.TrimSpace(sc.Text()))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func TestHIDPOSPlayback(t *testing.T) {
	pb := scannertest.NewPlayback(readHex(t, "testdata/hidpos.hex"), nil)
	h := start(t, Config{Name: "hidraw", Kind: KindHIDPOS, Timeout: time.Hour,
		Open: func(context.Context) (io.ReadCloser, error) { return pb, nil }})
	want := []Scan{
		{Text: "HN-0042", Symbology: "]Q1"},
		{Text: cardQR, Symbology: "]Q1"},
		{Text: "https://dichvucong.example.gov.vn/hs?ma=000.00.12.H56-261203-0001", Symbology: "]Q1"},
		{Text: "000.00.12.H56-261203-0001", Symbology: "]C0"},
	}
	for i, w := range want {
		got := h.scan(t)
		if got.Text != w.Text || got.Symbology != w.Symbology {
			t.Errorf("scan %d: got %q %q, want %q %q", i, got.Symbology, got.Text, w.Symbology, w.Text)
		}
	}
}

// readEvdev reads testdata/evdev.bin: reads of a 64-bit machine, each
// after its 2-byte length. On a 32-bit machine the events are written
// again in its 16-byte layout.
func readEvdev(t *testing.T) [][]byte {
	t.Helper()
	b, err := os.ReadFile("testdata/evdev.bin")
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for len(b) > 0 {
		n := int(binary.LittleEndian.Uint16(b))
		rec := b[2 : 2+n]
		b = b[2+n:]
		if eventSize != 24 {
			var native []byte
			for ; len(rec) >= 24; rec = rec[24:] {
				ev := make([]byte, eventSize)
				copy(ev[eventSize-8:], rec[16:24])
				native = append(native, ev...)
			}
			rec = native
		}
		out = append(out, rec)
	}
	return out
}

func TestEvdevPlayback(t *testing.T) {
	pb := scannertest.NewPlayback(readEvdev(t), nil)
	h := start(t, Config{Name: "evdev", Kind: KindEvdev, Timeout: time.Hour,
		Open: func(context.Context) (io.ReadCloser, error) { return pb, nil }})
	for _, want := range []string{"HN-0042", "000.00.12.H56-261203-0001", "https://x.example.gov.vn/?code=HN-0042", "11"} {
		if got := h.scan(t).Text; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

func TestEvdevKeys(t *testing.T) {
	d := &evdevDecoder{size: 24}
	ev := func(typ, code uint16, val int32) []byte {
		b := make([]byte, 24)
		binary.NativeEndian.PutUint16(b[16:], typ)
		binary.NativeEndian.PutUint16(b[18:], code)
		binary.NativeEndian.PutUint32(b[20:], uint32(val))
		return b
	}
	var in []byte
	press := func(code uint16) { in = append(append(in, ev(1, code, 1)...), ev(1, code, 0)...) }
	press(keyCapsLock)
	press(35) // H with caps lock
	in = append(in, ev(1, keyLeftShift, 1)...)
	press(49) // n with caps lock and shift
	press(43) // |
	in = append(in, ev(1, keyLeftShift, 0)...)
	press(12) // -
	press(82) // keypad 0
	// An event cut in two reads.
	got, _, _ := d.decode(in[:len(in)-30])
	out := string(got)
	got, _, _ = d.decode(in[len(in)-30:])
	out += string(got)
	if out != "Hn|-0" {
		t.Errorf("got %q, want %q", out, "Hn|-0")
	}
}

func TestUnpluggedPlayback(t *testing.T) {
	opens := 0
	h := start(t, Config{Name: "hidraw", Kind: KindHIDPOS, Open: func(context.Context) (io.ReadCloser, error) {
		opens++
		if opens == 2 {
			return nil, os.ErrNotExist
		}
		recs := readHex(t, "testdata/hidpos.hex")[:1]
		if opens == 1 {
			return scannertest.NewPlayback(recs, errors.New("read /dev/hidraw0: no such device")), nil
		}
		return scannertest.NewPlayback(recs, nil), nil
	}})
	h.scan(t)
	h.waitStatus(t, CodeUnplugged)
	h.waitStatus(t, CodeOK)
	if got := h.scan(t).Text; got != "HN-0042" {
		t.Errorf("after reconnecting: got %q", got)
	}
}

func TestHaltEndsRun(t *testing.T) {
	pb := scannertest.NewPlayback(nil, nil)
	h := start(t, Config{Name: "idle", Kind: KindHIDPOS, Open: func(context.Context) (io.ReadCloser, error) { return pb, nil }})
	h.waitStatus(t, CodeOK)
	if err := h.dev.Halt(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-h.done:
		if err != nil {
			t.Errorf("Run after Halt: %v, want nil", err)
		}
		h.done <- nil
	case <-time.After(limit):
		t.Fatal("Run did not return after Halt")
	}
	if h.dev.String() != "scanner idle" {
		t.Errorf("String() = %q", h.dev.String())
	}
}

func TestScanStringHidesText(t *testing.T) {
	if s := (Scan{Text: cardQR}).String(); strings.Contains(s, "038152999901") {
		t.Errorf("Scan prints its text: %s", s)
	}
}

func TestOpenErrors(t *testing.T) {
	_, err := Open(KindHIDPOS, "/dev/hidraw-motcua-none", Options{})
	if err == nil || !strings.Contains(err.Error(), "plugged in") {
		t.Errorf("got %v, want a hint to plug the scanner in", err)
	}
	if _, err := Open(KindSim, "", Options{}); err == nil {
		t.Error("Open(sim) must fail: sims come from NewSim")
	}
	if _, err := New(Config{Kind: "usb", Open: func(context.Context) (io.ReadCloser, error) { return nil, nil }, OnScan: func(Scan) {}}); err == nil {
		t.Error("unknown kind accepted")
	}
}
