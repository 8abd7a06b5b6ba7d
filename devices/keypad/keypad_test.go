package keypad_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"motcua/devices/keypad"
	"motcua/devices/modbus"
	"motcua/devices/modbus/modbustest"
)

func TestKeys(t *testing.T) {
	tests := []struct {
		key    keypad.Key
		name   string
		action string
		score  int
	}{
		{keypad.KeyNext, "next", "next", 0},
		{keypad.KeyRecall, "recall", "recall", 0},
		{keypad.KeySkip, "skip", "skip", 0},
		{keypad.KeyDone, "done", "done", 0},
		{keypad.KeyTransfer, "transfer", "transfer", 0},
		{keypad.KeyRating4, "rating4", "rating", 4},
		{keypad.KeyRating3, "rating3", "rating", 3},
		{keypad.KeyRating2, "rating2", "rating", 2},
		{keypad.KeyRating1, "rating1", "rating", 1},
		{keypad.Key(0), "Key(0)", "", 0},
	}
	for _, tt := range tests {
		if got := tt.key.String(); got != tt.name {
			t.Errorf("String = %q, want %q", got, tt.name)
		}
		if got := tt.key.Action(); got != tt.action {
			t.Errorf("%v: Action = %q, want %q", tt.key, got, tt.action)
		}
		if got := tt.key.Score(); got != tt.score {
			t.Errorf("%v: Score = %d, want %d", tt.key, got, tt.score)
		}
	}
	if got := keypad.KindCombined.Keys(); len(got) != 9 || got[5] != keypad.KeyRating4 {
		t.Errorf("combined keys %v", got)
	}
}

// fakeBus answers reads from a table, or fails for slaves in down.
type fakeBus struct {
	mu    sync.Mutex
	regs  map[byte][]uint16
	down  map[byte]bool
	polls map[byte]int
}

func (b *fakeBus) ReadInputRegisters(_ context.Context, slave byte, addr, qty uint16) ([]uint16, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.polls[slave]++
	if b.down[slave] {
		return nil, modbus.ErrTimeout
	}
	r := b.regs[slave]
	if int(addr)+int(qty) > len(r) {
		return nil, errors.New("fake: bad read")
	}
	return slices.Clone(r[addr : addr+qty]), nil
}

func (b *fakeBus) set(slave byte, i int, v uint16) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.regs[slave][i] = v
}

func TestPresses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bus := &fakeBus{
			regs:  map[byte][]uint16{1: {10, 0, 0, 0, 65535}, 2: {57, 0, 0, 0}},
			down:  map[byte]bool{},
			polls: map[byte]int{},
		}
		var got []keypad.Press
		var statuses []keypad.Status
		p, err := keypad.NewPoller(bus, []keypad.Pad{
			{Counter: 1, Slave: 1, Kind: keypad.KindCall},
			{Counter: 1, Slave: 2, Kind: keypad.KindRating},
		}, keypad.Options{
			OnPress:  func(pr keypad.Press) { got = append(got, pr) },
			OnStatus: func(s keypad.Status) { statuses = append(statuses, s) },
		})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- p.Run(ctx) }()
		synctest.Wait() // first poll: counters recorded, no presses
		if len(got) != 0 || len(statuses) != 2 || !statuses[0].OK || !statuses[1].OK {
			t.Fatalf("after first poll: presses %v, statuses %+v", got, statuses)
		}
		bus.set(1, 0, 12) // two Next
		bus.set(1, 4, 0)  // one Transfer, across the wrap
		bus.set(2, 1, 1)  // one Hài lòng
		bus.set(2, 0, 1)  // 57 → 1: a restart, not 65480 presses
		time.Sleep(200 * time.Millisecond)
		synctest.Wait()
		want := []keypad.Press{{1, keypad.KeyNext}, {1, keypad.KeyNext}, {1, keypad.KeyTransfer}, {1, keypad.KeyRating3}}
		if !slices.Equal(got, want) {
			t.Errorf("presses %v, want %v", got, want)
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run: %v", err)
		}
	})
}

func TestDeadKeypadBacksOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bus := &fakeBus{
			regs:  map[byte][]uint16{1: make([]uint16, 5), 2: make([]uint16, 5)},
			down:  map[byte]bool{1: true},
			polls: map[byte]int{},
		}
		var statuses []keypad.Status
		p, _ := keypad.NewPoller(bus, []keypad.Pad{{Counter: 1, Slave: 1}, {Counter: 2, Slave: 2}}, keypad.Options{
			MinBackoff: time.Second, MaxBackoff: 2 * time.Second,
			OnPress:  func(keypad.Press) {},
			OnStatus: func(s keypad.Status) { statuses = append(statuses, s) },
		})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- p.Run(ctx) }()
		time.Sleep(10*time.Second - time.Millisecond)
		synctest.Wait()
		bus.mu.Lock()
		dead, alive := bus.polls[1], bus.polls[2]
		bus.mu.Unlock()
		if alive != 50 {
			t.Errorf("live keypad polled %d times in 10 s, want 50", alive)
		}
		// Backoffs of 0.5–1 s, then 1–2 s: between 6 and 11 polls in 10 s.
		if dead < 6 || dead > 11 {
			t.Errorf("dead keypad polled %d times in 10 s, want 6 to 11", dead)
		}
		if len(statuses) != 2 || statuses[0].OK || !errors.Is(statuses[0].Err, modbus.ErrTimeout) || statuses[0].Pad.Slave != 1 || !statuses[1].OK {
			t.Errorf("statuses %+v, want slave 1 failing once and slave 2 OK", statuses)
		}
		bus.mu.Lock()
		bus.down[1] = false
		bus.mu.Unlock()
		time.Sleep(3 * time.Second)
		synctest.Wait()
		if last := statuses[len(statuses)-1]; len(statuses) != 3 || !last.OK || last.Pad.Slave != 1 {
			t.Errorf("statuses %+v, want slave 1 recovered", statuses)
		}
		cancel()
		<-done
	})
}

