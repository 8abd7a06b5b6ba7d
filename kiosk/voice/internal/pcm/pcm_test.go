package pcm

import (
	"encoding/binary"
	"errors"
	"math"
	"testing"
)

func sine(rate int, f, amp, seconds float64) []float64 {
	x := make([]float64, int(seconds*float64(rate)))
	for i := range x {
		x[i] = amp * math.Sin(2*math.Pi*f*float64(i)/float64(rate))
	}
	return x
}

func rms(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s / float64(len(x)))
}

func TestRoundTrip(t *testing.T) {
	x := sine(16000, 440, 0.8, 0.1)
	b := WAV(16000, Encode16(x))
	if len(b) != HeaderSize+2*len(x) {
		t.Fatalf("got %d bytes, want %d", len(b), HeaderSize+2*len(x))
	}
	s, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Is16Mono() || s.Rate != 16000 {
		t.Fatalf("got %+v", *s)
	}
	y := s.Mono()
	for i := range x {
		if math.Abs(x[i]-y[i]) > 1.0/32768 {
			t.Fatalf("sample %d: got %v, want %v", i, y[i], x[i])
		}
	}
}

func TestEncode16Clips(t *testing.T) {
	b := Encode16([]float64{2, -2, 0.5})
	got := []int16{int16(binary.LittleEndian.Uint16(b)), int16(binary.LittleEndian.Uint16(b[2:])), int16(binary.LittleEndian.Uint16(b[4:]))}
	if got[0] != 32767 || got[1] != -32768 || got[2] != 16384 {
		t.Errorf("got %v, want [32767 -32768 16384]", got)
	}
}

// wavFile builds a WAV file by hand with the given fmt chunk body.
func wavFile(fmtBody, data []byte, dataSize uint32) []byte {
	le := binary.LittleEndian
	b := []byte("RIFF\x00\x00\x00\x00WAVE")
	b = append(b, "fmt "...)
	b = le.AppendUint32(b, uint32(len(fmtBody)))
	b = append(b, fmtBody...)
	b = append(b, "data"...)
	b = le.AppendUint32(b, dataSize)
	return append(b, data...)
}

func fmtChunk(tag, channels uint16, rate uint32, bits uint16) []byte {
	le := binary.LittleEndian
	b := le.AppendUint16(nil, tag)
	b = le.AppendUint16(b, channels)
	b = le.AppendUint32(b, rate)
	b = le.AppendUint32(b, rate*uint32(channels*bits/8))
	b = le.AppendUint16(b, channels*bits/8)
	return le.AppendUint16(b, bits)
}

