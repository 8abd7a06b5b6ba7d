package receiver

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"motcua/uplinkproto"
)

func TestStoreAckAndResume(t *testing.T) {
	e := newEnv(t)
	c, ack := e.connect(tokenA, unitA, 1, 5)
	if ack != 0 {
		t.Fatalf("welcome: got ack %d, want 0", ack)
	}
	for i := int64(1); i <= 5; i++ {
		c.send(event(i, ""))
	}
	c.waitAck(5)
	if got := e.stored(unitA); !slices.Equal(got, seqRange(1, 5)) {
		t.Fatalf("stored %v, want 1..5", got)
	}
	// A resend of what is stored is ignored; the stream goes on.
	c.send(event(4, ""), event(5, ""), event(6, ""))
	c.waitAck(6)
	c.ws.Close()

	// After a restart the unit resumes from the stored ack.
	e.restart()
	c, ack = e.connect(tokenA, unitA, 1, 8)
	if ack != 6 {
		t.Fatalf("welcome after a restart: got ack %d, want 6", ack)
	}
	c.send(event(7, ""), event(8, ""))
	c.waitAck(8)
	if got := e.stored(unitA); !slices.Equal(got, seqRange(1, 8)) {
		t.Fatalf("stored %v, want 1..8", got)
	}
	if st := e.status(unitA); st.Ack != 8 || !st.Connected || st.LagEvents != 0 {
		t.Errorf("status: got %+v, want ack 8, connected, no lag", st)
	}
}

func TestUnitsAreSeparate(t *testing.T) {
	e := newEnv(t)
	a, _ := e.connect(tokenA, unitA, 1, 3)
	b, _ := e.connect(tokenB, unitB, 1, 2)
	a.send(event(1, ""), event(2, ""), event(3, ""))
	b.send(event(1, ""), event(2, ""))
	a.waitAck(3)
	b.waitAck(2)
	if got := e.stored(unitA); !slices.Equal(got, seqRange(1, 3)) {
		t.Errorf("unit a: stored %v", got)
	}
	if got := e.stored(unitB); !slices.Equal(got, seqRange(1, 2)) {
		t.Errorf("unit b: stored %v", got)
	}
}

// Each way a connection ends for a bad message: the unit is told why in
// the close frame, nothing of it is stored, and the unit can come back.
func TestBadMessageClosesWithReason(t *testing.T) {
	tests := []struct {
		name   string
		hello  string // "" = a good hello
		msgs   []string
		code   int
		reason string
	}{
		{name: "hole", msgs: []string{event(1, ""), event(3, "")}, code: websocket.ClosePolicyViolation, reason: "event 3 after 1"},
		{name: "not json", msgs: []string{"{nope"}, code: websocket.ClosePolicyViolation, reason: "not a JSON message"},
		{name: "second hello", msgs: []string{string(uplinkproto.Hello(unitA, 1, 2))}, code: websocket.ClosePolicyViolation, reason: "a second hello"},
		{name: "event before hello", hello: event(1, ""), code: websocket.ClosePolicyViolation, reason: "event before hello"},
		{name: "hello of another unit", hello: string(uplinkproto.Hello(unitB, 1, 2)), code: websocket.ClosePolicyViolation, reason: `with the token of "unit-a"`},
		{name: "server message", msgs: []string{`{"type":"ack","seq":1}`}, code: websocket.ClosePolicyViolation, reason: `unexpected message type "ack"`},
		{name: "snapshot ahead of the events", msgs: []string{event(1, ""), `{"type":"snapshot","seq":9,"state":{"seq":9}}`}, code: websocket.ClosePolicyViolation, reason: "snapshot at seq 9 from unit unit-a, but its events end at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			c := e.dial(tokenA)
			if tt.hello != "" {
				c.send(tt.hello)
			} else {
				c.send(string(uplinkproto.Hello(unitA, 1, 5)))
				if m := c.read(); m.Type != uplinkproto.TypeWelcome {
					t.Fatalf("got %s, want welcome", m.Raw)
				}
			}
			c.send(tt.msgs...)
			ce := c.closed()
			if ce == nil || ce.Code != tt.code || !strings.Contains(ce.Text, tt.reason) {
				t.Fatalf("got close %v, want code %d with %q", ce, tt.code, tt.reason)
			}
			// Event 1 may be stored, or not when it came in one batch
			// with the bad message; nothing else.
			if got := e.stored(unitA); len(got) > 1 || len(got) == 1 && got[0] != 1 {
				t.Errorf("stored %v, want at most event 1", got)
			}
			// The unit is not locked out.
			c2, ack := e.connect(tokenA, unitA, 1, 5)
			c2.send(event(ack+1, ""))
			c2.waitAck(ack + 1)
		})
	}
}

