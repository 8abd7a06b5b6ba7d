package eventlog_test

import (
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"motcua/clock"
	"motcua/kiosk/config"
	"motcua/kiosk/eventlog"
	"motcua/kiosk/queue"
)

// issuer makes the events of real ticket issues, in sequence.
type issuer struct {
	mu  sync.Mutex
	eng *queue.Engine
}

func newIssuer() *issuer {
	return &issuer{eng: queue.New(config.Demo(), clock.Trusted{})}
}

// issue draws a ticket and hands its events to l, as [kiosk.Room.Do]
// does: in order under the lock, durable after it.
func (is *issuer) issue(l *eventlog.Log) error {
	is.mu.Lock()
	evs, err := is.eng.Issue("dat-dai", false)
	if err != nil {
		is.mu.Unlock()
		return err
	}
	wait := l.Enqueue(evs)
	is.mu.Unlock()
	return wait()
}

// bareSync writes size bytes to f and syncs it: the least a durable
// append can cost on this disk.
func bareSync(b *testing.B, f *os.File, buf []byte) {
	if _, err := f.Write(buf); err != nil {
		b.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		b.Fatal(err)
	}
}

func percentile(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// BenchmarkAppend appends one ticket.issued event at a time (timed from
// Enqueue until it is durable) and, in the
// same loop, writes and fsyncs a file of the event's size in the same
// directory. It reports both latencies and their ratio, and the commits
// (one sync each) per event.
func BenchmarkAppend(b *testing.B) {
	dir := b.TempDir()
	l, err := eventlog.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	var commits, size atomic.Int64
	l.OnCommit = func(recs []eventlog.Record) {
		commits.Add(1)
		size.Store(int64(len(recs[len(recs)-1].Data)))
	}
	is := newIssuer()
	for range 2 { // day.started and the first ticket, then a ticket alone
		if err := is.issue(l); err != nil {
			b.Fatal(err)
		}
	}
	f, err := os.OpenFile(filepath.Join(dir, "bare"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, size.Load())
	commits.Store(0)
	app := make([]time.Duration, 0, b.N)
	bare := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		is.mu.Lock()
		evs, err := is.eng.Issue("dat-dai", false)
		if err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		wait := l.Enqueue(evs)
		is.mu.Unlock()
		if err := wait(); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		bareSync(b, f, buf)
		app = append(app, t1.Sub(t0))
		bare = append(bare, time.Since(t1))
	}
	b.StopTimer()
	var bad int
	if err := l.DB().QueryRow(`SELECT count(*) FROM events WHERE at IS NOT json_extract(data, '$.at')`).Scan(&bad); err != nil || bad > 0 {
		b.Fatalf("column at differs from the event's at in %d rows (%v)", bad, err)
	}
	report(b, app, bare)
	b.ReportMetric(float64(commits.Load())/float64(b.N), "commits/op")
	b.ReportMetric(float64(size.Load()), "event-bytes")
}

func report(b *testing.B, got, bare []time.Duration) {
	p50, p99 := percentile(got, 0.50), percentile(got, 0.99)
	s50, s99 := percentile(bare, 0.50), percentile(bare, 0.99)
	b.ReportMetric(float64(p50.Microseconds()), "p50-µs")
	b.ReportMetric(float64(p99.Microseconds()), "p99-µs")
	b.ReportMetric(float64(s50.Microseconds()), "fsync-p50-µs")
	b.ReportMetric(float64(s99.Microseconds()), "fsync-p99-µs")
	b.ReportMetric(float64(p50)/float64(s50), "ratio-p50")
	b.ReportMetric(float64(p99)/float64(s99), "ratio-p99")
}

// BenchmarkAppendParallel appends from several goroutines at once and
// reports events per second and commits (syncs) per event: group commit
// makes it fewer than one.
func BenchmarkAppendParallel(b *testing.B) {
	l, err := eventlog.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	var commits, events atomic.Int64
	l.OnCommit = func(recs []eventlog.Record) {
		commits.Add(1)
		events.Add(int64(len(recs)))
	}
	is := newIssuer()
	if err := is.issue(l); err != nil {
		b.Fatal(err)
	}
	commits.Store(0)
	events.Store(0)
	b.SetParallelism(4) // 8 goroutines on 2 cores
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := is.issue(l); err != nil {
				b.Error(err)
				return
			}
		}
	})
	el := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/el.Seconds(), "events/s")
	b.ReportMetric(float64(commits.Load())/float64(events.Load()), "commits/event")
}
