// Package uplinkproto is the wire protocol of the uplink,
// "motcua.uplink.v1" (docs/uplink.md): the messages a unit and a receiver
// exchange over one websocket, how they are encoded, and what makes one
// valid.
//
// It depends on nothing of the kiosk: the unit's client (package
// motcua/kiosk/uplink) and the reference receiver (package
// motcua/receiver) both build on it, and so can an integrator's program.
//
// [DecodeClient] reads what a unit sends (hello, event, snapshot, gap,
// result, query), [DecodeServer] what a receiver sends (welcome, ack,
// command, answer). A query (query.go) is a question of the unit that the
// receiver answers, such as a dossier's status.
// Both check every field a peer could get wrong before returning; an
// event's ticket, counter and device and a snapshot's whole state are
// parsed into the wire types of state.go ([Event], [State]) and checked
// too, so that a receiver can store and apply what they return without
// further checks. Every error wraps [ErrProtocol].
package uplinkproto
