package pcm

import (
	"encoding/binary"
	"math"
)

// IMA ADPCM (WAV format tag 0x11, as Microsoft and every player define
// it) stores each 16-bit sample in 4 bits: the built-in voice pack takes
// a quarter of its 16-bit size in the binary. Mono only, in blocks of
// adpcmBlock bytes: a 4-byte header (the block's first sample as it is,
// the step index) and two samples a byte, the low nibble first.

const (
	tagADPCM        = 0x11
	adpcmBlock      = 512                            // bytes a block
	adpcmPerBlock   = (adpcmBlock-4)*2 + 1           // samples a block
	adpcmFmtSize    = 20                             // fmt chunk with cbSize and samples per block
	adpcmHeaderSize = 12 + 8 + adpcmFmtSize + 12 + 8 // RIFF, fmt, fact, data header
)

var adpcmIndex = [16]int{-1, -1, -1, -1, 2, 4, 6, 8, -1, -1, -1, -1, 2, 4, 6, 8}

var adpcmStep = [89]int{
	7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 19, 21, 23, 25, 28, 31, 34, 37, 41, 45,
	50, 55, 60, 66, 73, 80, 88, 97, 107, 118, 130, 143, 157, 173, 190, 209, 230,
	253, 279, 307, 337, 371, 408, 449, 494, 544, 598, 658, 724, 796, 876, 963,
	1060, 1166, 1282, 1411, 1552, 1707, 1878, 2066, 2272, 2499, 2749, 3024, 3327,
	3660, 4026, 4428, 4871, 5358, 5894, 6484, 7132, 7845, 8630, 9493, 10442,
	11487, 12635, 13899, 15289, 16818, 18500, 20350, 22385, 24623, 27086, 29794,
	32767,
}

// adpcmState is the decoder's state: the predicted sample and the step
// index. Encoder and decoder step it the same way.
type adpcmState struct {
	pred, index int
}

// next applies a nibble and returns the sample it decodes to.
func (s *adpcmState) next(n byte) int {
	step := adpcmStep[s.index]
	diff := step >> 3
	if n&1 != 0 {
		diff += step >> 2
	}
	if n&2 != 0 {
		diff += step >> 1
	}
	if n&4 != 0 {
		diff += step
	}
	if n&8 != 0 {
		s.pred -= diff
	} else {
		s.pred += diff
	}
	s.pred = max(-32768, min(32767, s.pred))
	s.index = max(0, min(88, s.index+adpcmIndex[n]))
	return s.pred
}

// decodeADPCM decodes mono IMA ADPCM blocks of blockAlign bytes into
// 16-bit PCM; a short last block gives the samples it holds. samples > 0
// (the fact chunk) cuts the padding of the last block.
func decodeADPCM(data []byte, blockAlign, samples int) []byte {
	var out []byte
	for len(data) >= 4 {
		blk := data[:min(blockAlign, len(data))]
		data = data[len(blk):]
		st := adpcmState{pred: int(int16(binary.LittleEndian.Uint16(blk))), index: min(88, int(blk[2]))}
		out = binary.LittleEndian.AppendUint16(out, uint16(int16(st.pred)))
		for _, b := range blk[4:] {
			out = binary.LittleEndian.AppendUint16(out, uint16(int16(st.next(b&0x0f))))
			out = binary.LittleEndian.AppendUint16(out, uint16(int16(st.next(b>>4))))
		}
	}
	if samples > 0 && 2*samples < len(out) {
		out = out[:2*samples]
	}
	return out
}

// ADPCM returns a whole mono IMA ADPCM WAV file of the 16-bit PCM data
// at rate Hz. Each nibble is chosen looking one sample ahead (see
// encode): on the built-in pack 30.0 dB of signal to noise against
// 28.6 dB for the usual greedy choice.
func ADPCM(rate int, data []byte) []byte {
	n := len(data) / 2
	x := make([]int, n)
	for i := range x {
		x[i] = int(int16(binary.LittleEndian.Uint16(data[2*i:])))
	}
	// The samples after a block's header come in 4-byte words (8
	// samples): a short last block is padded with the last sample, which
	// the fact chunk's count leaves out.
	if r := n % adpcmPerBlock; r > 0 {
		for range (8 - (r-1)%8) % 8 {
			x = append(x, x[n-1])
		}
	}
	var body []byte
	st := adpcmState{}
	for start := 0; start < len(x); start += adpcmPerBlock {
		end := min(len(x), start+adpcmPerBlock)
		st.pred = x[start]
		body = binary.LittleEndian.AppendUint16(body, uint16(int16(x[start])))
		body = append(body, byte(st.index), 0)
		for i := start + 1; i < end; i += 2 {
			lo := st.encode(x, i)
			body = append(body, lo|st.encode(x, i+1)<<4)
		}
	}
	le := binary.LittleEndian
	out := make([]byte, 0, adpcmHeaderSize+len(body))
	out = append(out, "RIFF"...)
	out = le.AppendUint32(out, uint32(adpcmHeaderSize-8+len(body)))
	out = append(out, "WAVEfmt "...)
	out = le.AppendUint32(out, adpcmFmtSize)
	out = le.AppendUint16(out, tagADPCM)
	out = le.AppendUint16(out, 1) // mono
	out = le.AppendUint32(out, uint32(rate))
	out = le.AppendUint32(out, uint32(math.Round(float64(rate)*adpcmBlock/adpcmPerBlock))) // bytes per second
	out = le.AppendUint16(out, adpcmBlock)
	out = le.AppendUint16(out, 4) // bits per sample
	out = le.AppendUint16(out, 2) // extra bytes
	out = le.AppendUint16(out, adpcmPerBlock)
	out = append(out, "fact"...)
	out = le.AppendUint32(out, 4)
	out = le.AppendUint32(out, uint32(n))
	out = append(out, "data"...)
	out = le.AppendUint32(out, uint32(len(body)))
	return append(out, body...)
}

// encode returns the nibble for x[i] and steps the state with it: of
// the 16 nibbles, the one whose decoded sample, and the best decoded
// sample for x[i+1] after it, come nearest the input in squared error.
func (s *adpcmState) encode(x []int, i int) byte {
	best, bestErr := byte(0), math.MaxInt
	for n := range byte(16) {
		t := *s
		e := sq(t.next(n) - x[i])
		if i+1 < len(x) && e < bestErr {
			e2 := math.MaxInt
			for m := range byte(16) {
				u := t
				e2 = min(e2, sq(u.next(m)-x[i+1]))
			}
			e += e2
		}
		if e < bestErr {
			best, bestErr = n, e
		}
	}
	s.next(best)
	return best
}

func sq(x int) int { return x * x }
