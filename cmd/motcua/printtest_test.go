package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"motcua/devices/printer/printertest"
)

// TestPrintTest runs print-test against the printer emulator on a
// pseudo-terminal: a printer with paper, one without, and none at all.
func TestPrintTest(t *testing.T) {
	tests := []struct {
		name     string
		paper    printertest.Paper
		absent   bool
		wantCode int
		wantOut  string
	}{
		{"ok", printertest.PaperOK, false, 0, "printed: "},
		{"no paper", printertest.PaperOut, false, 1, "hết giấy"},
		{"absent", printertest.PaperOK, true, 1, "printer: error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := printertest.New()
			e.SetPaper(tt.paper)
			p, err := printertest.StartPTY(e)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			path := p.Path()
			if tt.absent {
				if err := p.Unplug(); err != nil {
					t.Fatal(err)
				}
				// The kernel gives a closed pty's path to the next one
				// opened, perhaps another test's: use one that cannot exist.
				path = filepath.Join(t.TempDir(), "ttyUSB9")
			}
			var out, errOut bytes.Buffer
			code := Main(context.Background(), []string{"print-test", "-printer", "serial:" + path, "-timeout", "3s", "-mode", "tcvn3"}, &out, &errOut)
			if code != tt.wantCode || !strings.Contains(out.String()+errOut.String(), tt.wantOut) {
				t.Fatalf("got exit %d, output:\n%s%s\nwant exit %d and %q", code, out.String(), errOut.String(), tt.wantCode, tt.wantOut)
			}
			jobs := e.Jobs()
			if tt.wantCode == 0 && (len(jobs) != 1 || !bytes.Contains(jobs[0], []byte("A023"))) {
				t.Errorf("emulator got %d jobs, want the sample ticket", len(jobs))
			}
			if tt.wantCode != 0 && len(jobs) != 0 {
				t.Errorf("emulator got %d jobs, want none", len(jobs))
			}
		})
	}
}
