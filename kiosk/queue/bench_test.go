package queue

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"motcua/kiosk/config"
)

// BenchmarkNextWithBookings measures Next on a day with 10,000 bookings
// against a day without any, the queues otherwise alike: b.N tickets wait
// (with bookings, every other one is a checked-in booking waiting from its
// From time; the other bookings stay booked), five counters call them in
// turn (each serving all three services, in its own order). It reports the p50 and p99 of one Next (the engine only: the
// durable write that follows is the same for both).
//
//	go test -run XXX -bench NextWithBookings -benchtime 5000x -count 3 ./kiosk/queue/
func BenchmarkNextWithBookings(b *testing.B) {
	for _, bookings := range []int{0, 10000} {
		b.Run(fmt.Sprintf("bookings=%d", bookings), func(b *testing.B) {
			cfg := apptConfig()
			cfg.Counters = []config.Counter{
				{ID: 1, Services: []string{"dat-dai", "ho-tich", "chung-thuc"}},
				{ID: 2, Services: []string{"ho-tich", "dat-dai", "chung-thuc"}},
				{ID: 3, Services: []string{"chung-thuc", "ho-tich", "dat-dai"}},
				{ID: 4, Services: []string{"dat-dai", "chung-thuc", "ho-tich"}},
				{ID: 5, Services: []string{"ho-tich", "chung-thuc", "dat-dai"}},
			}
			c := newClock("2026-12-03 06:00:00")
			e := New(cfg, c)
			services := []string{"dat-dai", "ho-tich", "chung-thuc"}
			for i := range bookings {
				from := 7*60 + i%600 // 07:00 to 16:59
				a := Appointment{Code: fmt.Sprintf("B%05d", i), Service: services[i%3], Date: "2026-12-03",
					From: fmt.Sprintf("%02d:%02d", from/60, from%60), To: fmt.Sprintf("%02d:%02d", from/60+1, from%60)}
				if _, _, _, err := e.Book(a); err != nil {
					b.Fatal(err)
				}
			}
			c.set("2026-12-03 07:00:00")
			for i := range b.N + 5 {
				c.add(100 * time.Millisecond)
				var err error
				if bookings > 0 && i%2 == 1 {
					_, _, _, err = e.CheckIn(fmt.Sprintf("B%05d", i))
				} else {
					_, err = e.Issue(services[i%3], i%7 == 0)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			for id := 1; id <= 5; id++ {
				e.Open(id, "Cán bộ")
			}
			took := make([]time.Duration, b.N)
			b.ResetTimer()
			for i := range b.N {
				c.add(time.Second)
				start := time.Now()
				evs, err := e.Next(1 + i%5)
				took[i] = time.Since(start)
				if err != nil || len(evs) == 0 {
					b.Fatalf("next %d: %v", i, err)
				}
			}
			b.StopTimer()
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Nanoseconds()), "p50-ns")
			b.ReportMetric(float64(took[len(took)*99/100].Nanoseconds()), "p99-ns")
		})
	}
}
