package api

import (
	"fmt"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds of the text a request may carry, in characters (docs/api.md).
// What is stored goes into the day's event log, which nobody prunes
// during the day, and into every report: an unbounded field would let a
// token holder fill the disk.
const (
	maxOfficer = 100 // an officer's name
	maxReason  = 200 // a pause or rating reason
	maxID      = 64  // a service id in a request
)

// checkText reports a 400 when s, the value of field, is longer than max
// characters or holds control characters (a line break in an officer's
// name would break logs and reports).
func checkText(w http.ResponseWriter, field, s string, max int) bool {
	msg := ""
	switch {
	case !utf8.ValidString(s):
		msg = fmt.Sprintf("%q is not valid UTF-8", field)
	case utf8.RuneCountInString(s) > max:
		msg = fmt.Sprintf("%q is longer than %d characters; shorten it", field, max)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		msg = fmt.Sprintf("%q contains a line break or another control character; write it on one line", field)
	default:
		return true
	}
	writeError(w, http.StatusBadRequest, "bad_request", msg)
	return false
}
