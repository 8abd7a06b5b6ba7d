package uplink_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"motcua/kiosk/uplink"
	"motcua/uplinkproto"
)

// TestStatusMessages sends the unit's status to a real receiver: at
// connect, on a change at the next check, and a change of the free disk
// alone only with the status every StatusEvery.
func TestStatusMessages(t *testing.T) {
	u := newUnit(t)
	r := newReceiver(t, u.cfg.Unit.ID)
	clk := clockwork.NewFakeClock()
	var mu sync.Mutex
	cur := uplinkproto.UnitStatus{At: "2026-11-26T08:00:00+07:00", Version: "test", Queue: 1, Printer: uplinkproto.LevelOK, Paper: uplinkproto.PaperOK,
		Scanner: uplinkproto.LevelNone, Displays: uplinkproto.LevelOK, DiskFree: 4 << 30, ClockSynced: true}
	made := make(chan struct{}, 16)
	set := func(mod func(*uplinkproto.UnitStatus)) {
		mu.Lock()
		mod(&cur)
		mu.Unlock()
	}
	_, acks := startClient(t, u, r.url, func(o *uplink.Options) {
		o.Clock = clk
		o.StatusCheck, o.StatusEvery = 15*time.Second, 2*time.Minute
		o.Status = func(context.Context) (uplinkproto.UnitStatus, error) {
			mu.Lock()
			defer mu.Unlock()
			made <- struct{}{}
			return cur, nil
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// A status reaches the receiver before the events sent after it: an
	// event's ack says the status before it is stored.
	stored := func() *uplinkproto.UnitStatus {
		t.Helper()
		u.issue(t, 1)
		acks.waitFor(t, u.log.Durable())
		fleet, err := r.srv.FleetView(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(fleet) != 1 || fleet[0].Status == nil {
			t.Fatalf("got fleet %+v, want the unit with a status", fleet)
		}
		return fleet[0].Status
	}
	check := func() {
		t.Helper()
		if err := clk.BlockUntilContext(ctx, 1); err != nil {
			t.Fatal(err)
		}
		clk.Advance(15 * time.Second)
		select {
		case <-made:
		case <-ctx.Done():
			t.Fatal("no status made at the check")
		}
	}
	<-made
	if st := stored(); st.Version != "test" || st.Paper != uplinkproto.PaperOK {
		t.Fatalf("at connect: got %+v", st)
	}

	set(func(s *uplinkproto.UnitStatus) { s.Paper, s.Printer = uplinkproto.PaperOut, uplinkproto.LevelError })
	check()
	if st := stored(); st.Paper != uplinkproto.PaperOut || st.Printer != uplinkproto.LevelError {
		t.Fatalf("after the paper ran out: got %+v", st)
	}

	set(func(s *uplinkproto.UnitStatus) { s.DiskFree = 3 << 30 })
	check()
	if st := stored(); st.DiskFree != 4<<30 {
		t.Fatalf("the free disk alone changed: got %d sent, want the status before (%d)", st.DiskFree, 4<<30)
	}
	for range 7 { // 2 minutes after the last status
		check()
	}
	if st := stored(); st.DiskFree != 3<<30 {
		t.Fatalf("after StatusEvery: got disk_free %d, want %d", st.DiskFree, 3<<30)
	}
}
