package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Failed tokens from one source address: a burst of failedBurst, then
// failedPerMinute a minute. Past it the address's requests that carry a
// token are answered 429 without looking at the token, so guessing gets
// nowhere; a screen with a stale token retries far less often.
const (
	failedPerMinute = 10
	failedBurst     = 20
)

// failedKey is the limiter key of failed tokens (no token has index -1).
const failedKey = -1

// failures counts failed tokens per source address.
type failures struct{ lim *limiter }

func newFailures() failures { return failures{newLimiter(failedPerMinute, failedBurst)} }

// blocked reports whether addr has failed too often; it takes nothing
// from the allowance.
func (f failures) blocked(addr string) (time.Duration, bool) {
	now := time.Now()
	f.lim.mu.Lock()
	defer f.lim.mu.Unlock()
	e := f.lim.all[limitKey{failedKey, addr}]
	if e == nil || e.lim.TokensAt(now) >= 1 {
		return 0, false
	}
	r := e.lim.ReserveN(now, 1)
	d := r.DelayFrom(now)
	r.CancelAt(now)
	return d, true
}

// fail records a failed token from addr.
func (f failures) fail(addr string) { f.lim.allow(failedKey, addr) }

// checkFailures runs in the guard for a request that carries a token:
// from an address that failed too often it answers 429 and reports
// false; otherwise, with valid false, it records and logs the failure
// (never the token) and lets the handler answer 401.
func (s *Server) checkFailures(w http.ResponseWriter, r *http.Request, a *authState, valid bool) bool {
	addr := host(r.RemoteAddr)
	if wait, blocked := a.failures.blocked(addr); blocked {
		w.Header().Set("Retry-After", itoaCeil(wait))
		writeError(w, http.StatusTooManyRequests, "rate_limited",
			"too many wrong tokens from this address; wait a minute, then check the token")
		return false
	}
	if !valid && !strings.HasPrefix(r.URL.Path, "/static/") {
		a.failures.fail(addr)
		s.log.Warn("wrong token", "remote", addr, "method", r.Method, "path", r.URL.Path)
	}
	return true
}

// itoaCeil is d in whole seconds, rounded up, for Retry-After.
func itoaCeil(d time.Duration) string { return strconv.Itoa(int((d + time.Second - 1) / time.Second)) }
