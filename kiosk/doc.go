// Package kiosk is the domain core of motcua: the queue of one office kept
// durable ([Room]), and, in its sub-packages, the engine (queue), the
// event log (eventlog), the websocket hub (hub), the HTTP API (api) and
// the configuration (config). It imports no hardware library: devices
// plug in through the small interfaces declared where they are used.
package kiosk
