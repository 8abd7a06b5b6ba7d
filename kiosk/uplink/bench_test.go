package uplink_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"motcua/kiosk/queue"
	"motcua/kiosk/uplink"
)

// fill issues n tickets from 16 goroutines, so that commits are grouped.
func fill(b testing.TB, u *unitEnv, n int) {
	var wg sync.WaitGroup
	per := n / 16
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range per {
				if _, err := u.room.Do(func(e *queue.Engine) ([]queue.Event, error) { return e.Issue("dat-dai", false) }); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// BenchmarkCatchUp measures the catch-up after an outage: 10,000 events
// wait in the log; from the client's start (dial included) to the
// receiver's ack of the last one.
func BenchmarkCatchUp(b *testing.B) {
	const events = 10000
	u := newUnit(b)
	fill(b, u, events)
	last := u.log.Durable()
	var total time.Duration
	for b.Loop() {
		r := newReceiver(b, u.cfg.Unit.ID)
		a := newAcks()
		c := uplink.New(u.log, u.room, uplink.Options{URL: r.url, Token: testToken, Unit: u.cfg.Unit.ID, OnAck: a.on, SnapshotEvery: time.Hour})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		began := time.Now()
		go func() { done <- c.Run(ctx) }()
		a.waitFor(b, last)
		total += time.Since(began)
		cancel()
		<-done
	}
	b.ReportMetric(float64(last)*float64(b.N)/total.Seconds(), "events/s")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkSteadyLag measures the lag from an event's commit to its ack
// at a steady 200 events/s, and reports its median and 99th percentile.
func BenchmarkSteadyLag(b *testing.B) {
	u := newUnit(b)
	r := newReceiver(b, u.cfg.Unit.ID)
	var mu sync.Mutex
	committed := map[int64]time.Time{}
	var lags []time.Duration
	acked := int64(0)
	onAck := func(seq int64) {
		now := time.Now()
		mu.Lock()
		for s := acked + 1; s <= seq; s++ {
			if at, ok := committed[s]; ok {
				lags = append(lags, now.Sub(at))
				delete(committed, s)
			}
		}
		acked = max(acked, seq)
		mu.Unlock()
	}
	startClient(b, u, r.url, func(o *uplink.Options) {
		o.OnAck = onAck
		o.Logger = nil
	})
	fill(b, u, 16)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	b.ResetTimer()
	for b.Loop() {
		<-tick.C
		evs, err := u.room.Do(func(e *queue.Engine) ([]queue.Event, error) { return e.Issue("dat-dai", false) })
		if err != nil {
			b.Fatal(err)
		}
		// Do returns once the event is durable: that is when the uplink
		// may send it, and when the lag starts.
		mu.Lock()
		if evs[0].Seq > acked {
			committed[evs[0].Seq] = time.Now()
		}
		mu.Unlock()
	}
	deadline := time.After(10 * time.Second)
	for {
		mu.Lock()
		done := acked >= u.log.Durable()
		mu.Unlock()
		if done {
			break
		}
		select {
		case <-deadline:
			b.Fatal("not all acknowledged")
		case <-time.After(time.Millisecond):
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(lags) == 0 {
		b.Fatal("no lag measured")
	}
	slices.Sort(lags)
	b.ReportMetric(float64(lags[len(lags)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lags[len(lags)*99/100].Microseconds())/1000, "p99-ms")
}
