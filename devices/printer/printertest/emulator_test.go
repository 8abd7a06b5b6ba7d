package printertest

import (
	"bytes"
	"context"
	"net"
	"testing"
	"time"
)

func TestEmulatorReplies(t *testing.T) {
	tests := []struct {
		name string
		set  func(e *Emulator)
		want []byte // replies to DLE EOT 1, 2, 3, 4
	}{
		{"ready", func(*Emulator) {}, []byte{0x12, 0x12, 0x12, 0x12}},
		{"paper low", func(e *Emulator) { e.SetPaper(PaperLow) }, []byte{0x12, 0x12, 0x12, 0x1e}},
		{"paper out", func(e *Emulator) { e.SetPaper(PaperOut) }, []byte{0x1a, 0x32, 0x12, 0x7e}},
		{"cover open", func(e *Emulator) { e.SetCover(true) }, []byte{0x1a, 0x16, 0x12, 0x12}},
		{"offline", func(e *Emulator) { e.SetOffline(true) }, []byte{0x1a, 0x12, 0x12, 0x12}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New()
			tt.set(e)
			host, dev := net.Pipe()
			done := make(chan error, 1)
			go func() { done <- e.Serve(dev) }()
			if _, err := host.Write([]byte{0x10, 4, 1, 0x10, 4, 2, 0x10, 4, 3, 0x10, 4, 4}); err != nil {
				t.Fatal(err)
			}
			got := make([]byte, 4)
			host.SetReadDeadline(time.Now().Add(10 * time.Second))
			for n := 0; n < 4; {
				k, err := host.Read(got[n:])
				if err != nil {
					t.Fatal(err)
				}
				n += k
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("got % x, want % x", got, tt.want)
			}
			host.Close()
			<-done
			if q := e.Queries(); q != [5]int{0, 1, 1, 1, 1} {
				t.Errorf("queries: got %v", q)
			}
		})
	}
}

func TestEmulatorRecordsJobs(t *testing.T) {
	e := New()
	host, dev := net.Pipe()
	done := make(chan error, 1)
	go func() { done <- e.Serve(dev) }()
	job := []byte{0x1b, '@', 'h', 'i', '\n', 0x1d, 'v', '0', 0, 1, 0, 2, 0, 0x10, 0x04, 0x1d, 'V', 66, 0}
	// In pieces, with a cut command split across writes; the 0x10 0x04
	// inside the image is data, not a status query.
	for _, p := range [][]byte{job[:7], job[7:16], job[16:]} {
		if _, err := host.Write(p); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := e.Wait(ctx, func(s Snapshot) bool { return s.Jobs == 1 }); err != nil {
		t.Fatal(err)
	}
	e.SetPaper(PaperOut)
	if _, err := host.Write(job); err != nil {
		t.Fatal(err)
	}
	if err := e.Wait(ctx, func(s Snapshot) bool { return s.Lost == 1 }); err != nil {
		t.Fatal(err)
	}
	host.Close()
	<-done
	if got := e.Jobs(); len(got) != 1 || !bytes.Equal(got[0], job) {
		t.Errorf("jobs: got %q, want one copy of the job", got)
	}
	if q := e.Queries(); q != [5]int{} {
		t.Errorf("image data taken as queries: %v", q)
	}
	if e.Garbage() != 0 {
		t.Errorf("garbage: got %d, want 0", e.Garbage())
	}
}

// A job printed with escpos.NoCut ends at its ESC d feed.
func TestEmulatorNoCutJob(t *testing.T) {
	e := New()
	host, dev := net.Pipe()
	done := make(chan error, 1)
	go func() { done <- e.Serve(dev) }()
	job := []byte{0x1b, '@', 'h', 'i', '\n', 0x1b, 'd', 4}
	for _, p := range [][]byte{job, job[:6], job[6:]} {
		if _, err := host.Write(p); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := e.Wait(ctx, func(s Snapshot) bool { return s.Jobs == 2 }); err != nil {
		t.Fatal(err)
	}
	host.Close()
	<-done
	if got := e.Jobs(); len(got) != 2 || !bytes.Equal(got[0], job) || !bytes.Equal(got[1], job) {
		t.Errorf("jobs: got %q, want two copies of the job", got)
	}
}

// Held replies go out in order on release, each saying what the state was
// when its query came, followed by replies to later queries.
func TestEmulatorHoldReplies(t *testing.T) {
	e := New()
	host, dev := net.Pipe()
	done := make(chan error, 1)
	go func() { done <- e.Serve(dev) }()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	query := []byte{0x10, 4, 1, 0x10, 4, 2, 0x10, 4, 3, 0x10, 4, 4}
	e.HoldReplies()
	if _, err := host.Write(query); err != nil {
		t.Fatal(err)
	}
	if err := e.Wait(ctx, func(s Snapshot) bool { return s.Queries == 4 }); err != nil {
		t.Fatal(err)
	}
	e.SetPaper(PaperOut)
	if _, err := host.Write(query); err != nil {
		t.Fatal(err)
	}
	if err := e.Wait(ctx, func(s Snapshot) bool { return s.Queries == 8 }); err != nil {
		t.Fatal(err)
	}
	if n := e.Held(); n != 8 {
		t.Fatalf("held: got %d, want 8", n)
	}
	released := make(chan error, 1)
	go func() { released <- e.ReleaseReplies() }()
	got := make([]byte, 12)
	host.SetReadDeadline(time.Now().Add(10 * time.Second))
	for n := 0; n < 8; {
		k, err := host.Read(got[n:8])
		if err != nil {
			t.Fatal(err)
		}
		n += k
	}
	if err := <-released; err != nil {
		t.Fatal(err)
	}
	// Answered at once again.
	wrote := make(chan error, 1)
	go func() {
		_, err := host.Write(query)
		wrote <- err
	}()
	for n := 8; n < 12; {
		k, err := host.Read(got[n:])
		if err != nil {
			t.Fatal(err)
		}
		n += k
	}
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
	want := []byte{0x12, 0x12, 0x12, 0x12, 0x1a, 0x32, 0x12, 0x7e, 0x1a, 0x32, 0x12, 0x7e}
	if !bytes.Equal(got, want) {
		t.Errorf("got % x, want % x", got, want)
	}
	host.Close()
	<-done
	if n := e.Held(); n != 0 {
		t.Errorf("held after release: got %d, want 0", n)
	}
}
