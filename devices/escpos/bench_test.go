package escpos

import (
	"encoding/json"
	"os"
	"testing"
	"time"
)

// benchTicket is the content of /work/shared/bench/printing/ticket.json,
// the anchor the project's benchmarks compare against.
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

var _ = json.Marshal
var _ = os.Getenv

func BenchmarkRender(b *testing.B) {
	r, err := NewRenderer()
	if err != nil {
		b.Fatal(err)
	}
	for _, mode := range []TextMode{Raster, TCVN3, ASCII} {
		for _, paper := range []Paper{Paper80, Paper58} {
			b.Run(mode.String()+"/"+paper.String(), func(b *testing.B) {
				l := Layout{Paper: paper, Mode: mode}
				var n int
				for b.Loop() {
					out, err := r.Render(benchTicket(), l)
					if err != nil {
						b.Fatal(err)
					}
					n = len(out)
				}
				b.ReportMetric(float64(n), "bytes/ticket")
				for _, baud := range []float64{9600, 19200, 115200} {
					b.ReportMetric(float64(n)*10/baud, "s@"+map[float64]string{9600: "9600", 19200: "19200", 115200: "115200"}[baud])
				}
			})
		}
	}
}
