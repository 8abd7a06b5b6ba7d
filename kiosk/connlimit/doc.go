// Package connlimit keeps a server reachable for its own clients while
// others flood it with connections.
//
// A [Listener] wraps the server's listener. It counts the connections of
// each source address that have not yet shown a valid token and closes
// new ones past a cap at once; it keeps the last places of the global cap
// for clients that show a privileged token (a kiosk, a counter, an
// admin), making room there by closing the oldest connection that showed
// none; and it shortens every read deadline of a connection that showed
// no token, so that an idle or slow anonymous connection is closed within
// seconds instead of the server's idle timeout.
//
// The HTTP handler tells the listener who a request's connection belongs
// to with [Vouch], through the context that [Listener.ConnContext] gives
// each connection. A connection only gains trust, never loses it.
package connlimit
