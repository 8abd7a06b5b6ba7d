package faulttest

import (
	"math/rand/v2"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// events5000 is how many tickets the outage test issues; -short shrinks
// it.
func count(t *testing.T, n int) int {
	if testing.Short() {
		return n / 5
	}
	return n
}

var caughtUp = regexp.MustCompile(`uplink: caught up" .*events=(\d+) seconds=([0-9.e+-]+)`)

// TestReceiverDownThenUp: 5,000 events happen while the receiver is
// down; once it is up, all arrive, in order, once.
func TestReceiverDownThenUp(t *testing.T) {
	r := newReceiver(t)
	k := newKioskConfig(t, r.url())
	k.start(t)
	n := count(t, 5000)
	if got := k.issue(n, 8); got != n {
		t.Fatalf("issued %d tickets, want %d", got, n)
	}
	k.waitLog("uplink: disconnected")
	r.start(t)
	took := converge(t, k, r, 30*time.Second)
	total := checkSame(t, k, r)
	if total < n {
		t.Fatalf("kiosk log has %d events, want at least %d", total, n)
	}
	if m := caughtUp.FindAllStringSubmatch(k.logText(), -1); len(m) > 0 {
		ev, _ := strconv.Atoi(m[len(m)-1][1])
		sec, _ := strconv.ParseFloat(m[len(m)-1][2], 64)
		t.Logf("catch-up: %d events sent in %.3fs (%.0f/s); fully acknowledged %s after the receiver started", ev, sec, float64(ev)/sec, took)
	}
}

// issueWhile issues tickets in the background until stop is closed.
func issueWhile(k *kiosk, stop <-chan struct{}) (wait func() int) {
	var n atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			n.Add(int64(k.issue(20, 4)))
		}
	}()
	return func() int {
		wg.Wait()
		return int(n.Load())
	}
}

// jitter is a random pause between faults: the faults are meant to land
// at random points of the stream.
func jitter(lo, hi time.Duration) {
	time.Sleep(lo + rand.N(hi-lo))
}

// TestReceiverKilled: the receiver is killed with SIGKILL mid-stream and
// restarted, many times; its store ends with exactly seq 1..N.
func TestReceiverKilled(t *testing.T) {
	r := newReceiver(t)
	k := newKioskConfig(t, r.url())
	k.start(t)
	r.start(t)
	stop := make(chan struct{})
	issued := issueWhile(k, stop)
	for range count(t, 10) {
		jitter(100*time.Millisecond, 400*time.Millisecond)
		r.kill()
		jitter(10*time.Millisecond, 200*time.Millisecond)
		r.start(t)
	}
	close(stop)
	n := issued()
	converge(t, k, r, 30*time.Second)
	total := checkSame(t, k, r)
	t.Logf("%d tickets issued, %d events stored once each across %d receiver kills", n, total, count(t, 10))
}

// TestKioskKilled: the kiosk is killed with SIGKILL mid-stream and
// restarted, many times; the receiver ends with exactly its log.
func TestKioskKilled(t *testing.T) {
	r := newReceiver(t)
	r.start(t)
	k := newKioskConfig(t, r.url())
	k.start(t)
	for range count(t, 6) {
		stop := make(chan struct{})
		issued := issueWhile(k, stop)
		jitter(150*time.Millisecond, 400*time.Millisecond)
		k.kill()
		close(stop)
		issued()
		k.start(t)
	}
	k.issue(100, 4)
	converge(t, k, r, 30*time.Second)
	total := checkSame(t, k, r)
	t.Logf("%d events stored once each across %d kiosk kills", total, count(t, 6))
}
