package doctor_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"motcua/devices/scanner/scannertest"
	"motcua/internal/doctor"
	"motcua/kiosk/config"
)

func TestScanner(t *testing.T) {
	emu, err := scannertest.StartPTY(1)
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	file := filepath.Join(t.TempDir(), "plain")
	os.WriteFile(file, nil, 0o600)
	tests := []struct {
		name, scheme, path string
		level              doctor.Level
		says               string
	}{
		{"sim", "sim", "", doctor.LevelOK, "Simulated scanner"},
		{"serial over a pty", "serial", emu.Path(), doctor.LevelOK, "present"},
		{"unplugged", "hidraw", "/dev/hidraw-motcua-test-none", doctor.LevelFail, "plug it in"},
		{"not a device", "evdev", file, doctor.LevelFail, "not a device"},
		// /dev/null is a character device but no hidraw device: whether
		// it is a HID POS scanner cannot be told.
		{"hidraw unknown to sysfs", "hidraw", "/dev/null", doctor.LevelWarn, "HID POS"},
		{"not an input device", "evdev", "/dev/null", doctor.LevelFail, "not an input event device"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := config.Scanner{Endpoint: config.Endpoint{Scheme: tt.scheme, Path: tt.path}, Counter: 2}
			r := doctor.CheckScanner(s, "root", true)
			if r.Level != tt.level || !strings.Contains(r.EN, tt.says) || r.Check != "scanner counter 2" {
				t.Errorf("got %s %v %q, want %v saying %q", r.Check, r.Level, r.EN, tt.level, tt.says)
			}
		})
	}
}
