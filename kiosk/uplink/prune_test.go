package uplink_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"motcua/clock/clocktest"
	"motcua/kiosk"
	"motcua/kiosk/queue"
	"motcua/kiosk/uplink"
)

// twoDays fills a log with 10 events on 2026-08-01 and a few on
// 2026-11-26, and returns the seq of the second day's day.started.
func twoDays(t *testing.T, u *unitEnv) int64 {
	t.Helper()
	u.clk.Set(time.Date(2026, 8, 1, 8, 0, 0, 0, u.cfg.Location))
	u.issue(t, 9) // day.started + 9
	u.clk.Set(time.Date(2026, 11, 26, 8, 0, 0, 0, u.cfg.Location))
	day2 := u.log.Durable() + 1
	u.issue(t, 3)
	return day2
}

func first(t *testing.T, u *unitEnv) int64 {
	t.Helper()
	f, err := u.log.First(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestPruneKeepsUnacknowledged(t *testing.T) {
	u := newUnit(t)
	day2 := twoDays(t, u)
	now := func() time.Time { return time.Date(2026, 11, 26, 9, 0, 0, 0, u.cfg.Location) }
	c := uplink.New(u.log, u.room, uplink.Options{Clock: clocktest.New(now()), FreeSpace: func(string) (uint64, error) { return 1 << 40, nil }})
	ctx := context.Background()
	if err := c.Prune(ctx); err != nil {
		t.Fatal(err)
	}
	if got := first(t, u); got != 1 {
		t.Fatalf("nothing acknowledged: first is %d, want 1", got)
	}
	// Acknowledged up to 5: only 1..5 may go, although all of day 1 is
	// past the retention.
	if err := u.log.SetMeta(ctx, uplink.MetaAcked, "5"); err != nil {
		t.Fatal(err)
	}
	c = uplink.New(u.log, u.room, uplink.Options{Clock: clocktest.New(now()), FreeSpace: func(string) (uint64, error) { return 1 << 40, nil }})
	if err := c.Prune(ctx); err != nil {
		t.Fatal(err)
	}
	if got := first(t, u); got != 6 {
		t.Fatalf("acknowledged up to 5: first is %d, want 6", got)
	}
	// Everything acknowledged, retention far in the past: the current
	// day stays, since the daemon rebuilds its queue from it.
	last := u.log.Durable()
	u.log.SetMeta(ctx, uplink.MetaAcked, strconv.FormatInt(last, 10))
	c = uplink.New(u.log, u.room, uplink.Options{Retention: time.Nanosecond, Clock: clocktest.New(now().AddDate(1, 0, 0)),
		FreeSpace: func(string) (uint64, error) { return 1 << 40, nil }})
	if err := c.Prune(ctx); err != nil {
		t.Fatal(err)
	}
	if got := first(t, u); got != day2 {
		t.Fatalf("all acknowledged: first is %d, want %d (the current day's day.started)", got, day2)
	}
	// The room still rebuilds from what is left.
	if _, err := kiosk.OpenRoom(ctx, u.cfg, u.log, u.clk); err != nil {
		t.Fatalf("reopen after pruning: %v", err)
	}
}

func TestPruneRetention(t *testing.T) {
	u := newUnit(t)
	twoDays(t, u)
	ctx := context.Background()
	u.log.SetMeta(ctx, uplink.MetaAcked, strconv.FormatInt(u.log.Durable(), 10))
	// 2026-08-01 is 117 days before 2026-11-26: kept with a retention
	// of 200 days, pruned with 90.
	now := func() time.Time { return time.Date(2026, 11, 26, 9, 0, 0, 0, u.cfg.Location) }
	free := func(string) (uint64, error) { return 1 << 40, nil }
	c := uplink.New(u.log, u.room, uplink.Options{Retention: 200 * 24 * time.Hour, Clock: clocktest.New(now()), FreeSpace: free})
	if err := c.Prune(ctx); err != nil {
		t.Fatal(err)
	}
	if got := first(t, u); got != 1 {
		t.Fatalf("within retention: first is %d, want 1", got)
	}
	c = uplink.New(u.log, u.room, uplink.Options{Clock: clocktest.New(now()), FreeSpace: free})
	if err := c.Prune(ctx); err != nil {
		t.Fatal(err)
	}
	if got := first(t, u); got != 11 {
		t.Fatalf("past retention: first is %d, want 11", got)
	}
}

func TestDiskFullDropsOldestWithGap(t *testing.T) {
	u := newUnit(t)
	day2 := twoDays(t, u)
	ctx := context.Background()
	full := func(string) (uint64, error) { return 10 << 20, nil }
	c := uplink.New(u.log, u.room, uplink.Options{FreeSpace: full, Logger: testLogger(t)})
	if err := c.Prune(ctx); err != nil {
		t.Fatal(err)
	}
	if got := first(t, u); got != day2 {
		t.Fatalf("disk full: first is %d, want %d: unacknowledged events of past days go, today's stay", got, day2)
	}
	st := c.Status(ctx)
	if st.Dropped != day2-1 {
		t.Errorf("dropped: got %d, want %d", st.Dropped, day2-1)
	}
	dev, _ := kiosk.View(u.room, func(e *queue.Engine) []queue.Device { return e.State().Devices })
	var found bool
	for _, d := range dev {
		if d.Name == uplink.DeviceName {
			found = true
			if d.Status != queue.DeviceError || !strings.Contains(d.Detail, "disk nearly full") {
				t.Errorf("device: got %+v, want an error about the disk", d)
			}
		}
	}
	if !found {
		t.Error("no uplink device in the state")
	}
	// The receiver learns of the loss from a gap and stores the rest.
	r := newReceiver(t, u.cfg.Unit.ID)
	_, a := startClient(t, u, r.url, func(o *uplink.Options) { o.FreeSpace = full })
	last := u.log.Durable()
	a.waitFor(t, last)
	// The client may record and send one more device status meanwhile,
	// so the ack and the store are read at two moments: read the ack
	// first. The receiver acknowledges only what it stored and the store
	// only grows, so the store then holds day2 up to at least that ack,
	// without a hole.
	ack := r.srv.Units()[0].Ack
	seqs, _ := storedSeqs(t, r.store, u.cfg.Unit.ID)
	if ack < last || len(seqs) == 0 || seqs[0] != day2 || seqs[len(seqs)-1] < ack || int64(len(seqs)) != seqs[len(seqs)-1]-day2+1 {
		t.Fatalf("receiver stored %v (ack %d), want %d..%d or more, without a hole", seqs, ack, day2, ack)
	}
	if un := r.srv.Units(); un[0].Lost != day2-1 {
		t.Errorf("receiver counts %d lost events, want %d", un[0].Lost, day2-1)
	}
}
