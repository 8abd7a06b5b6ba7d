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
		{"absent", printertest.PaperOK, true, 1, "no such device"},
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
			if strings.Contains(out.String(), ":  ()") {
				t.Errorf("an empty status detail is printed:\n%s", out.String())
			}
		})
	}
}

// print-test on a simulated printer says where the ticket's picture went,
// and numbers on across runs instead of overwriting the first.
func TestPrintTestSim(t *testing.T) {
	dir := t.TempDir()
	for _, want := range []string{"job-0001.png", "job-0002.png"} {
		var out, errOut bytes.Buffer
		if code := Main(context.Background(), []string{"print-test", "-printer", "sim:" + dir, "-timeout", "30s"}, &out, &errOut); code != 0 {
			t.Fatalf("exit %d\n%s%s", code, out.String(), errOut.String())
		}
		if line := "simulated ticket: " + filepath.Join(dir, want); !strings.Contains(out.String(), line) {
			t.Errorf("output lacks %q:\n%s", line, out.String())
		}
		if !strings.Contains(out.String(), "printer: ok\n") {
			t.Errorf("output lacks a plain ok status:\n%s", out.String())
		}
	}
}
