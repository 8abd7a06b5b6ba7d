package voice

import (
	"bytes"
	"encoding/binary"
	"errors"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"motcua/kiosk/config"
	"motcua/kiosk/voice/internal/pcm"
)

// dataOf returns the data chunk of a WAV file, parsed here rather than
// with package pcm so that the test does not trust the code it checks.
func dataOf(t testing.TB, b []byte) []byte {
	t.Helper()
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		t.Fatalf("not a RIFF/WAVE file")
	}
	for p := 12; p+8 <= len(b); {
		size := int(binary.LittleEndian.Uint32(b[p+4:]))
		if string(b[p:p+4]) == "data" {
			return b[p+8 : p+8+size]
		}
		p += 8 + size + size%2
	}
	t.Fatal("no data chunk")
	return nil
}

// packClip reads a committed clip of the built-in pack from disk, as
// 16-bit PCM.
func packClip(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("pack", name+".wav"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := pcm.Decode(b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return s.Data
}

func TestCallWAV(t *testing.T) {
	v, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	wav, err := v.CallWAV("A023", 3)
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	header := []struct {
		name string
		got  any
		want any
	}{
		{"RIFF", string(wav[0:4]), "RIFF"},
		{"RIFF size", le.Uint32(wav[4:]), uint32(len(wav) - 8)},
		{"WAVE", string(wav[8:12]), "WAVE"},
		{"fmt id", string(wav[12:16]), "fmt "},
		{"fmt size", le.Uint32(wav[16:]), uint32(16)},
		{"format", le.Uint16(wav[20:]), uint16(1)},
		{"channels", le.Uint16(wav[22:]), uint16(1)},
		{"rate", le.Uint32(wav[24:]), uint32(16000)},
		{"byte rate", le.Uint32(wav[28:]), uint32(32000)},
		{"block align", le.Uint16(wav[32:]), uint16(2)},
		{"bits", le.Uint16(wav[34:]), uint16(16)},
		{"data id", string(wav[36:40]), "data"},
		{"data size", le.Uint32(wav[40:]), uint32(len(wav) - 44)},
	}
	for _, h := range header {
		if h.got != h.want {
			t.Errorf("%s: got %v, want %v", h.name, h.got, h.want)
		}
	}
	silence := func(d time.Duration) []byte { return make([]byte, 2*16000*d/time.Second) }
	// The call written out by hand: chime, "mời công dân có số", A, comma,
	// "hai mươi ba", "đến quầy số", "ba".
	parts := [][]byte{
		silence(gapLeadIn), packClip(t, "chime"), silence(gapAfterChime),
		packClip(t, "moi-cong-dan-co-so"), silence(gapAfterPhrase),
		packClip(t, "letter-a"), silence(gapComma),
		packClip(t, "hai"), silence(gapWord), packClip(t, "muoi-ngang"), silence(gapWord), packClip(t, "ba"),
		silence(gapBeforeQuay), packClip(t, "den-quay-so"), silence(gapAfterPhrase),
		packClip(t, "ba"), silence(gapTail),
	}
	var clips, silences int
	for i, p := range parts {
		if i%2 == 0 || i == 9 || i == 11 {
			silences += len(p) // the even parts and the gaps between number words
		} else {
			clips += len(p)
		}
	}
	if got, want := len(wav)-44, clips+silences; got != want {
		t.Errorf("data length: got %d, want %d (clips %d + silences %d)", got, want, clips, silences)
	}
	if want := bytes.Join(parts, nil); !bytes.Equal(wav[44:], want) {
		t.Errorf("data differs from the clips and silences in order")
	}
	if d := time.Duration(len(wav)-44) * time.Second / 32000; d < 3*time.Second || d > 8*time.Second {
		t.Errorf("call lasts %v, want a few seconds", d)
	}
}

func TestCallWAVDigitsAndErrors(t *testing.T) {
	v, err := New(Options{Numbers: Digits})
	if err != nil {
		t.Fatal(err)
	}
	words, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := v.CallWAV("A023", 3)
	if err != nil {
		t.Fatal(err)
	}
	w, err := words.CallWAV("A023", 3)
	if err != nil {
		t.Fatal(err)
	}
	// Digits: "không, hai, ba" instead of "hai mươi ba".
	diff := len(packClip(t, "khong")) + 2*len(make([]byte, 2*16000*gapDigit/time.Second)) -
		len(packClip(t, "muoi-ngang")) - 2*len(make([]byte, 2*16000*gapWord/time.Second))
	if got := len(d) - len(w); got != diff {
		t.Errorf("digits call is %d bytes longer than words, want %d", got, diff)
	}
	if got := v.CallText("A023", 3); got != "Mời công dân có số A không hai ba đến quầy số ba" {
		t.Errorf("got %q", got)
	}
	if _, err := v.CallWAV("Ư1", 1); !errors.Is(err, ErrLetter) {
		t.Errorf("got %v, want ErrLetter", err)
	}
	if _, err := v.CallWAV("1-A", 1); !errors.Is(err, ErrNumber) {
		t.Errorf("got %v, want ErrNumber", err)
	}
	if got, want := v.String(), "voice built-in 16000 Hz digits"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestBuiltinPack(t *testing.T) {
	readme, err := os.ReadFile("pack/README.md")
	if err != nil {
		t.Fatal(err)
	}
	want := make(map[string]bool)
	for _, c := range Clips() {
		want[c.Name+".wav"] = true
		if !bytes.Contains(readme, []byte("`"+c.Name+".wav`")) {
			t.Errorf("pack/README.md does not list %s.wav", c.Name)
		}
		b, err := os.ReadFile(filepath.Join("pack", c.Name+".wav"))
		if err != nil {
			t.Error(err)
			continue
		}
		// IMA ADPCM (format 0x11), mono, 16 kHz, 4 bits a sample.
		le := binary.LittleEndian
		if le.Uint16(b[20:]) != 0x11 || le.Uint16(b[22:]) != 1 || le.Uint32(b[24:]) != 16000 || le.Uint16(b[34:]) != 4 {
			t.Errorf("%s: not IMA ADPCM mono 16 kHz", c.Name)
		}
		d := time.Duration(len(packClip(t, c.Name))) * time.Second / 32000
		longest := 2 * time.Second
		if strings.HasPrefix(c.Name, "guide-") {
			longest = 5 * time.Second // the kiosk's guidance: short sentences
		}
		if d < 80*time.Millisecond || d > longest {
			t.Errorf("%s lasts %v; want a trimmed word", c.Name, d)
		}
	}
	files, err := filepath.Glob("pack/*.wav")
	if err != nil {
		t.Fatal(err)
	}
	// Besides the clips, the demo's services have their names.
	for _, s := range config.Demo().Services {
		want[ServiceClip(s.ID)+".wav"] = true
	}
	for _, f := range files {
		if !want[filepath.Base(f)] {
			t.Errorf("%s is not a clip; remove it or add it to Clips", f)
		}
	}
	if len(files) != len(want) {
		t.Errorf("pack has %d clips, want %d", len(files), len(want))
	}
}

// testWAV writes a WAV file by hand: stereo 24-bit at 48 kHz, 200 ms of
// silence, 500 ms of a 440 Hz tone, 200 ms of silence.
func testWAV() []byte {
	const rate = 48000
	var data []byte
	for i := range rate * 9 / 10 {
		var v float64
		if i >= rate/5 && i < rate*7/10 {
			v = 0.5 * math.Sin(2*math.Pi*440*float64(i)/rate)
		}
		s := int32(v * (1 << 23))
		for range 2 {
			data = append(data, byte(s), byte(s>>8), byte(s>>16))
		}
	}
	le := binary.LittleEndian
	b := []byte("RIFF\x00\x00\x00\x00WAVE")
	b = append(b, "LIST"...) // an extra chunk a recorder might add
	b = le.AppendUint32(b, 4)
	b = append(b, "INFO"...)
	b = append(b, "fmt "...)
	b = le.AppendUint32(b, 16)
	b = le.AppendUint16(b, 1)
	b = le.AppendUint16(b, 2)
	b = le.AppendUint32(b, rate)
	b = le.AppendUint32(b, rate*6)
	b = le.AppendUint16(b, 6)
	b = le.AppendUint16(b, 24)
	b = append(b, "data"...)
	b = le.AppendUint32(b, uint32(len(data)))
	b = append(b, data...)
	le.PutUint32(b[4:], uint32(len(b)-8))
	return b
}

func TestPackOverride(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ba.wav"), testWAV(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "mot_sac.wav"), testWAV(), 0o644); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	v, err := New(Options{Pack: dir, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	// 500 ms of tone at 16 kHz, plus up to 15 ms of margin and a 5 ms
	// frame on each side.
	n := len(v.clips["ba"]) / 2
	if n < 8000 || n > 8000+2*(240+80) {
		t.Errorf("override clip has %d samples, want about 8000", n)
	}
	var peak float64
	for i := 0; i+1 < len(v.clips["ba"]); i += 2 {
		peak = max(peak, math.Abs(float64(int16(binary.LittleEndian.Uint16(v.clips["ba"][i:])))))
	}
	if peak < 0.45*32768 || peak > 0.55*32768 {
		t.Errorf("override clip peak %v, want about half scale", peak)
	}
	if !bytes.Equal(v.clips["hai"], packClip(t, "hai")) {
		t.Error("missing clip hai did not fall back to the built-in one")
	}
	log := logs.String()
	for _, want := range []string{"lacks clips", "chime", "letter-a", "not clips", "mot_sac.wav"} {
		if !strings.Contains(log, want) {
			t.Errorf("log %q lacks %q", log, want)
		}
	}
	if strings.Contains(log, " ba ") || strings.Contains(log, "missing=ba ") {
		t.Errorf("log %q reports ba as missing", log)
	}
	wav, err := v.CallWAV("3", 3)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(wav, v.clips["ba"]) {
		t.Error("call does not use the override clip")
	}
	if !strings.Contains(v.String(), dir) {
		t.Errorf("String() = %q, want the pack folder", v.String())
	}
}

func TestPackErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "hai.wav")
	if err := os.WriteFile(bad, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	silent := t.TempDir()
	if err := os.WriteFile(filepath.Join(silent, "hai.wav"), append(testWAV()[:56], make([]byte, 600)...), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, pack, want string
	}{
		{"not a WAV", dir, bad},
		{"silent", silent, "silent"},
		{"no folder", filepath.Join(dir, "nope"), "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(Options{Pack: tt.pack})
			if !errors.Is(err, ErrPack) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want ErrPack mentioning %q", err, tt.want)
			}
		})
	}
}

func BenchmarkCallWAV(b *testing.B) {
	v, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	var n int
	for b.Loop() {
		wav, err := v.CallWAV("A1024", 12)
		if err != nil {
			b.Fatal(err)
		}
		n = len(wav)
	}
	b.SetBytes(int64(n))
}
