// Package sim holds simulated counter displays for the demo and the web
// pages: a [Room] of displays that remember what they show, safe for
// concurrent use, with a snapshot for an API and a change callback for a
// websocket push. A display can be made to fail, to show how the daemon
// reports and retries a display that stops answering.
package sim
