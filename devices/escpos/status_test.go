package escpos

import (
	"bytes"
	"testing"
)

func bit(b byte, n uint) bool { return b&(1<<n) != 0 }

// TestDecodeRealtimeAllBytes feeds every byte value as the answer to each
// DLE EOT query.
func TestDecodeRealtimeAllBytes(t *testing.T) {
	for n := byte(1); n <= 4; n++ {
		for v := 0; v < 256; v++ {
			b := byte(v)
			var d Decoder
			d.Expect(n)
			rs := d.Feed([]byte{b}, nil)
			switch {
			case b&0x93 == 0x12:
				if len(rs) != 1 || rs[0].Kind != Kind(n) || !bytes.Equal(rs[0].Raw, []byte{b}) {
					t.Fatalf("n=%d b=%#02x: got %v, want one %v reply", n, b, rs, Kind(n))
				}
				if d.Pending() != 0 {
					t.Errorf("n=%d b=%#02x: pending %d, want 0", n, b, d.Pending())
				}
				var s Status
				s.Apply(rs[0])
				checkRealtime(t, n, b, s)
			case b&0x93 == 0x10:
				// Could start an ASB block: nothing yet, the query still waits.
				if len(rs) != 0 || d.Pending() != 1 {
					t.Fatalf("n=%d b=%#02x: got %v pending %d, want nothing yet and 1 pending", n, b, rs, d.Pending())
				}
				d.Forget()
				rs = d.Feed(nil, nil)
				if len(rs) != 1 || rs[0].Kind != KindUnknown || !bytes.Equal(rs[0].Raw, []byte{b}) {
					t.Fatalf("n=%d b=%#02x after Forget: got %v, want it as unknown", n, b, rs)
				}
			default:
				if len(rs) != 1 || rs[0].Kind != KindUnknown || !bytes.Equal(rs[0].Raw, []byte{b}) {
					t.Fatalf("n=%d b=%#02x: got %v, want one unknown reply", n, b, rs)
				}
				if d.Pending() != 1 {
					t.Errorf("n=%d b=%#02x: garbage answered the query", n, b)
				}
				var s Status
				s.Apply(rs[0])
				if s != (Status{}) {
					t.Errorf("n=%d b=%#02x: unknown reply changed status to %+v", n, b, s)
				}
			}
		}
	}
}

func checkRealtime(t *testing.T, n, b byte, s Status) {
	t.Helper()
	type flag struct {
		name      string
		got, want bool
	}
	var fs []flag
	switch n {
	case 1:
		fs = []flag{{"Drawer", s.Drawer, bit(b, 2)}, {"Offline", s.Offline, bit(b, 3)},
			{"WaitOnline", s.WaitOnline, bit(b, 5)}, {"FeedButton", s.FeedButton, bit(b, 6)}}
	case 2:
		fs = []flag{{"CoverOpen", s.CoverOpen, bit(b, 2)}, {"FeedButton", s.FeedButton, bit(b, 3)},
			{"PaperOut", s.PaperOut, bit(b, 5)}, {"Error", s.Error, bit(b, 6)}}
	case 3:
		fs = []flag{{"Mechanical", s.Mechanical, bit(b, 2)}, {"CutterError", s.CutterError, bit(b, 3)},
			{"Unrecover", s.Unrecover, bit(b, 5)}, {"AutoRecover", s.AutoRecover, bit(b, 6)},
			{"Error", s.Error, b&0x6c != 0}}
	case 4:
		fs = []flag{{"PaperNearEnd", s.PaperNearEnd, b&0x0c != 0}, {"PaperOut", s.PaperOut, b&0x60 != 0}}
	}
	for _, f := range fs {
		if f.got != f.want {
			t.Errorf("DLE EOT %d reply %#02x: %s got %v, want %v", n, b, f.name, f.got, f.want)
		}
	}
	if s.Known != 1<<n {
		t.Errorf("DLE EOT %d reply %#02x: Known got %b, want %b", n, b, s.Known, 1<<n)
	}
	wantOK := !(s.Offline || s.CoverOpen || s.PaperOut || s.Error)
	if s.OK() != wantOK {
		t.Errorf("DLE EOT %d reply %#02x: OK got %v, want %v", n, b, s.OK(), wantOK)
	}
}

