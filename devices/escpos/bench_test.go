package escpos

import (
	"strconv"
	"testing"
	"time"
)

// benchTicket is the content of the project's printing anchor
// (bench/printing/ticket.json): the figures in the docs compare against it.
func benchTicket() Ticket {
	return Ticket{
		Unit:    "UBND XÃ QUỲNH HẢI",
		Lines:   []string{"Trung tâm Phục vụ hành chính công"},
		Service: "Lĩnh vực: Tư pháp – Hộ tịch",
		Number:  "A023",
		Issued:  time.Date(2026, 11, 26, 8, 15, 0, 0, time.FixedZone("ICT", 7*3600)),
		Ahead:   4,
		Wait:    12 * time.Minute,
		QR:      "https://dichvucong.example.gov.vn/q/xa-quynh-hai/20261126-A023",
		Footer:  "Xin cảm ơn quý khách!",
	}
}

// BenchmarkRender measures one ticket's encode time (ns/op) and reports its
// size (bytes/ticket) and its time on a serial line, 8N1 with no flow
// control stalls (s@BAUD = bytes × 10 / baud).
func BenchmarkRender(b *testing.B) {
	r, err := NewRenderer()
	if err != nil {
		b.Fatal(err)
	}
	for _, mode := range []TextMode{Raster, TCVN3, ASCII} {
		for _, paper := range []Paper{Paper80, Paper58} {
			b.Run(mode.String()+"/"+paper.String(), func(b *testing.B) {
				l := Layout{Paper: paper, Mode: mode}
				tk := benchTicket()
				var n int
				for b.Loop() {
					out, err := r.Render(tk, l)
					if err != nil {
						b.Fatal(err)
					}
					n = len(out)
				}
				b.ReportMetric(float64(n), "bytes/ticket")
				for _, baud := range []int{9600, 19200, 115200} {
					b.ReportMetric(float64(n)*10/float64(baud), "s@"+strconv.Itoa(baud))
				}
			})
		}
	}
}

// BenchmarkDecoder measures status decoding of a mixed reply stream.
func BenchmarkDecoder(b *testing.B) {
	in := []byte{0x12, 0x16, 0x32, 0x1e, 0x10, 0x00, 0x0c, 0x00, 0xff}
	var d Decoder
	var out []Reply
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		for n := byte(1); n <= 4; n++ {
			d.Expect(n)
		}
		out = d.Feed(in, out[:0])
	}
	if len(out) != 6 {
		b.Fatalf("got %d replies, want 6", len(out))
	}
}
