package printertest

import (
	"bytes"
	"math/rand/v2"
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

// TestSplitRandom feeds tickets of every text and cut mode, each followed
// by its status queries, in reads of random sizes (many of one to a few
// bytes, so reads end inside GS v 0, GS ( k and ESC t headers): each job is
// recorded once, whole, with four replies after it.
func TestSplitRandom(t *testing.T) {
	r, err := escpos.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	var q escpos.Encoder
	for n := byte(1); n <= 4; n++ {
		q.StatusQuery(n)
	}
	var jobs [][]byte
	var all []byte
	for _, mode := range []escpos.TextMode{escpos.Raster, escpos.TCVN3, escpos.ASCII} {
		for _, cut := range []escpos.CutMode{escpos.PartialCut, escpos.FullCut, escpos.NoCut} {
			job, err := r.Render(escpos.Ticket{Unit: "UBND XÃ QUỲNH HẢI", Service: "Đất đai", Number: "A003",
				Issued: time.Date(2026, 11, 26, 8, 2, 0, 0, time.UTC), Ahead: 2, Wait: 6 * time.Minute,
				QR: "https://example.gov.vn/q/3", Footer: "Xin cảm ơn quý khách!"}, escpos.Layout{Mode: mode, Cut: cut})
			if err != nil {
				t.Fatal(err)
			}
			jobs = append(jobs, job)
			all = append(append(all, job...), q.Bytes()...)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		e := New()
		var buf, out []byte
		for off := 0; off < len(all); {
			n := 1 + rng.IntN(8)
			if rng.IntN(4) == 0 {
				n = 1 + rng.IntN(3000)
			}
			n = min(n, len(all)-off)
			var o []byte
			buf, o = e.take(append(buf, all[off:off+n]...))
			out = append(out, o...)
			off += n
		}
		got := e.Jobs()
		if len(got) != len(jobs) || len(out) != 4*len(jobs) || len(buf) != 0 || e.Garbage() != 0 {
			t.Fatalf("round %d: %d jobs, %d replies, %d bytes left, %d garbage; want %d jobs, %d replies",
				round, len(got), len(out), len(buf), e.Garbage(), len(jobs), 4*len(jobs))
		}
		for i := range jobs {
			if !bytes.Equal(got[i], jobs[i]) {
				t.Fatalf("round %d: job %d differs (%d B, want %d B)", round, i, len(got[i]), len(jobs[i]))
			}
		}
	}
}
