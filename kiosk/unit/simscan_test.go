package unit

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"motcua/kiosk/config"
)

// TestSimScanChecksIn scans a booking's code at the demo's simulated
// kiosk scanner: the booking is checked in through the same path as a
// real scanner's scans.
func TestSimScanChecksIn(t *testing.T) {
	dir := t.TempDir()
	cfg, err := config.Parse("unit.toml", []byte(fmt.Sprintf(`[unit]
id = "unit-test"
name = "UBND xã Thử"
[server]
data_dir = %q
[[service]]
id = "dat-dai"
name = "Đất đai"
prefix = "A"
[[counter]]
id = 1
services = ["dat-dai"]
[[scanner]]
address = "sim"
place = "kiosk"
[[token]]
role = "admin"
secret = %q
`, filepath.Join(dir, "data"), simAdmin)))
	if err != nil {
		t.Fatal(err)
	}
	u, run := newSimUnit(t, cfg)
	changes := watch(u)
	run()
	today := time.Now().In(cfg.Location).Format(time.DateOnly)
	if code, out := post(t, u, "/api/v1/appointments", `{"code":"T-0001","service":"dat-dai","date":"`+today+`","from":"00:00","to":"24:00"}`); code != 201 {
		t.Fatalf("book: %d %v", code, out)
	}
	tests := []struct {
		body   string
		status int
	}{
		{`{"text":"T-0001","scanner":"counter 1"}`, 404},
		{`{"text":"T-0001","scanner":"quầy"}`, 400},
		{`{"text":"","scanner":"kiosk"}`, 400},
		{`{"text":"T-0001","scanner":"kiosk"}`, 202},
	}
	for _, tt := range tests {
		if code, out := post(t, u, "/api/v1/sim/scan", tt.body); code != tt.status {
			t.Errorf("%s: got %d %v, want %d", tt.body, code, out, tt.status)
		}
	}
	changes.wait(t, "the booking to be checked in", func() bool {
		req, _ := http.NewRequest("GET", "http://"+u.Addr()+"/api/v1/appointments/T-0001", nil)
		req.Header.Set("Authorization", "Bearer "+simAdmin)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		defer res.Body.Close()
		var a struct{ Status, Number string }
		json.NewDecoder(res.Body).Decode(&a)
		return a.Status == "checked_in" && a.Number == "A001"
	})
}
