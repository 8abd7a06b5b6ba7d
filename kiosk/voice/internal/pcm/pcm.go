// Package pcm reads and writes WAV files and does the little signal work
// a voice pack needs: mixing down to mono, resampling, trimming silence
// and normalizing the level. Samples are float64 in [-1, 1].
package pcm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Errors returned by [Decode].
var (
	// ErrNotWAV means the bytes are not a RIFF/WAVE file.
	ErrNotWAV = errors.New("pcm: not a WAV file")
	// ErrFormat means the WAV file holds an encoding other than 8, 16,
	// 24 or 32-bit integer PCM, 32/64-bit float or mono IMA ADPCM.
	ErrFormat = errors.New("pcm: unsupported WAV encoding; use 16-bit PCM")
	// ErrNoData means the WAV file has no fmt or no data chunk.
	ErrNoData = errors.New("pcm: WAV file has no audio data")
)

// HeaderSize is the length of the header [AppendHeader] writes.
const HeaderSize = 44

// Sound is a decoded WAV file.
type Sound struct {
	Rate     int  // samples per second per channel
	Channels int  // 1 mono, 2 stereo, ...
	Bits     int  // bits per sample
	Float    bool // IEEE float samples instead of integers
	// Data is the raw contents of the data chunk, whole frames only.
	Data []byte
}

// Is16Mono reports whether s is 16-bit integer mono, the pack format.
func (s *Sound) Is16Mono() bool {
	return !s.Float && s.Bits == 16 && s.Channels == 1
}

// Decode parses a RIFF/WAVE file. Unknown chunks are skipped. IMA ADPCM
// comes back decoded, as 16-bit PCM. A data
// chunk whose length runs past the end of b (as written by a recorder
// that streamed to a pipe) is cut to what b holds.
func Decode(b []byte) (*Sound, error) {
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, ErrNotWAV
	}
	var s Sound
	var haveFmt bool
	var adpcmAlign, adpcmSamples int // IMA ADPCM: block size, samples (fact)
	rest := b[12:]
	for len(rest) >= 8 {
		id := string(rest[0:4])
		size := uint64(binary.LittleEndian.Uint32(rest[4:8]))
		rest = rest[8:]
		body := rest
		if size < uint64(len(rest)) {
			body = rest[:size]
		}
		switch id {
		case "fmt ":
			if len(body) < 16 {
				return nil, fmt.Errorf("%w: fmt chunk of %d bytes", ErrNotWAV, len(body))
			}
			tag := binary.LittleEndian.Uint16(body[0:2])
			s.Channels = int(binary.LittleEndian.Uint16(body[2:4]))
			s.Rate = int(binary.LittleEndian.Uint32(body[4:8]))
			s.Bits = int(binary.LittleEndian.Uint16(body[14:16]))
			if tag == 0xFFFE && len(body) >= 26 {
				tag = binary.LittleEndian.Uint16(body[24:26])
			}
			switch {
			case tag == 1 && (s.Bits == 8 || s.Bits == 16 || s.Bits == 24 || s.Bits == 32):
			case tag == 3 && (s.Bits == 32 || s.Bits == 64):
				s.Float = true
			case tag == tagADPCM && s.Bits == 4 && s.Channels == 1:
				adpcmAlign = int(binary.LittleEndian.Uint16(body[12:14]))
				if adpcmAlign < 5 {
					return nil, fmt.Errorf("%w (IMA ADPCM blocks of %d bytes)", ErrFormat, adpcmAlign)
				}
			default:
				return nil, fmt.Errorf("%w (format tag %d, %d bits)", ErrFormat, tag, s.Bits)
			}
			if s.Channels < 1 || s.Channels > 8 || s.Rate < 1000 || s.Rate > 384000 {
				return nil, fmt.Errorf("%w (%d channels at %d Hz)", ErrFormat, s.Channels, s.Rate)
			}
			haveFmt = true
		case "fact":
			if len(body) >= 4 {
				adpcmSamples = int(binary.LittleEndian.Uint32(body))
			}
		case "data":
			if !haveFmt {
				return nil, fmt.Errorf("%w: data before fmt chunk", ErrNoData)
			}
			if adpcmAlign > 0 {
				s.Bits, s.Data = 16, decodeADPCM(body, adpcmAlign, adpcmSamples)
				return &s, nil
			}
			frame := s.Channels * s.Bits / 8
			s.Data = body[:len(body)/frame*frame]
			return &s, nil
		}
		if size >= uint64(len(rest)) {
			break
		}
		rest = rest[size+size&1:]
	}
	return nil, ErrNoData
}

// Mono returns the samples of s, channels averaged.
func (s *Sound) Mono() []float64 {
	width := s.Bits / 8
	frame := width * s.Channels
	n := len(s.Data) / frame
	out := make([]float64, n)
	for i := range out {
		var sum float64
		for c := 0; c < s.Channels; c++ {
			sum += s.sample(s.Data[i*frame+c*width:])
		}
		out[i] = sum / float64(s.Channels)
	}
	return out
}

