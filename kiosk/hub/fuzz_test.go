package hub

import (
	"encoding/binary"
	"fmt"
	"testing"
	"time"
)

// wire turns fuzz input into what a client writes after the handshake.
// The input is read as frames, RFC 6455 section 5.2: the first two header
// bytes as they are (FIN, RSV bits, any opcode, the MASK bit, the 7-bit
// length), the extended length and the masking key when the header says
// so, then as much of the payload as the input still has, masked with the
// key. So any byte string is a wire a client could send, and the hub reads
// back the input's own payload bytes.
func wire(in []byte) []byte {
	out := make([]byte, 0, len(in))
	take := func(n int) []byte {
		n = min(n, len(in))
		b := in[:n]
		in = in[n:]
		out = append(out, b...)
		return b
	}
	for len(in) > 0 {
		h := take(2)
		if len(h) < 2 {
			break
		}
		n := uint64(h[1] & 0x7f)
		switch n {
		case 126:
			if b := take(2); len(b) == 2 {
				n = uint64(binary.BigEndian.Uint16(b))
			}
		case 127:
			if b := take(8); len(b) == 8 {
				n = binary.BigEndian.Uint64(b)
			}
		}
		var key []byte
		if h[1]&0x80 != 0 {
			key = take(4)
		}
		p := take(int(min(n, uint64(len(in)))))
		if len(key) == 4 {
			for i := range p {
				p[i] ^= key[i%4]
			}
		}
	}
	return out
}

// frame builds one client frame for the seeds: op is the first header
// byte, payload is masked with a fixed key.
func frame(op byte, payload []byte) []byte {
	b := []byte{op}
	switch n := len(payload); {
	case n < 126:
		b = append(b, 0x80|byte(n))
	case n <= 0xffff:
		b = append(b, 0x80|126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, 0x80|127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	b = append(b, 1, 2, 3, 4)
	// wire masks the payload; the seed holds it in the clear.
	return append(b, payload...)
}

// FuzzClientFrames sends a client's arbitrary frames to a hub over a real
// websocket, beside a client that only listens. Whatever the frames, the
// hub must not panic, the other client must get the next event, and the
// fuzzed client, once it hangs up, must be gone from the hub.
func FuzzClientFrames(f *testing.F) {
	cat := func(bs ...[]byte) []byte {
		var out []byte
		for _, b := range bs {
			out = append(out, b...)
		}
		return out
	}
	closeMsg := func(code uint16, reason string) []byte {
		return append(binary.BigEndian.AppendUint16(nil, code), reason...)
	}
	big := func(n uint64) []byte { // a header claiming n bytes, no payload
		return binary.BigEndian.AppendUint64([]byte{0x82, 0x80 | 127}, n)
	}
	seeds := [][]byte{
		{},
		frame(0x81, []byte("xin chào")),
		frame(0x82, make([]byte, readLimit)),
		frame(0x82, make([]byte, readLimit+1)),
		big(10 << 20),  // a 10 MB message: 1009
		big(1<<63 - 1), // the largest length there is
		big(1<<64 - 1), // the top bit set, which the RFC forbids
		frame(0x89, []byte("ping")),
		frame(0x8a, []byte("pong")),
		frame(0x88, closeMsg(4001, "tạm biệt")),
		frame(0x88, closeMsg(1005, "")), // a code that must not be sent
		frame(0x88, []byte{3}),          // a one-byte close payload
		frame(0x88, closeMsg(1000, "\xff\xfe")),
		frame(0x89, make([]byte, 126)), // a control frame too long
		frame(0x09, nil),               // a fragmented ping
		frame(0x80, []byte("a continuation with nothing to continue")),
		frame(0xc1, []byte("RSV1 without an extension")),
		frame(0x83, nil),                      // reserved data opcode
		frame(0x8b, nil),                      // reserved control opcode
		{0x81, 0x05, 'h', 'e', 'l', 'l', 'o'}, // not masked
		cat(frame(0x01, []byte("frag")), frame(0x89, nil), frame(0x80, []byte("ment"))),
		cat(frame(0x01, make([]byte, 3000)), frame(0x00, make([]byte, 3000))), // over the limit in two
		cat(frame(0x01, []byte("a")), frame(0x81, []byte("b"))),               // a new message mid-message
		cat(frame(0x81, nil), frame(0x89, nil), frame(0x88, closeMsg(1000, ""))),
	}
	for _, s := range seeds {
		f.Add(s)
	}

	h, src, url := newHub(f)
	listener := dial(f, url)
	if got := next(f, listener); got != `{"type":"snapshot","seq":0,"state":{}}` {
		f.Fatalf("listener's first frame: %s", got)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		c := dial(t, url)
		nc := c.NetConn()
		nc.SetWriteDeadline(time.Now().Add(30 * time.Second))
		nc.Write(wire(append([]byte(nil), in...))) // the hub may hang up midway

		recs := src.add(1)
		h.Publish(recs)
		want := fmt.Sprintf(`{"type":"event","seq":%d}`, recs[0].Seq)
		if got := next(t, listener); got != want {
			t.Fatalf("the other client got %s, want %s", got, want)
		}
		c.Close()
		for deadline := time.Now().Add(30 * time.Second); h.Clients() != 1; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%d clients 30 s after the fuzzed one left, want 1", h.Clients())
			}
		}
	})
}
