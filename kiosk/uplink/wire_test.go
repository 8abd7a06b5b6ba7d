package uplink_test

import (
	"context"
	"encoding/json"
	"testing"

	"motcua/kiosk/eventlog"
	"motcua/kiosk/queue"
	"motcua/uplinkproto"
)

// The protocol's wire types must carry what the queue engine writes: a
// day of real events and the room's snapshot all pass the receiver's
// checks, and what the wire types keep of a ticket, a counter and a
// device is exactly the engine's.
func TestWireTypesFollowTheQueue(t *testing.T) {
	u := newUnit(t)
	do := func(cmd func(e *queue.Engine) ([]queue.Event, error)) {
		t.Helper()
		if _, err := u.room.Do(cmd); err != nil {
			t.Fatal(err)
		}
	}
	u.issue(t, 4)
	do(func(e *queue.Engine) ([]queue.Event, error) { return e.Open(1, "Nguyễn Văn A") })
	do(func(e *queue.Engine) ([]queue.Event, error) { return e.Open(2, "Trần Thị B") })
	do(func(e *queue.Engine) ([]queue.Event, error) { return e.Next(1) })
	do(func(e *queue.Engine) ([]queue.Event, error) { return e.Next(2) })
	do(func(e *queue.Engine) ([]queue.Event, error) { return e.Transfer(2, "dat-dai", 1) })
	do(func(e *queue.Engine) ([]queue.Event, error) { return e.Done(1) })
	do(func(e *queue.Engine) ([]queue.Event, error) { return e.Pause(1, "họp giao ban") })
	if err := u.room.SetDevice(queue.Device{Name: "printer", Status: queue.DeviceError, Detail: "hết giấy"}); err != nil {
		t.Fatal(err)
	}
	n := 0
	_, err := u.log.Since(context.Background(), 0, 0, func(r eventlog.Record) error {
		n++
		m, err := uplinkproto.DecodeClient(r.Data)
		if err != nil {
			t.Errorf("event %d: %v\n%s", r.Seq, err, r.Data)
			return nil
		}
		var want queue.Event
		if err := json.Unmarshal(r.Data, &want); err != nil {
			t.Fatal(err)
		}
		same(t, "ticket", want.Ticket, m.Body.Ticket)
		same(t, "counter", want.Counter, m.Body.Counter)
		same(t, "device", want.Device, m.Body.Device)
		return nil
	})
	if err != nil || n < 10 {
		t.Fatalf("read %d events: %v", n, err)
	}
	seq, state, err := u.room.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	m, err := uplinkproto.DecodeClient(uplinkproto.Snapshot(seq, state))
	if err != nil {
		t.Fatalf("snapshot: %v\n%s", err, state)
	}
	var want queue.State
	if err := json.Unmarshal(state, &want); err != nil {
		t.Fatal(err)
	}
	same(t, "state", &want, m.Snap)
}

// same asserts that the engine's value and the wire type's say the same:
// the wire type's JSON, read back into the engine's type, encodes as the
// engine's value does.
func same[Q any, W any](t *testing.T, what string, engine *Q, wire *W) {
	t.Helper()
	if (engine == nil) != (wire == nil) {
		t.Errorf("%s: engine %v, wire %v", what, engine, wire)
		return
	}
	if engine == nil {
		return
	}
	wb, err := json.Marshal(wire)
	if err != nil {
		t.Fatal(err)
	}
	var back Q
	if err := json.Unmarshal(wb, &back); err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(&back)
	want, _ := json.Marshal(engine)
	if string(got) != string(want) {
		t.Errorf("%s: the wire type keeps\n%s\nof the engine's\n%s", what, got, want)
	}
}