func (s *Sound) sample(p []byte) float64 {
	switch {
	case s.Float && s.Bits == 32:
		return float64(math.Float32frombits(binary.LittleEndian.Uint32(p)))
	case s.Float:
		return math.Float64frombits(binary.LittleEndian.Uint64(p))
	case s.Bits == 8:
		return (float64(p[0]) - 128) / 128
	case s.Bits == 16:
		return float64(int16(binary.LittleEndian.Uint16(p))) / 32768
	case s.Bits == 24:
		v := int32(uint32(p[0])<<8|uint32(p[1])<<16|uint32(p[2])<<24) >> 8
		return float64(v) / (1 << 23)
	}
	return float64(int32(binary.LittleEndian.Uint32(p))) / (1 << 31)
}

// Encode16 converts samples to 16-bit little-endian PCM, clipping at full
// scale.
func Encode16(x []float64) []byte {
	out := make([]byte, 2*len(x))
	for i, v := range x {
		v = math.Round(v * 32768)
		v = max(-32768, min(32767, v))
		binary.LittleEndian.PutUint16(out[2*i:], uint16(int16(v)))
	}
	return out
}

// AppendHeader appends the 44-byte header of a 16-bit mono PCM WAV file
// at rate Hz whose data chunk is dataLen bytes long.
func AppendHeader(dst []byte, rate, dataLen int) []byte {
	le := binary.LittleEndian
	dst = append(dst, "RIFF"...)
	dst = le.AppendUint32(dst, uint32(36+dataLen))
	dst = append(dst, "WAVEfmt "...)
	dst = le.AppendUint32(dst, 16)
	dst = le.AppendUint16(dst, 1) // PCM
	dst = le.AppendUint16(dst, 1) // mono
	dst = le.AppendUint32(dst, uint32(rate))
	dst = le.AppendUint32(dst, uint32(rate*2)) // bytes per second
	dst = le.AppendUint16(dst, 2)              // bytes per frame
	dst = le.AppendUint16(dst, 16)             // bits per sample
	dst = append(dst, "data"...)
	return le.AppendUint32(dst, uint32(dataLen))
}

// WAV returns a whole 16-bit mono WAV file holding data (16-bit PCM).
func WAV(rate int, data []byte) []byte {
	out := make([]byte, 0, HeaderSize+len(data))
	return append(AppendHeader(out, rate, len(data)), data...)
}

// Resample converts x from one sample rate to another with a
// windowed-sinc interpolator that also low-passes below the lower of the
// two Nyquist frequencies, so downsampling does not alias.
func Resample(x []float64, from, to int) []float64 {
	if from == to || len(x) == 0 {
		return append([]float64(nil), x...)
	}
	ratio := float64(to) / float64(from)
	n := int(math.Round(float64(len(x)) * ratio))
	fc := min(1, ratio) // cutoff as a fraction of the input Nyquist
	const zeros = 12    // zero crossings of the sinc on each side
	half := zeros / fc  // half width of the kernel in input samples
	out := make([]float64, n)
	for i := range out {
		t := float64(i) / ratio
		lo := max(0, int(math.Ceil(t-half)))
		hi := min(len(x)-1, int(math.Floor(t+half)))
		var acc float64
		for k := lo; k <= hi; k++ {
			d := t - float64(k)
			acc += x[k] * fc * sinc(fc*d) * blackman(d/half)
		}
		out[i] = acc
	}
	return out
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// blackman is the Blackman window over u in [-1, 1].
func blackman(u float64) float64 {
	return 0.42 + 0.5*math.Cos(math.Pi*u) + 0.08*math.Cos(2*math.Pi*u)
}

// Trim cuts leading and trailing silence: it keeps the span from the
// first to the last 5 ms frame whose RMS level reaches 1 % of the peak
// (at least 0.001 of full scale), plus margin on each side. All-silent
// input gives an empty result.
func Trim(x []float64, rate int, margin float64) []float64 {
	frame := max(1, rate/200)
	var peak float64
	for _, v := range x {
		peak = max(peak, math.Abs(v))
	}
	thr := max(0.001, 0.01*peak)
	first, last := -1, -1
	for start := 0; start < len(x); start += frame {
		end := min(len(x), start+frame)
		var sum float64
		for _, v := range x[start:end] {
			sum += v * v
		}
		if math.Sqrt(sum/float64(end-start)) >= thr {
			if first < 0 {
				first = start
			}
			last = end
		}
	}
	if first < 0 {
		return nil
	}
	m := int(margin * float64(rate))
	return x[max(0, first-m):min(len(x), last+m)]
}

// Normalize scales x in place so that its peak is at dB decibels below
// full scale (dB ≤ 0). Silence is left alone.
func Normalize(x []float64, dB float64) {
	var peak float64
	for _, v := range x {
		peak = max(peak, math.Abs(v))
	}
	if peak == 0 {
		return
	}
	g := math.Pow(10, dB/20) / peak
	for i := range x {
		x[i] *= g
	}
}
