// Package unit composes a running motcua from its parts: the daemon
// (event log, room, websocket hub, HTTP API and pages), the devices of the
// configuration in force (printer, displays, voice, buttons, keypads,
// lights, barcode scanners), the uplink client and the report cache. What
// the scanners read goes to the [ScanHandler] of [Options].
//
// It is the one package under kiosk that opens hardware: the domain rules
// the devices follow live in package kiosk ([kiosk.Action],
// [kiosk.Ratings], [kiosk.Priority]), the blocking print in
// devices/printer, the device endpoints in kiosk/api. cmd/motcua reads the
// flags and the configuration, builds a [Unit] with [New] (or the demo's
// with [NewDemo]) and runs it with [Unit.Serve], which reloads it with
// [Unit.Reload] on each SIGHUP main relays. What the other subcommands do
// beyond their flags is here too: [PrintTest] for print-test, [Check] and
// [WriteCheck] for check.
//
// Time is the one [motcua/clock.Dated] of [Options]: the queue's days,
// the rating window, the reports' today, the printers' freshness check
// and every device's and the uplink's waits.
//
// Every follower of the committed events subscribes once, in New; the
// devices in force are reached through one pointer that a reload swaps,
// so a reload can neither leave halted devices subscribed nor leave the
// API with a halted printer.
package unit
