package unit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"motcua/kiosk/catalogue"
	"motcua/kiosk/config"
)

// TestWarnings warns of a guessable secret and of a catalogue procedure
// whose service the configuration no longer has.
func TestWarnings(t *testing.T) {
	dir := t.TempDir()
	cfg := simConfig(t, dir, false)
	// The test's admin secret is a word, not 128 random bits.
	if ws, err := Warnings(cfg); err != nil || len(ws) != 1 || !strings.Contains(ws[0], "secret (admin)") {
		t.Fatalf("no catalogue: got %q %v, want the admin's secret alone", ws, err)
	}
	data := cfg.Server.DataDir
	if err := os.MkdirAll(data, 0o700); err != nil {
		t.Fatal(err)
	}
	proc := `{"code":"1.001193","name":"Đăng ký khai sinh","field":"Hộ tịch","service":"%s","papers":[]}`
	file := `{"version":"v1","procedures":[` + strings.ReplaceAll(proc, "%s", "dat-dai") + `,` + strings.ReplaceAll(strings.ReplaceAll(proc, "%s", "ho-tich"), "1.001193", "1.000894") + `]}`
	path := filepath.Join(t.TempDir(), "c.json")
	os.WriteFile(path, []byte(file), 0o600)
	if _, err := catalogue.ImportFile(data, []string{"dat-dai", "ho-tich"}, path); err != nil {
		t.Fatal(err)
	}
	toml := simTOML(dir) + "[[token]]\nrole = \"kiosk\"\nsecret = \"kiosk-password-1\"\n"
	cfg, err := config.Parse(filepath.Join(dir, "unit.toml"), []byte(toml))
	if err != nil {
		t.Fatal(err)
	}
	ws, err := Warnings(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 3 || !strings.Contains(ws[1], "secret (kiosk)") ||
		!strings.HasPrefix(ws[2], "warning: "+filepath.Join(data, catalogue.FileName)+": procedures[1] (1.000894)") {
		t.Errorf("got %q, want two weak secrets and procedure 1.000894", ws)
	}
}

// TestWriteCheck says what a valid configuration holds, then warns.
func TestWriteCheck(t *testing.T) {
	cfg := simConfig(t, t.TempDir(), false)
	var b strings.Builder
	if err := WriteCheck(&b, "/etc/motcua/motcua.toml", cfg); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 2 || lines[0] != "/etc/motcua/motcua.toml: ok (1 services, 1 counters, 1 tokens)" || !strings.Contains(lines[1], "secret (admin)") {
		t.Errorf("got %q, want the ok line and the admin secret's warning", lines)
	}
}
