package pcm

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// A hand-decoded block: the header's sample 0 at step index 0, then
// nibble 7 (+11: 7>>3 + 7>>2 + 7>>1 + 7; index 8) and nibble 8 (-16>>3;
// index 7).
func TestDecodeADPCMBlock(t *testing.T) {
	fmtBody := fmtChunk(tagADPCM, 1, 8000, 4)
	binary.LittleEndian.PutUint16(fmtBody[12:], 5) // block align
	s, err := Decode(wavFile(fmtBody, []byte{0, 0, 0, 0, 0x87}, 5))
	if err != nil {
		t.Fatal(err)
	}
	var got []int16
	for i := 0; i < len(s.Data); i += 2 {
		got = append(got, int16(binary.LittleEndian.Uint16(s.Data[i:])))
	}
	if want := []int16{0, 11, 9}; !equal(got, want) || !s.Is16Mono() || s.Rate != 8000 {
		t.Errorf("got %v (%d-bit, %d channels), want %v as 16-bit mono", got, s.Bits, s.Channels, want)
	}
}

func equal(a, b []int16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// ADPCM keeps every sample count (a partial last block, one sample, none)
// and the signal, to what 4 bits a sample allow.
func TestADPCMRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		samples int
	}{
		{"none", 0},
		{"one", 1},
		{"two", 2},
		{"one block", adpcmPerBlock},
		{"a block and one", adpcmPerBlock + 1},
		{"odd, partial last block", 3*adpcmPerBlock + 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A tone that swells and fades, with a jump, as speech does.
			x := make([]float64, tt.samples)
			for i := range x {
				env := math.Sin(math.Pi * float64(i) / float64(len(x)))
				x[i] = 0.7 * env * math.Sin(2*math.Pi*float64(i)*(300+float64(i)/20)/16000)
				if i == len(x)/2 {
					x[i] = -0.9
				}
			}
			in := Encode16(x)
			b := ADPCM(16000, in)
			// Full blocks, then a last one of a header and whole 4-byte
			// words of 8 samples.
			want := adpcmHeaderSize + tt.samples/adpcmPerBlock*adpcmBlock
			if r := tt.samples % adpcmPerBlock; r > 0 {
				want += 4 + (r-1+7)/8*4
			}
			if len(b) != want {
				t.Errorf("file of %d bytes, want %d", len(b), want)
			}
			s, err := Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			if !s.Is16Mono() || s.Rate != 16000 || len(s.Data) != len(in) {
				t.Fatalf("got %d-bit, %d channels at %d Hz, %d bytes; want 16-bit mono 16 kHz, %d bytes", s.Bits, s.Channels, s.Rate, len(s.Data), len(in))
			}
			if tt.samples < 100 {
				return
			}
			y := s.Mono()
			var sig, noise float64
			for i := range x {
				sig += x[i] * x[i]
				noise += (x[i] - y[i]) * (x[i] - y[i])
			}
			// The jump costs a short block most (about 18 dB); a broken
			// coder gives 0 dB or less.
			if snr := 10 * math.Log10(sig/noise); snr < 15 {
				t.Errorf("signal to noise %.1f dB, want at least 15", snr)
			}
		})
	}
}

// sox, an independent decoder, reads the built-in pack's files as this
// package does, sample for sample (sox also plays the last block's
// padding, under 8 samples, which the fact chunk leaves out here).
func TestADPCMAsSox(t *testing.T) {
	sox, err := exec.LookPath("sox")
	if err != nil {
		t.Skip("sox is not installed (apt-get install sox)")
	}
	files, err := filepath.Glob("../../pack/*.wav")
	if err != nil || len(files) < 10 {
		t.Fatalf("pack: %d files, %v", len(files), err)
	}
	for _, f := range files[:10] {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s, err := Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		if binary.LittleEndian.Uint16(b[20:]) != tagADPCM {
			t.Fatalf("%s is not IMA ADPCM", f)
		}
		raw, err := exec.Command(sox, f, "-t", "raw", "-e", "signed-integer", "-b", "16", "-L", "-").Output()
		if err != nil {
			t.Fatalf("sox %s: %v", f, err)
		}
		if !bytes.HasPrefix(raw, s.Data) || len(raw)-len(s.Data) >= 16 {
			t.Errorf("%s: %d bytes here, sox decodes %d, or they differ", f, len(s.Data), len(raw))
		}
	}
}

func TestDecodeADPCMErrors(t *testing.T) {
	stereo := fmtChunk(tagADPCM, 2, 16000, 4)
	binary.LittleEndian.PutUint16(stereo[12:], 1024)
	tiny := fmtChunk(tagADPCM, 1, 16000, 4)
	binary.LittleEndian.PutUint16(tiny[12:], 4)
	for name, b := range map[string][]byte{"stereo": stereo, "block of 4 bytes": tiny} {
		if _, err := Decode(wavFile(b, make([]byte, 64), 64)); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: got %v, want %v", name, err, ErrFormat)
		}
	}
}
