// Package faulttest holds the uplink's fault tests: the real motcua
// binary on both sides (motcua run with [uplink], motcua receiver), with
// processes killed, a receiver down for thousands of events, a TCP proxy
// that drops, stalls and half-closes connections, and receivers that
// misbehave. It has no code of its own besides the tests.
package faulttest
