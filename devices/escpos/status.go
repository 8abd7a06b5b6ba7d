package escpos

import (
	"fmt"
	"strings"
)

// Kind tells what a [Reply] from the printer is.
type Kind uint8

// Reply kinds. The DLE EOT kinds are the one-byte answers to
// [Encoder.StatusQuery] n = 1..4; every such byte has bits 0 and 7 clear and
// bits 1 and 4 set (b&0x93 == 0x12), so the reply alone does not say which
// query it answers: the [Decoder] matches it to the oldest query it was told
// about with [Decoder.Expect]. An automatic status back block (GS a) is four
// bytes: the first has b&0x93 == 0x10, the other three b&0x90 == 0.
const (
	KindUnknown Kind = iota // bytes that fit no reply; Raw holds them
	KindPrinter             // DLE EOT 1
	KindOffline             // DLE EOT 2
	KindError               // DLE EOT 3
	KindPaper               // DLE EOT 4
	KindASB                 // GS a automatic status back, 4 bytes
)

func (k Kind) String() string {
	switch k {
	case KindPrinter:
		return "printer"
	case KindOffline:
		return "offline"
	case KindError:
		return "error"
	case KindPaper:
		return "paper"
	case KindASB:
		return "asb"
	}
	return "unknown"
}

// Reply is one answer from the printer.
type Reply struct {
	Kind Kind
	Raw  []byte // the bytes of the reply (1 for DLE EOT, 4 for ASB, ≥1 for unknown)
}

func (r Reply) String() string { return fmt.Sprintf("%v % x", r.Kind, r.Raw) }

// IsRealtimeReply reports whether b has the fixed bits of a DLE EOT reply.
func IsRealtimeReply(b byte) bool { return b&0x93 == 0x12 }

// IsASBFirst reports whether b has the fixed bits of the first byte of an
// automatic status back block.
func IsASBFirst(b byte) bool { return b&0x93 == 0x10 }

// IsASBNext reports whether b has the fixed bits of bytes 2..4 of an
// automatic status back block.
func IsASBNext(b byte) bool { return b&0x90 == 0 }

// Decoder splits the bytes a printer sends into replies. It never blocks
// and never fails: bytes that fit no reply come back as [KindUnknown]. The
// zero value is ready to use. Not safe for concurrent use.
type Decoder struct {
	expect []Kind // DLE EOT queries sent and not yet answered, oldest first
	asb    []byte // a partial ASB block
	junk   []byte // unknown bytes not yet reported
}

// Expect tells the decoder that DLE EOT n (1..4) was sent, so the next
// realtime reply byte answers it. Other n are ignored.
func (d *Decoder) Expect(n byte) {
	if n >= 1 && n <= 4 {
		d.expect = append(d.expect, Kind(n))
	}
}

// Pending returns the number of DLE EOT queries not yet answered.
func (d *Decoder) Pending() int { return len(d.expect) }

// Forget drops the queries not yet answered (after a timeout: the printer
// will not answer them) and any partial ASB block, which is reported as
// unknown by the next [Decoder.Feed].
func (d *Decoder) Forget() {
	d.expect = d.expect[:0]
	d.junk = append(d.junk, d.asb...)
	d.asb = d.asb[:0]
}

// Feed decodes p and appends the complete replies to out, which it returns.
// A partial ASB block is kept for the next call.
func (d *Decoder) Feed(p []byte, out []Reply) []Reply {
	for _, b := range p {
		if len(d.asb) > 0 {
			if IsASBNext(b) {
				d.asb = append(d.asb, b)
				if len(d.asb) == 4 {
					out = d.flush(out)
					out = append(out, Reply{Kind: KindASB, Raw: append([]byte(nil), d.asb...)})
					d.asb = d.asb[:0]
				}
				continue
			}
			// Not an ASB block after all: the bytes so far are junk.
			d.junk = append(d.junk, d.asb...)
			d.asb = d.asb[:0]
		}
		switch {
		case IsRealtimeReply(b) && len(d.expect) > 0:
			out = d.flush(out)
			k := d.expect[0]
			d.expect = d.expect[:copy(d.expect, d.expect[1:])]
			out = append(out, Reply{Kind: k, Raw: []byte{b}})
		case IsASBFirst(b):
			d.asb = append(d.asb, b)
		default:
			d.junk = append(d.junk, b)
		}
	}
	return d.flush(out)
}

