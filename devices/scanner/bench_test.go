package scanner

import (
	"context"
	"io"
	"slices"
	"testing"
	"time"

	"motcua/devices/scanner/scannertest"
)

// BenchmarkScanOverPTY measures one scan from the emulator's first byte on
// the pseudo-terminal to the text handed to OnScan: an appointment code
// and an ID card's QR (UTF-8, 106 bytes), each with a CR suffix, written
// at once (USB serial delivers a scan in one or two 64-byte packets).
func BenchmarkScanOverPTY(b *testing.B) {
	for _, bc := range []struct{ name, text string }{{"code", "HN-0042"}, {"card", cardQR}} {
		b.Run(bc.name, func(b *testing.B) {
			emu, err := scannertest.StartPTY(3)
			if err != nil {
				b.Fatal(err)
			}
			defer emu.Close()
			scans := make(chan Scan, 1)
			ok := make(chan struct{}, 1)
			d, err := New(Config{Name: "pty", Kind: KindSerial, Timeout: time.Hour,
				Open:     func(context.Context) (io.ReadCloser, error) { return Open(KindSerial, emu.Path(), Options{}) },
				OnScan:   func(s Scan) { scans <- s },
				OnStatus: func(s Status) { ok <- struct{}{} }})
			if err != nil {
				b.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- d.Run(context.Background()) }()
			defer func() { d.Halt(); <-done }()
			<-ok
			var took []time.Duration
			for b.Loop() {
				t0 := time.Now()
				if _, err := emu.Write([]byte(bc.text + "\r")); err != nil {
					b.Fatal(err)
				}
				if s := <-scans; s.Text != bc.text {
					b.Fatalf("got %q", s.Text)
				}
				took = append(took, time.Since(t0))
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
		})
	}
}
