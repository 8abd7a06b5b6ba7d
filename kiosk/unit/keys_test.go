package unit

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"motcua/kiosk/config"
)

// guideButton is a fake GPIO pin registered as GPIO5 for the whole test
// binary, wired as the kiosk's "hướng dẫn bằng giọng nói" button.
var guideButton = func() *gpiotest.Pin {
	p := &gpiotest.Pin{N: "GPIO5", Num: 5, L: gpio.High, EdgesChan: make(chan gpio.Level)}
	if err := gpioreg.Register(p); err != nil {
		panic(err)
	}
	return p
}()

// A keypad button wired to the daemon reaches the open kiosk pages as its
// key: the guide button starts the spoken guidance there.
func TestGuideButtonReachesKioskPages(t *testing.T) {
	dir := t.TempDir()
	cfg, err := config.Parse("unit.toml", []byte(simTOML(dir)+"[[button]]\npin = \"GPIO5\"\nrole = \"guide\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	u, run := newSimUnit(t, cfg)
	run()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+u.Addr()+"/kiosk/keys", nil)
	req.Header.Set("Authorization", "Bearer "+simAdmin)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /kiosk/keys: %s", res.Status)
	}
	lines := bufio.NewScanner(res.Body)
	// The stream's first line says it is open: keys pressed from now on
	// reach it.
	if !lines.Scan() || !strings.HasPrefix(lines.Text(), "retry:") {
		t.Fatalf("the key stream did not open: %q %v", lines.Text(), lines.Err())
	}
	// The key is held down until it reaches the pages, past the debounce.
	guideButton.EdgesChan <- gpio.Low
	defer func() { guideButton.EdgesChan <- gpio.High }()
	for lines.Scan() {
		if l := lines.Text(); l != "" {
			if l != "data: guide" {
				t.Fatalf("the kiosk pages got %q, want data: guide", l)
			}
			return
		}
	}
	t.Fatalf("no key reached the kiosk pages: %v", lines.Err())
}
