// Package receiver is the reference receiver of the uplink protocol
// (motcua.uplink.v1, docs/uplink.md): what `motcua receiver` runs, and
// what an integrator of the one-stop software can read to write theirs.
//
// A [Server] accepts many units on one websocket endpoint (/ingest). Each
// unit authenticates with its own bearer token (a tokens file of lines
// "unit-id token"). Events are stored in SQLite (receiver.db in the data
// directory), deduplicated by unit and seq, and acknowledged only after
// the transaction that stores them is synced. Messages are taken in
// batches: all that wait are stored in one transaction and acknowledged
// with one ack (group commit).
//
// The server also keeps each unit's live queue, from its latest snapshot
// and the events after it, and serves it on a small page (/) and as JSON
// (/api/units); a program on the same machine can send a unit a command
// (POST /api/units/{unit}/commands).
package receiver
