package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"motcua/kiosk/voice"
	"motcua/kiosk/voice/internal/pcm"
)

// needTool skips the test when name is missing, except on CI where a
// missing tool is a failure.
func needTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required on CI: %v", name, err)
		}
		t.Skipf("%s not installed (apt-get install %s); skipping", name, name)
	}
}

func load(t *testing.T, path string) *pcm.Sound {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := pcm.Decode(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return s
}

// TestGenerateMatchesCommittedPack regenerates the pack with the Go
// trimmer and resampler (the path taken without sox) and checks that each
// clip is in the pack format and about as long as the committed one, so
// the committed clips are what the generator makes.
func TestGenerateMatchesCommittedPack(t *testing.T) {
	needTool(t, "espeak-ng")
	out := t.TempDir()
	if err := run(out, 16000, 140, "no"); err != nil {
		t.Fatal(err)
	}
	for _, c := range voice.Clips() {
		got := load(t, filepath.Join(out, c.Name+".wav"))
		want := load(t, filepath.Join("..", "..", "pack", c.Name+".wav"))
		if !got.Is16Mono() || got.Rate != 16000 {
			t.Errorf("%s: got %d-bit %d channels at %d Hz, want 16-bit mono 16 kHz", c.Name, got.Bits, got.Channels, got.Rate)
		}
		g, w := len(got.Data), len(want.Data)
		if g < w*6/10 || g > w*14/10 {
			t.Errorf("%s: generated %d bytes, committed %d; regenerate the pack (see pack/README.md)", c.Name, g, w)
		}
		if c.Say == "" && g != w {
			t.Errorf("chime: generated %d bytes, committed %d", g, w)
		}
	}
}

func TestChime(t *testing.T) {
	x := chime(16000)
	if len(x) != 3*6400 {
		t.Fatalf("got %d samples, want %d", len(x), 3*6400)
	}
	var peak float64
	for _, v := range x {
		peak = max(peak, v, -v)
	}
	if peak < 0.49 || peak > 0.51 {
		t.Errorf("peak %v, want 0.5 (-6 dBFS)", peak)
	}
	if last := x[len(x)-1]; last != 0 {
		t.Errorf("last sample %v, want 0 after the fade", last)
	}
}

func TestRunRejectsBadFlag(t *testing.T) {
	needTool(t, "espeak-ng")
	if err := run(t.TempDir(), 16000, 140, "maybe"); err == nil {
		t.Error("got nil, want an error for -sox maybe")
	}
}