func TestNewPollerErrors(t *testing.T) {
	ok := func(keypad.Press) {}
	tests := []struct {
		pads []keypad.Pad
		o    keypad.Options
	}{
		{nil, keypad.Options{}},
		{[]keypad.Pad{{Slave: 0}}, keypad.Options{OnPress: ok}},
		{[]keypad.Pad{{Slave: 3}, {Slave: 3}}, keypad.Options{OnPress: ok}},
		{[]keypad.Pad{{Slave: 3, Kind: 9}}, keypad.Options{OnPress: ok}},
	}
	for _, tt := range tests {
		if _, err := keypad.NewPoller(nil, tt.pads, tt.o); !errors.Is(err, keypad.ErrOpts) {
			t.Errorf("%+v: got %v, want ErrOpts", tt.pads, err)
		}
	}
}

// newBus joins a master and an emulated bus with a pseudo-terminal.
func newBus(tb testing.TB, cfg modbus.Config, pace bool) (*modbus.Master, *modbustest.Server) {
	tb.Helper()
	mf, sf, err := modbustest.Pair()
	if err != nil {
		tb.Fatal(err)
	}
	var ct time.Duration
	if pace {
		ct = cfg.CharTime()
	}
	srv := modbustest.NewServer(sf, ct)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			tb.Errorf("server: %v", err)
		}
		mf.Close()
		sf.Close()
	})
	m, err := modbus.New(mf, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return m, srv
}

// End to end: keypads emulated on a pseudo-terminal, polled by a real master.
func TestOverRTU(t *testing.T) {
	m, srv := newBus(t, modbus.Config{Baud: 115200, Timeout: time.Second}, false)
	call, rating := srv.Add(11), srv.Add(12)
	answered := make(chan struct{}, 2)
	once := func(sl *modbustest.Slave) {
		var o sync.Once
		sl.OnAnswered(func([]byte) { o.Do(func() { answered <- struct{}{} }) })
	}
	once(call)
	once(rating)
	presses := make(chan keypad.Press, 16)
	p, err := keypad.NewPoller(m, []keypad.Pad{
		{Counter: 3, Slave: 11, Kind: keypad.KindCall},
		{Counter: 3, Slave: 12, Kind: keypad.KindRating},
	}, keypad.Options{Interval: 2 * time.Millisecond, OnPress: func(pr keypad.Press) { presses <- pr }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.Run(ctx) }()
	defer func() { cancel(); <-done }()

	// Wait until both pads have a baseline: each has answered once.
	<-answered
	<-answered
	call.AddInput(3, 1)   // Done
	rating.AddInput(0, 1) // Rất hài lòng
	got := []keypad.Press{<-presses, <-presses}
	// Two pads are polled in turn: which press comes first depends on
	// where the poll round was when they were pressed.
	slices.SortFunc(got, func(a, b keypad.Press) int { return int(a.Key) - int(b.Key) })
	want := []keypad.Press{{3, keypad.KeyDone}, {3, keypad.KeyRating4}}
	slices.SortFunc(want, func(a, b keypad.Press) int { return int(a.Key) - int(b.Key) })
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if req := call.LastRequest(); fmt.Sprintf("% x", req[:6]) != "0b 04 00 00 00 05" {
		t.Errorf("poll frame % x, want function 04 of 5 registers from 0", req)
	}
}

// BenchmarkPoll measures polls of one counter keypad against an emulator
// that answers at the pace of the line, and from the measured rate how many
// counters (one call keypad each) one bus can poll every 200 ms.
func BenchmarkPoll(b *testing.B) {
	for _, bc := range []struct {
		baud   int
		parity modbus.Parity
		pace   bool
	}{{9600, modbus.ParityNone, true}, {9600, modbus.ParityEven, true}, {115200, modbus.ParityNone, true}, {115200, modbus.ParityEven, true},
		{115200, modbus.ParityNone, false}} {
		cfg := modbus.Config{Baud: bc.baud, Parity: bc.parity, Timeout: time.Second}
		name := fmt.Sprintf("%d-8%s", bc.baud, bc.parity)
		if !bc.pace {
			name += "-unpaced" // the floor: pty and emulator latency, gaps only
		}
		b.Run(name, func(b *testing.B) {
			m, srv := newBus(b, cfg, bc.pace)
			srv.Add(1)
			p, _ := keypad.NewPoller(m, []keypad.Pad{{Counter: 1, Slave: 1}}, keypad.Options{OnPress: func(keypad.Press) {}})
			ctx := context.Background()
			p.PollOnce(ctx) // drain and baseline outside the measurement
			before := m.Stats()
			start := time.Now()
			n := 0
			for b.Loop() {
				p.PollOnce(ctx)
				n++
			}
			el := time.Since(start)
			after := m.Stats()
			if after.Transactions-before.Transactions != uint64(n) {
				b.Fatalf("%d of %d polls answered", after.Transactions-before.Transactions, n)
			}
			perOp := float64(after.BytesOut+after.BytesIn-before.BytesOut-before.BytesIn) / float64(n)
			phys := (perOp + 7) * float64(cfg.CharTime()) / float64(time.Second)
			measured := float64(n) / el.Seconds()
			b.ReportMetric(perOp, "bus-bytes/op")
			b.ReportMetric(1/phys, "phys-tx/s")
			b.ReportMetric(measured, "tx/s")
			b.ReportMetric(100*measured*phys, "%-of-phys")
			b.ReportMetric(float64(int(0.2*measured)), "counters/200ms")
		})
	}
}
