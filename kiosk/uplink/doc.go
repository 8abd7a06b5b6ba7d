// Package uplink pushes a unit's events to the one-stop software over a
// websocket (protocol "motcua.uplink.v1", see docs/uplink.md) and runs the
// commands the server sends back.
//
// A [Client] dials the receiver, says hello with the oldest and newest seq
// it holds, and sends every event after the receiver's acknowledgement,
// in order, then new ones as they commit (it is woken by [Signal]). Events
// stay in the local log until the receiver acknowledges them; the client
// stores the acknowledged seq in the log's meta table and prunes only
// acknowledged events older than the retention, never the current queue
// day, and never unacknowledged ones unless the disk is nearly full (then
// the oldest go, the receiver is told with a gap message, and the device
// status says so loudly).
//
// The wire format is package motcua/uplinkproto, which the reference
// receiver (package motcua/receiver) shares.
package uplink
