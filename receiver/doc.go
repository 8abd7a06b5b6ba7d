// Package receiver is the reference receiver of the uplink protocol
// (motcua.uplink.v1, package motcua/uplinkproto, docs/uplink.md): what
// `motcua receiver` runs, and what an integrator of the one-stop software
// can read to write theirs. It depends on the protocol, not on the kiosk.
//
// A [Server] accepts many units on one websocket endpoint (/ingest). Each
// unit authenticates with its own bearer token (a tokens file of lines
// "unit-id token", see [ReadTokens]). Every message a unit sends is
// checked by the protocol's decoder before anything is stored; a bad one
// closes that unit's connection with the reason in the close frame.
// Events are stored in SQLite (receiver.db in the data directory) or in
// PostgreSQL ([Options.Store]), deduplicated by unit and seq, and
// acknowledged only after the transaction that stores them is committed.
// Several receivers on one PostgreSQL act as one: a transaction locks the
// units' rows and stores a batch only on the ack it follows, and each
// receiver polls the stored acks to follow the units the others take. Messages are taken in batches:
// all that wait on a connection are stored together and acknowledged with
// one ack, and the batches of all connections that wait at the same
// moment share one transaction (group commit across units).
//
// Each connection has one reader goroutine, one writer goroutine (the
// only one that writes to the websocket: welcome, acks, commands, pings,
// pongs and the close frame) and the goroutine of its HTTP request, which
// stores. Every timeout (the hello, a silent unit, a stuck write) runs on
// the injected clock ([Options.Clock]).
//
// The server also keeps each unit's live queue, from its latest snapshot
// and the events after it, and serves it on a small page (/) and as JSON
// (/api/units); an operator can send a unit a command
// (POST /api/units/{unit}/commands). The fleet page (/fleet, and
// /api/fleet) shows every unit's health from the status messages the
// units send, kept in the store, and sends alerts to a webhook (fleet.go,
// docs/fleet.md).
package receiver
