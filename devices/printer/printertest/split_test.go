package printertest

import (
	"testing"
	"time"

	"motcua/devices/escpos"
)

// TestSplitAnywhere feeds a ticket and its status queries in two reads,
// split at every byte: the emulator must record the job once and answer
// the four queries, wherever a read ends.
func TestSplitAnywhere(t *testing.T) {
	r, err := escpos.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	job, err := r.Render(escpos.Ticket{Unit: "UBND XÃ QUỲNH HẢI", Service: "Đất đai", Number: "A003",
		Issued: time.Date(2026, 11, 26, 8, 2, 0, 0, time.UTC), Ahead: 2, Wait: 6 * time.Minute,
		QR: "https://example.gov.vn/q/3", Footer: "Xin cảm ơn quý khách!"}, escpos.Layout{Mode: escpos.Raster})
	if err != nil {
		t.Fatal(err)
	}
	var q escpos.Encoder
	for n := byte(1); n <= 4; n++ {
		q.StatusQuery(n)
	}
	all := append(append([]byte{}, job...), q.Bytes()...)
	for cut := 1; cut < len(all); cut++ {
		e := New()
		buf, out := e.take(append([]byte(nil), all[:cut]...))
		buf = append(buf, all[cut:]...)
		buf, o := e.take(buf)
		out = append(out, o...)
		if len(e.Jobs()) != 1 || len(out) != 4 {
			t.Fatalf("cut at %d of %d: %d jobs, %d replies, %d left, garbage %d", cut, len(all), len(e.Jobs()), len(out), len(buf), e.Garbage())
		}
	}
}
