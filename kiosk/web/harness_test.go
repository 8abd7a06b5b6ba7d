package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"motcua/clock"
	"motcua/kiosk/config"
	"motcua/kiosk/daemon"
	"motcua/kiosk/queue"
	"motcua/kiosk/voice"
	"motcua/kiosk/web"
)

var screenshotDir = flag.String("screenshots", "", "save the pages' screenshots in this folder (default: a temporary one)")

// Tokens of the test room.
const (
	adminTok   = "admin-secret"
	kioskTok   = "kiosk-secret"
	displayTok = "display-secret"
	counterTok = "counter-secret" // counters 1 to 5
)

// recPrinter is an api.Printer that records the tickets it printed; fail
// makes the next prints fail.
type recPrinter struct {
	mu   sync.Mutex
	jobs []string
	fail error
}

func (p *recPrinter) PrintTicket(_ context.Context, t *queue.Ticket) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail != nil {
		return p.fail
	}
	p.jobs = append(p.jobs, t.Number)
	return nil
}

func (p *recPrinter) Jobs() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.jobs...)
}

func (p *recPrinter) Fail(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fail = err
}

// recVoice records the calls the board asks the voice for, and passes
// them to the real voice.
type recVoice struct {
	next  http.Handler
	mu    sync.Mutex
	calls []string
	got   chan string
}

func newRecVoice(next http.Handler) *recVoice {
	return &recVoice{next: next, got: make(chan string, 1000)}
}

func (v *recVoice) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := r.URL.Query().Get("number") + "@" + r.URL.Query().Get("counter")
	v.mu.Lock()
	v.calls = append(v.calls, c)
	v.mu.Unlock()
	select {
	case v.got <- c:
	default:
	}
	v.next.ServeHTTP(w, r)
}

func (v *recVoice) Calls() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]string(nil), v.calls...)
}

// room is a daemon with the pages on a loopback port.
type room struct {
	d       *daemon.Daemon
	url     string // http://127.0.0.1:PORT
	printer *recPrinter
	voice   *recVoice
	pages   *web.Handler
}

func newRoom(t testing.TB) *room {
	t.Helper()
	return newRoomOpts(t, roomOpts{})
}

// roomOpts change the test room: a clock (default a trusted one) and an
// edit of the demo configuration.
type roomOpts struct {
	clock clock.Dated
	edit  func(*config.Config)
}

// untrusted is a clock that is right but not known to be (no NTP).
type untrusted struct{ clock.Real }

func (untrusted) Synced() bool { return false }

func newRoomOpts(t testing.TB, o roomOpts) *room {
	t.Helper()
	if o.clock == nil {
		o.clock = clock.Trusted{}
	}
	cfg := config.Demo()
	cfg.Server.DataDir = t.TempDir()
	for _, tok := range []config.Token{
		{Role: config.RoleAdmin, Secret: adminTok},
		{Role: config.RoleKiosk, Secret: kioskTok},
		{Role: config.RoleDisplay, Secret: displayTok},
		{Role: config.RoleCounter, Secret: counterTok, Counters: []int{1, 2, 3, 4, 5}},
	} {
		if err := cfg.AddToken(tok); err != nil {
			t.Fatal(err)
		}
	}
	if o.edit != nil {
		o.edit(cfg)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	v, err := voice.New(voice.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := &room{printer: &recPrinter{}, voice: newRecVoice(v.Handler())}
	pages := web.New(web.Options{Voice: r.voice, Guide: v.GuideHandler()})
	r.pages = pages
	ctx, cancel := context.WithCancel(context.Background())
	d, err := daemon.New(ctx, daemon.Options{Config: cfg, Clock: o.clock, Listener: ln, Printer: r.printer, Pages: pages})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	pages.Attach(d.Room)
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("daemon: %v", err)
		}
	})
	r.d = d
	r.url = "http://" + d.Addr()
	return r
}

// call sends an API request with a token and decodes the answer into out
// (if not nil). It returns the status.
func (r *room) call(t testing.TB, method, path, token string, body, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, r.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
	return resp.StatusCode
}

func (r *room) must(t testing.TB, want int, method, path string, body any) map[string]any {
	t.Helper()
	var out map[string]any
	if got := r.call(t, method, path, adminTok, body, &out); got != want {
		t.Fatalf("%s %s: got %d, want %d (%v)", method, path, got, want, out)
	}
	return out
}

