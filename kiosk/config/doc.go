// Package config reads and validates the motcua configuration file, a
// TOML document described in docs/config.md.
//
// [Load] and [Parse] are strict: an unknown key, a value of the wrong
// type or a bad value is an error, and every problem of a file is
// reported at once as a [*Problems], one "FILE:LINE: message" line per
// problem, the line being that of the offending key. The positions come
// from the go-toml syntax tree (package unstable); the values are
// decoded by this package from go-toml's generic form, so that one
// wrong type does not hide the next problem.
//
// A parsed [Config] has its defaults filled in, its relative paths
// resolved against the directory of the file, its secret files read
// and its time zone loaded (from the embedded tz database when the
// machine has none). [Demo] returns the simulated office used by
// "motcua demo".
package config
