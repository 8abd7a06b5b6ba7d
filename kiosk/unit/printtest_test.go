package unit

import (
	"strings"
	"testing"
	"time"

	"motcua/devices/escpos"
	"motcua/devices/printer"
)

func TestPrintTestSetAddress(t *testing.T) {
	tests := []struct {
		addr, endpoint, simDir string
		ok                     bool
	}{
		{"serial:/dev/ttyUSB0", "serial:/dev/ttyUSB0", "", true},
		{"/dev/ttyUSB0", "serial:/dev/ttyUSB0", "", true},
		{"tcp:192.168.1.50:9100", "tcp:192.168.1.50:9100", "", true},
		{"sim", "sim", "", true},
		{"sim:/tmp/phieu", "sim", "/tmp/phieu", true},
		{"fax:0123", "", "", false},
	}
	for _, tt := range tests {
		p := PrintTest{SimDir: "left over"}
		err := p.SetAddress(tt.addr)
		if (err == nil) != tt.ok {
			t.Errorf("%s: got error %v, want ok %v", tt.addr, err, tt.ok)
			continue
		}
		if tt.ok && (p.Endpoint.String() != tt.endpoint || p.SimDir != tt.simDir) {
			t.Errorf("%s: got %s in %q, want %s in %q", tt.addr, p.Endpoint, p.SimDir, tt.endpoint, tt.simDir)
		}
	}
}

func TestPrintTestWriteResult(t *testing.T) {
	p := PrintTest{Layout: escpos.Layout{Paper: escpos.Paper58, Mode: escpos.TCVN3}}
	res := PrintTestResult{Bytes: 1152, Encode: 1500 * time.Microsecond, Print: 250 * time.Millisecond,
		SimFile: "/tmp/phieu/job-0001.png", Status: printer.Status{Level: printer.LevelOK}}
	var b strings.Builder
	if err := p.WriteResult(&b, res); err != nil {
		t.Fatal(err)
	}
	want := `printed: 1152 bytes (tcvn3, 58 mm) in 0.25 s; encoding took 1.5 ms
  wire time at   9600 baud (8N1): 1.20 s
  wire time at  19200 baud (8N1): 0.60 s
  wire time at 115200 baud (8N1): 0.10 s
simulated ticket: /tmp/phieu/job-0001.png
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}

	res.SimFile, res.SimulatedNoDir = "", true
	res.Status = printer.Status{Level: printer.LevelError, DetailEN: "out of paper", Detail: "hết giấy"}
	b.Reset()
	err := p.WriteResult(&b, res)
	if err == nil || err.Error() != "printer: error: out of paper (hết giấy)" {
		t.Errorf("error: got %v, want the printer's status", err)
	}
	if !strings.HasSuffix(b.String(), "simulated ticket: no picture kept; give -printer sim:DIR to keep one\n") {
		t.Errorf("no picture: got\n%s", b.String())
	}
}
