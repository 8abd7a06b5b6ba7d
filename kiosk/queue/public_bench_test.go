package queue

import (
	"testing"
	"time"
)

// BenchmarkByPublic looks public ids up among 1,000 tickets of the day,
// taking turns: a known id, an unknown one, and one that differs from the
// known id only in its last character. It reports the mean time of each
// (ns-known, ns-unknown, ns-near); taking turns keeps the machine's load
// the same for the three. The two misses take the same time whatever the
// id (the scan compares every ticket in constant time and never stops
// early); a hit costs more, for its place in the queue, and answers 200.
func BenchmarkByPublic(b *testing.B) {
	e := New(testConfig(), newClock("2026-11-26 08:00:00"))
	var last *Ticket
	for range 1000 {
		evs, err := e.Issue("dat-dai", false)
		if err != nil {
			b.Fatal(err)
		}
		last = evs[len(evs)-1].Ticket
	}
	near := last.Public[:PublicLen-1] + "a"
	if near == last.Public {
		near = last.Public[:PublicLen-1] + "b"
	}
	ids := []string{last.Public, "abcdefghijklmnopqrstuvwxyz", near}
	var sum [3]time.Duration
	var n [3]int
	i := 0
	for b.Loop() {
		k := i % 3
		start := time.Now()
		e.ByPublic(ids[k])
		sum[k] += time.Since(start)
		n[k]++
		i++
	}
	for k, name := range []string{"ns-known", "ns-unknown", "ns-near"} {
		if n[k] > 0 {
			b.ReportMetric(float64(sum[k].Nanoseconds())/float64(n[k]), name)
		}
	}
}