func TestRefusedBeforeUpgrade(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name   string
		token  string
		protos []string
		status int
	}{
		{"no token", "", []string{uplinkproto.Subprotocol}, 401},
		{"wrong token", "token-zzzzzzzzzzzz", []string{uplinkproto.Subprotocol}, 401},
		{"token with a suffix", tokenA + "x", []string{uplinkproto.Subprotocol}, 401},
		{"no subprotocol", tokenA, nil, 400},
		{"other subprotocol", tokenA, []string{"motcua.uplink.v2"}, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := websocket.Dialer{Subprotocols: tt.protos}
			h := map[string][]string{}
			if tt.token != "" {
				h["Authorization"] = []string{"Bearer " + tt.token}
			}
			c, resp, err := d.Dial(e.url(), h)
			if err == nil {
				c.Close()
				t.Fatal("connected, want a refusal")
			}
			if resp == nil || resp.StatusCode != tt.status {
				t.Fatalf("got %v, want status %d", resp, tt.status)
			}
		})
	}
}

func TestSecondConnectionTakesOver(t *testing.T) {
	e := newEnv(t)
	old, _ := e.connect(tokenA, unitA, 1, 2)
	old.send(event(1, ""))
	old.waitAck(1)
	c, ack := e.connect(tokenA, unitA, 1, 2)
	if ack != 1 {
		t.Fatalf("welcome: got %d, want 1", ack)
	}
	if ce := old.closed(); ce == nil || ce.Code != websocket.ClosePolicyViolation || !strings.Contains(ce.Text, "connected again") {
		t.Fatalf("old connection: got close %v, want policy violation: connected again", ce)
	}
	c.send(event(2, ""))
	c.waitAck(2)
}

func TestHelloTimeout(t *testing.T) {
	e := newEnv(t)
	c := e.dial(tokenA)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := e.block(ctx, 1); err != nil {
		t.Fatal("the hello timer never started")
	}
	e.clk.Advance(e.srv.o.HelloTimeout - time.Millisecond)
	// Not yet: the hello still gets in.
	c.send(string(uplinkproto.Hello(unitA, 0, 0)))
	if m := c.read(); m.Type != uplinkproto.TypeWelcome {
		t.Fatalf("got %s, want welcome", m.Raw)
	}

	// A unit that says nothing is dropped once the time is up.
	e = newEnv(t)
	c = e.dial(tokenA)
	if err := e.block(ctx, 1); err != nil {
		t.Fatal("the hello timer never started")
	}
	e.clk.Advance(e.srv.o.HelloTimeout)
	if ce := c.closed(); ce != nil && ce.Code != websocket.CloseAbnormalClosure && ce.Code != websocket.CloseInternalServerErr {
		t.Errorf("got close %v, want the socket closed", ce)
	}
}

// noWriteTimeout keeps the write watch out of tests that move the fake
// clock in big steps while writes are on their way.
func noWriteTimeout(o *Options) { o.WriteTimeout = 24 * time.Hour }

func TestSilentUnitIsDropped(t *testing.T) {
	e := newEnv(t, noWriteTimeout)
	c, _ := e.connect(tokenA, unitA, 1, 2)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := e.block(ctx, 3); err != nil { // ping, write watch and idle
		t.Fatal(err)
	}
	idle := 3 * e.srv.o.PingEvery
	e.clk.Advance(idle - time.Second)
	// A message resets the idle timer.
	c.send(event(1, ""))
	c.waitAck(1)
	e.clk.Advance(idle - time.Second)
	c.send(event(2, ""))
	c.waitAck(2)
	e.clk.Advance(idle)
	if ce := c.closed(); ce != nil && ce.Code != websocket.CloseAbnormalClosure {
		t.Errorf("got close %v, want the socket closed", ce)
	}
	deadline := time.Now().Add(wait)
	for e.status(unitA).Connected {
		if time.Now().After(deadline) {
			t.Fatal("the receiver still counts the silent unit as connected")
		}
		time.Sleep(time.Millisecond)
	}
}

