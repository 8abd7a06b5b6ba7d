package uplink

import (
	"errors"

	"motcua/uplinkproto"
)

// Errors of the client. A protocol error of the receiver wraps
// [uplinkproto.ErrProtocol].
var (
	ErrAckBeyondLast  = errors.New("uplink: receiver acknowledged an event this unit never sent")
	ErrSubprotocol    = errors.New("uplink: receiver did not accept subprotocol " + uplinkproto.Subprotocol)
	ErrNoAck          = errors.New("uplink: receiver stopped acknowledging events")
	ErrUnknownCommand = errors.New("uplink: unknown command")
	// ErrOffline: a query was asked while not connected to the receiver.
	ErrOffline = errors.New("uplink: not connected to the receiver")
	// ErrNoStatus: the receiver answered a dossier.status query without
	// a status.
	ErrNoStatus = errors.New("uplink: the receiver has no status of the dossier")
)