func TestDecodeFormats(t *testing.T) {
	le := binary.LittleEndian
	f32 := le.AppendUint32(nil, math.Float32bits(0.25))
	f32 = le.AppendUint32(f32, math.Float32bits(-0.75))
	ext := append(fmtChunk(0xFFFE, 1, 8000, 16), 22, 0, 16, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 16, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71)
	tests := []struct {
		name string
		file []byte
		rate int
		want []float64
	}{
		{"8-bit", wavFile(fmtChunk(1, 1, 8000, 8), []byte{128, 192, 64}, 3), 8000, []float64{0, 0.5, -0.5}},
		{"16-bit stereo", wavFile(fmtChunk(1, 2, 44100, 16), []byte{0x00, 0x40, 0x00, 0x20, 0x00, 0xC0, 0x00, 0xC0}, 8), 44100, []float64{0.375, -0.5}},
		{"24-bit", wavFile(fmtChunk(1, 1, 48000, 24), []byte{0, 0, 0x40, 0, 0, 0xC0}, 6), 48000, []float64{0.5, -0.5}},
		{"32-bit", wavFile(fmtChunk(1, 1, 48000, 32), []byte{0, 0, 0, 0x40}, 4), 48000, []float64{0.5}},
		{"float stereo", wavFile(fmtChunk(3, 2, 22050, 32), f32, 8), 22050, []float64{-0.25}},
		{"extensible", wavFile(ext, []byte{0x00, 0x40}, 2), 8000, []float64{0.5}},
		{"streamed size", wavFile(fmtChunk(1, 1, 8000, 16), []byte{0x00, 0x40, 0x00, 0xC0, 0x01}, 0xFFFFFFFF), 8000, []float64{0.5, -0.5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Decode(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			got := s.Mono()
			if s.Rate != tt.rate || len(got) != len(tt.want) {
				t.Fatalf("got %d Hz %v, want %d Hz %v", s.Rate, got, tt.rate, tt.want)
			}
			for i := range got {
				if math.Abs(got[i]-tt.want[i]) > 1e-9 {
					t.Errorf("got %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	pcm16 := fmtChunk(1, 1, 8000, 16)
	dataFirst := []byte("RIFF\x00\x00\x00\x00WAVEdata\x02\x00\x00\x00\x00\x00")
	tests := []struct {
		name string
		file []byte
		want error
	}{
		{"empty", nil, ErrNotWAV},
		{"text", []byte("hello, this is not audio"), ErrNotWAV},
		{"adpcm", wavFile(fmtChunk(2, 1, 8000, 4), []byte{1, 2}, 2), ErrFormat},
		{"12-bit", wavFile(fmtChunk(1, 1, 8000, 12), []byte{1, 2}, 2), ErrFormat},
		{"no channels", wavFile(fmtChunk(1, 0, 8000, 16), []byte{1, 2}, 2), ErrFormat},
		{"short fmt", wavFile(pcm16[:10], nil, 0), ErrNotWAV},
		{"data first", dataFirst, ErrNoData},
		{"no data", wavFile(pcm16, nil, 0)[:36], ErrNoData},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Decode(tt.file); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestResampleKeepsTone(t *testing.T) {
	tests := []struct {
		name     string
		from, to int
	}{
		{"down 48k to 16k", 48000, 16000},
		{"down 22050 to 16k", 22050, 16000},
		{"up 16k to 44.1k", 16000, 44100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := sine(tt.from, 1000, 0.5, 0.5)
			y := Resample(x, tt.from, tt.to)
			if want := len(x) * tt.to / tt.from; len(y) < want-1 || len(y) > want+1 {
				t.Fatalf("got %d samples, want %d", len(y), want)
			}
			ideal := sine(tt.to, 1000, 0.5, 0.5)
			// Compare away from the edges, where the kernel is cut.
			lo, hi := len(y)/10, len(y)*9/10
			var worst float64
			for i := lo; i < hi; i++ {
				worst = max(worst, math.Abs(y[i]-ideal[i]))
			}
			if worst > 0.01 {
				t.Errorf("worst error %v against an ideal 1 kHz tone, want < 0.01", worst)
			}
		})
	}
}

func TestResampleFiltersAliases(t *testing.T) {
	// 11 kHz cannot exist at 16 kHz; without the low-pass it would fold
	// down to 5 kHz at full level.
	y := Resample(sine(48000, 11000, 0.5, 0.5), 48000, 16000)
	if got := rms(y[len(y)/10 : len(y)*9/10]); got > 0.01 {
		t.Errorf("alias RMS %v, want < 0.01", got)
	}
}

func TestTrim(t *testing.T) {
	const rate = 16000
	x := make([]float64, rate/5) // 200 ms silence
	x = append(x, sine(rate, 300, 0.5, 0.5)...)
	noise := make([]float64, rate/5)
	for i := range noise {
		noise[i] = 0.001 * math.Sin(float64(i)) // hiss far below the voice
	}
	x = append(x, noise...)
	y := Trim(x, rate, 0.01)
	min, max := rate/2, rate/2+2*(rate/100+rate/200)
	if len(y) < min || len(y) > max {
		t.Errorf("got %d samples, want %d..%d", len(y), min, max)
	}
	if got := Trim(make([]float64, 1000), rate, 0.01); len(got) != 0 {
		t.Errorf("silence: got %d samples, want 0", len(got))
	}
}

func TestNormalize(t *testing.T) {
	x := sine(16000, 440, 0.1, 0.1)
	Normalize(x, -6)
	var peak float64
	for _, v := range x {
		peak = math.Max(peak, math.Abs(v))
	}
	if want := math.Pow(10, -6.0/20); math.Abs(peak-want) > 1e-9 {
		t.Errorf("peak %v, want %v", peak, want)
	}
	z := make([]float64, 10)
	Normalize(z, -3)
	if rms(z) != 0 {
		t.Error("silence changed")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(WAV(16000, Encode16(sine(16000, 440, 0.5, 0.01))))
	f.Add(wavFile(fmtChunk(1, 2, 48000, 24), []byte{1, 2, 3, 4, 5, 6}, 0xFFFFFFFF))
	f.Add(wavFile(fmtChunk(3, 1, 8000, 64), make([]byte, 16), 16))
	f.Add(ADPCM(16000, Encode16(sine(16000, 440, 0.5, 0.1))))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Decode(b)
		if err != nil {
			return
		}
		frame := s.Channels * s.Bits / 8
		if len(s.Data)%frame != 0 {
			t.Fatalf("data of %d bytes is not whole %d-byte frames", len(s.Data), frame)
		}
		if got := len(s.Mono()); got != len(s.Data)/frame {
			t.Fatalf("got %d samples, want %d", got, len(s.Data)/frame)
		}
	})
}