func (d *Decoder) flush(out []Reply) []Reply {
	if len(d.junk) == 0 {
		return out
	}
	out = append(out, Reply{Kind: KindUnknown, Raw: append([]byte(nil), d.junk...)})
	d.junk = d.junk[:0]
	return out
}

// Status is what the printer said about itself, folded from replies. A
// field is only meaningful once the reply that carries it came in: see
// Known.
type Status struct {
	Known        uint8 // bit k set: a reply of Kind k has been applied (bit 5 for ASB)
	Offline      bool
	WaitOnline   bool // waiting for online recovery
	FeedButton   bool // paper being fed by the feed button
	Drawer       bool // drawer kick connector pin 3 is high
	CoverOpen    bool
	PaperOut     bool // printing stopped: paper end
	PaperNearEnd bool
	Error        bool // an error occurred (any of the causes below, or unknown)
	CutterError  bool
	Mechanical   bool
	Unrecover    bool // unrecoverable error: the printer must be power cycled
	AutoRecover  bool // automatically recoverable error (e.g. head too hot)
}

// Apply folds r into s. Unknown replies are ignored.
func (s *Status) Apply(r Reply) {
	if len(r.Raw) == 0 {
		return
	}
	b := r.Raw[0]
	bit := func(x byte, n uint) bool { return x&(1<<n) != 0 }
	switch r.Kind {
	case KindPrinter:
		s.Drawer = bit(b, 2)
		s.Offline = bit(b, 3)
		s.WaitOnline = bit(b, 5)
		s.FeedButton = bit(b, 6)
	case KindOffline:
		s.CoverOpen = bit(b, 2)
		s.FeedButton = bit(b, 3)
		s.PaperOut = bit(b, 5)
		s.Error = bit(b, 6)
	case KindError:
		s.Mechanical = bit(b, 2)
		s.CutterError = bit(b, 3)
		s.Unrecover = bit(b, 5)
		s.AutoRecover = bit(b, 6)
		s.Error = s.Error || s.Mechanical || s.CutterError || s.Unrecover || s.AutoRecover
	case KindPaper:
		// Bits 2,3 are the near-end sensor, 5,6 the end sensor; printers
		// set both bits of a pair.
		s.PaperNearEnd = b&0x0c != 0
		s.PaperOut = b&0x60 != 0
	case KindASB:
		if len(r.Raw) != 4 {
			return
		}
		s.Drawer = bit(b, 2)
		s.Offline = bit(b, 3)
		s.CoverOpen = bit(b, 5)
		s.FeedButton = bit(b, 6)
		e := r.Raw[1]
		s.Mechanical = bit(e, 2)
		s.CutterError = bit(e, 3)
		s.Unrecover = bit(e, 5)
		s.AutoRecover = bit(e, 6)
		s.Error = s.Mechanical || s.CutterError || s.Unrecover || s.AutoRecover
		p := r.Raw[2]
		s.PaperNearEnd = p&0x03 != 0
		s.PaperOut = p&0x0c != 0
	default:
		return
	}
	s.Known |= 1 << r.Kind
}

// OK reports whether the printer can print now: online, cover closed, paper
// in, no error. Paper near end is still OK.
func (s Status) OK() bool {
	return !s.Offline && !s.CoverOpen && !s.PaperOut && !s.Error
}

func (s Status) String() string {
	var f []string
	add := func(on bool, name string) {
		if on {
			f = append(f, name)
		}
	}
	add(s.Offline, "offline")
	add(s.WaitOnline, "wait-online")
	add(s.CoverOpen, "cover-open")
	add(s.PaperOut, "paper-out")
	add(s.PaperNearEnd, "paper-near-end")
	add(s.FeedButton, "feed-button")
	add(s.Error, "error")
	add(s.CutterError, "cutter")
	add(s.Mechanical, "mechanical")
	add(s.Unrecover, "unrecoverable")
	add(s.AutoRecover, "auto-recoverable")
	add(s.Drawer, "drawer")
	if len(f) == 0 {
		return "ok"
	}
	return strings.Join(f, ",")
}