// The receiver's pings reach the unit and its pings are answered, by the
// connection's one writer.
func TestPingPong(t *testing.T) {
	e := newEnv(t, noWriteTimeout)
	c, _ := e.connect(tokenA, unitA, 0, 0)
	pinged := make(chan struct{}, 1)
	c.ws.SetPingHandler(func(string) error {
		select {
		case pinged <- struct{}{}:
		default:
		}
		return nil
	})
	ponged := make(chan string, 1)
	c.ws.SetPongHandler(func(s string) error { ponged <- s; return nil })
	go func() {
		for {
			if _, _, err := c.ws.ReadMessage(); err != nil {
				return
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := e.block(ctx, 3); err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(e.srv.o.PingEvery)
	select {
	case <-pinged:
	case <-time.After(wait):
		t.Fatal("no ping from the receiver")
	}
	if err := c.ws.WriteControl(websocket.PingMessage, []byte("are you there"), time.Now().Add(wait)); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-ponged:
		if s != "are you there" {
			t.Errorf("pong %q, want the ping's data", s)
		}
	case <-time.After(wait):
		t.Fatal("no pong from the receiver")
	}
}

func TestCommands(t *testing.T) {
	e := newEnv(t)
	c, _ := e.connect(tokenA, unitA, 0, 0)
	ctx := context.Background()
	if _, err := e.srv.Command(ctx, unitB, uplinkproto.CmdNext, 1, ""); !errors.Is(err, ErrNoUnit) {
		t.Errorf("command to an unknown unit: got %v, want %v", err, ErrNoUnit)
	}
	type answer struct {
		m   *uplinkproto.Message
		err error
	}
	got := make(chan answer, 1)
	go func() {
		m, err := e.srv.Command(ctx, unitA, uplinkproto.CmdPause, 3, "họp giao ban")
		got <- answer{m, err}
	}()
	cmd := c.read()
	if cmd.Type != uplinkproto.TypeCommand || cmd.Name != uplinkproto.CmdPause || cmd.Counter != 3 || cmd.Reason != "họp giao ban" || cmd.ID == "" {
		t.Fatalf("got %s, want the pause command", cmd.Raw)
	}
	// A result for another command is dropped; the right one answers.
	c.send(`{"type":"result","id":"someone-else","ok":true}`)
	c.send(fmt.Sprintf(`{"type":"result","id":%q,"ok":false,"error":{"code":"counter_closed","message":"closed"}}`, cmd.ID))
	a := <-got
	if a.err != nil || a.m.OK || a.m.Error == nil || a.m.Error.Code != "counter_closed" {
		t.Fatalf("got %+v, want the counter_closed result", a)
	}

	// A unit that leaves while a command waits ends the wait.
	go func() {
		m, err := e.srv.Command(ctx, unitA, uplinkproto.CmdNext, 3, "")
		got <- answer{m, err}
	}()
	c.read()
	c.ws.Close()
	select {
	case a := <-got:
		if !errors.Is(a.err, ErrNoUnit) {
			t.Errorf("got %+v, want %v", a, ErrNoUnit)
		}
	case <-time.After(wait):
		t.Fatal("the command still waits for a unit that left")
	}
}

func TestCloseEndsEveryConnection(t *testing.T) {
	e := newEnv(t)
	a, _ := e.connect(tokenA, unitA, 0, 0)
	b := e.dial(tokenB) // no hello yet
	done := make(chan struct{})
	go func() {
		e.stop()
		close(done)
	}()
	if ce := a.closed(); ce == nil || ce.Code != websocket.CloseGoingAway {
		t.Errorf("unit a: got close %v, want going away", ce)
	}
	b.closed()
	select {
	case <-done:
	case <-time.After(wait):
		t.Fatal("Close did not return")
	}
}

// A unit that stops reading cannot hold the writer: a write that takes
// more than WriteTimeout ends the connection.
func TestStuckWriteIsDropped(t *testing.T) {
	e := newEnv(t)
	c, _ := e.connect(tokenA, unitA, 0, 0)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := e.block(ctx, 3); err != nil {
		t.Fatal(err)
	}
	// The unit reads nothing more; 4,000 commands of 2 KB fill the
	// socket's buffers.
	big := strings.Repeat("x", uplinkproto.MaxText-10)
	for range 4000 {
		go e.srv.Command(ctx, unitA, uplinkproto.CmdPause, 1, big)
	}
	// The unit keeps sending, so it is not dropped as silent.
	for e.status(unitA).Connected {
		if ctx.Err() != nil {
			t.Fatal("the unit that does not read is still connected")
		}
		if c.ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"result","id":"keepalive","ok":true}`)) != nil {
			break
		}
		e.clk.Advance(e.srv.o.WriteTimeout / 2)
		time.Sleep(time.Millisecond)
	}
	if ce := c.closed(); ce != nil && ce.Code != websocket.CloseAbnormalClosure {
		t.Logf("close %v", ce)
	}
}
