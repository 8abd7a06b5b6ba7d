// Package satellite is "motcua satellite": a second Pi of a room with its
// own ticket printer, buttons and scanner, serving one [[kiosk]] of the
// main daemon (satellite = true there), and never numbering on its own.
//
// A [Satellite] follows the main daemon's websocket with the kiosk's
// token, from the last event it handled (?since=), and prints every
// ticket.issued whose ticket carries its kiosk: the tickets its buttons
// asked for (through the main daemon's POST /api/v1/tickets, [Satellite.Issue]),
// and those of the kiosk page and scanner on its screen, which speak to
// the main daemon themselves. Printing follows the events, not the
// answers of the requests, so a ticket whose answer was lost in a restart
// of the main daemon prints all the same.
//
// Each ticket is printed at least once and, as far as the satellite's own
// record can tell, once: the ids it printed are kept in its data directory
// (synced before the next event is read), so events replayed after a
// restart of either side are skipped; a print under way when it is told to
// stop finishes and is recorded. A crash or a power cut between the paper
// and that record prints the ticket a second time on restart; nothing else
// does.
// A ticket issued for its kiosk while the satellite was down is printed
// when it comes back if it is still fresh (2 minutes by default: the
// citizen may still be at the kiosk), else it is reported not printed, and
// the admin page of the main daemon lists it, as for its own printers.
//
// Outcomes go upstream as POST /api/v1/kiosks/{id}/prints and the
// devices' status as POST /api/v1/kiosks/{id}/devices. While the main
// daemon cannot be reached, [Satellite.Issue] refuses at once with
// [ErrOffline] and OnOnline reports it, for the out-of-order light and
// the error beep.
package satellite