// TestDecodeASBAllBytes varies each of the four bytes of an automatic
// status block through all 256 values.
func TestDecodeASBAllBytes(t *testing.T) {
	base := [4]byte{0x10, 0x00, 0x00, 0x00}
	for pos := 0; pos < 4; pos++ {
		for v := 0; v < 256; v++ {
			blk := base
			blk[pos] = byte(v)
			var d Decoder
			rs := d.Feed(blk[:], nil)
			valid := IsASBFirst(blk[0]) && IsASBNext(blk[1]) && IsASBNext(blk[2]) && IsASBNext(blk[3])
			if valid {
				if len(rs) != 1 || rs[0].Kind != KindASB || !bytes.Equal(rs[0].Raw, blk[:]) {
					t.Fatalf("block % x: got %v, want one ASB reply", blk, rs)
				}
				var s Status
				s.Apply(rs[0])
				e, p := blk[1], blk[2]
				checks := []struct {
					name      string
					got, want bool
				}{
					{"Drawer", s.Drawer, bit(blk[0], 2)}, {"Offline", s.Offline, bit(blk[0], 3)},
					{"CoverOpen", s.CoverOpen, bit(blk[0], 5)}, {"FeedButton", s.FeedButton, bit(blk[0], 6)},
					{"Mechanical", s.Mechanical, bit(e, 2)}, {"CutterError", s.CutterError, bit(e, 3)},
					{"Unrecover", s.Unrecover, bit(e, 5)}, {"AutoRecover", s.AutoRecover, bit(e, 6)},
					{"PaperNearEnd", s.PaperNearEnd, p&0x03 != 0}, {"PaperOut", s.PaperOut, p&0x0c != 0},
				}
				for _, c := range checks {
					if c.got != c.want {
						t.Errorf("block % x: %s got %v, want %v", blk, c.name, c.got, c.want)
					}
				}
				continue
			}
			// Not an ASB block: every byte must come back, none invented,
			// and no ASB reply.
			var all []byte
			for _, r := range rs {
				if r.Kind == KindASB {
					t.Fatalf("block % x: got an ASB reply %v from an invalid block", blk, r)
				}
				all = append(all, r.Raw...)
			}
			d.Forget()
			for _, r := range d.Feed(nil, nil) {
				all = append(all, r.Raw...)
			}
			if !bytes.Equal(all, blk[:]) {
				t.Fatalf("block % x: bytes reported % x, want all four", blk, all)
			}
		}
	}
}

func TestDecodeMixedStream(t *testing.T) {
	var d Decoder
	d.Expect(1)
	d.Expect(4)
	in := []byte{0xff, 0x12, 0x10, 0x00, 0x0c, 0x00, 0x81, 0x1e}
	var rs []Reply
	for _, b := range in { // one byte at a time, as a slow port delivers them
		rs = d.Feed([]byte{b}, rs)
	}
	want := []string{"unknown ff", "printer 12", "asb 10 00 0c 00", "unknown 81", "paper 1e"}
	if len(rs) != len(want) {
		t.Fatalf("got %v, want %v", rs, want)
	}
	for i, r := range rs {
		if r.String() != want[i] {
			t.Errorf("reply %d: got %q, want %q", i, r.String(), want[i])
		}
	}
	var s Status
	for _, r := range rs {
		s.Apply(r)
	}
	// The ASB block said paper out; the later DLE EOT 4 reply says near
	// end only: the latest word wins.
	if s.PaperOut || !s.PaperNearEnd || s.String() != "paper-near-end" {
		t.Errorf("got %v, want paper-near-end", s)
	}
}

// FuzzDecoder checks that any input is decoded without panics, that every
// byte comes back exactly once, in order, and that replies have the right
// shapes.
func FuzzDecoder(f *testing.F) {
	f.Add([]byte{0x12, 0x16, 0x10, 0, 0, 0}, []byte{1, 2})
	f.Add([]byte{0x10, 0x10, 0x10, 0x12, 0xff}, []byte{4})
	f.Add([]byte{}, []byte{})
	f.Fuzz(func(t *testing.T, data, queries []byte) {
		var d Decoder
		for _, q := range queries {
			d.Expect(q%6 + 0)
		}
		var rs []Reply
		// Split the input at the query bytes to vary chunking.
		rest := data
		for i := 0; len(rest) > 0; i++ {
			n := len(rest)
			if i < len(queries) && int(queries[i]) < n {
				n = int(queries[i]) + 1
			}
			rs = d.Feed(rest[:n], rs)
			rest = rest[n:]
		}
		d.Forget()
		rs = d.Feed(nil, rs)
		var all []byte
		for _, r := range rs {
			if len(r.Raw) == 0 {
				t.Fatalf("empty reply %v", r)
			}
			switch r.Kind {
			case KindPrinter, KindOffline, KindError, KindPaper:
				if len(r.Raw) != 1 || !IsRealtimeReply(r.Raw[0]) {
					t.Fatalf("bad realtime reply %v", r)
				}
			case KindASB:
				if len(r.Raw) != 4 || !IsASBFirst(r.Raw[0]) {
					t.Fatalf("bad ASB reply %v", r)
				}
			}
			var s Status
			s.Apply(r)
			all = append(all, r.Raw...)
		}
		if !bytes.Equal(all, data) {
			t.Fatalf("bytes out % x, want % x", all, data)
		}
		if d.Pending() != 0 {
			t.Fatalf("pending %d after Forget", d.Pending())
		}
	})
}

// FuzzParse checks that the stream parser never panics and that the ops it
// returns tile the input it consumed.
func FuzzParse(f *testing.F) {
	var e Encoder
	e.Init().Align(Center).Text([]byte("A023")).LF().QR("x", QROptions{}).Raster(NewBitmap(8, 2), 0).Cut(PartialCut, 0)
	f.Add(e.Bytes())
	f.Add([]byte{0x1d, 0x76, 0x30, 0, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, p []byte) {
		ops, _ := Parse(p)
		at := 0
		for _, op := range ops {
			if op.Off != at || op.End <= op.Off || op.End > len(p) {
				t.Fatalf("op %v at [%d,%d), want start %d", op, op.Off, op.End, at)
			}
			at = op.End
		}
	})
}