// browser is a headless Chromium shared by the tests of the package; nil
// when there is none (see TestMain).
var (
	browserCtx context.Context
	browserErr error
)

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	path, err := chromium()
	if err != nil {
		browserErr = err
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "motcua-web-chromium-")
	if err != nil {
		browserErr = err
		return m.Run()
	}
	defer os.RemoveAll(dir)
	actx, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(dir),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("lang", "vi-VN"),
	)
	defer cancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()
	// Start the browser now, so that a broken one fails once, clearly.
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		browserErr = fmt.Errorf("starting %s: %w", path, err)
		return m.Run()
	}
	browserCtx = bctx
	return m.Run()
}

func chromium() (string, error) {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no chromium in PATH (apt-get install chromium)")
}

// tab opens a tab in a fresh browser context (its own cookies) with the
// given viewport. Without a browser the test fails when CI=true, else it
// is skipped.
func tab(t testing.TB, width, height int64) context.Context {
	t.Helper()
	if browserCtx == nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("headless Chromium is needed: %v", browserErr)
		}
		t.Skipf("skipping browser test: %v", browserErr)
	}
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext(), chromedp.WithListener(func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			t.Logf("page exception: %s", ev.ExceptionDetails.Text+" "+describe(ev.ExceptionDetails.Exception))
		case *runtime.EventConsoleAPICalled:
			t.Logf("page console.%s", ev.Type)
		}
	}))
	t.Cleanup(cancel)
	ctx, cancel2 := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancel2)
	opts := []chromedp.EmulateViewportOption{}
	if height > width {
		opts = append(opts, chromedp.EmulatePortrait)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height, opts...)); err != nil {
		t.Fatal(err)
	}
	return ctx
}

func open(t testing.TB, ctx context.Context, url string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
}

// waitJS waits until the JavaScript expression is truthy.
func waitJS(t testing.TB, ctx context.Context, expr string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[any](expr, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("waiting for %s: %v", expr, err)
	}
}

func evalJS[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("eval %s: %v", expr, err)
	}
	return v
}

func click(t testing.TB, ctx context.Context, sel string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		t.Fatalf("click %s: %v", sel, err)
	}
}

// screenshot saves the viewport as name.png in the screenshot folder.
func screenshot(t testing.TB, ctx context.Context, name string) string {
	t.Helper()
	dir := *screenshotDir
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "motcua-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s", p)
	return p
}

// proxy passes TCP connections to a target until cut.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	down   bool
	wg     sync.WaitGroup
}

func newProxy(t testing.TB, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(func() {
		ln.Close()
		p.cut()
		p.wg.Wait()
	})
	return p
}

func (p *proxy) Addr() string { return p.ln.Addr().String() }

func (p *proxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.down {
			p.mu.Unlock()
			c.Close()
			continue
		}
		u, err := net.Dial("tcp", p.target)
		if err != nil {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.conns = append(p.conns, c, u)
		p.wg.Add(2)
		p.mu.Unlock()
		go p.pipe(c, u)
		go p.pipe(u, c)
	}
}

func (p *proxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	io.Copy(dst, src) //nolint:errcheck // ends when either side closes
	dst.Close()
	src.Close()
}

// cut closes every connection and refuses new ones until restore.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *proxy) restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = false
}

// q quotes a string for JavaScript.
func q(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

var _ = strings.Contains

func sendKeys(ctx context.Context, sel, text string) error {
	return chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(sel), text))
}

// pressKey types a key into the page with the focus on its body.
func pressKey(t testing.TB, ctx context.Context, key string) {
	t.Helper()
	// The page may show a command's effect (from the websocket) before
	// its own answer arrives; until then it ignores keys, as a double
	// press must not call two tickets. An officer would press again; the
	// test waits.
	waitJS(t, ctx, `!(window.motcuaCounter && window.motcuaCounter.busy)`)
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur()`), chromedp.KeyEvent(key)); err != nil {
		t.Fatalf("key %s: %v", key, err)
	}
}

func describe(o *runtime.RemoteObject) string {
	if o == nil {
		return ""
	}
	return o.Description
}
