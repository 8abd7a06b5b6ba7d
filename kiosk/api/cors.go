package api

import (
	"net/http"
	"net/url"
	"strings"
)

// ownOrigin reports whether origin is the daemon itself as the browser
// reached it: the scheme of the connection (http, or https behind TLS)
// and the request's Host.
func ownOrigin(r *http.Request, origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return u.Scheme == scheme && strings.EqualFold(u.Host, r.Host) && u.Path == "" && u.User == nil
}

// listedOrigin reports whether origin is one of server.allowed_origins,
// scheme, host and port alike.
func listedOrigin(origin string, allowed []string) bool {
	for _, a := range allowed {
		if strings.EqualFold(strings.TrimSuffix(a, "/"), origin) {
			return true
		}
	}
	return false
}

// originAllowed reports whether a browser request's Origin is the daemon
// itself or one of the allowed origins. Requests without Origin are not
// from a browser page and are judged by their token alone.
func originAllowed(r *http.Request, allowed []string) bool {
	origin := r.Header.Get("Origin")
	return origin == "" || ownOrigin(r, origin) || listedOrigin(origin, allowed)
}

// cors lets the pages of server.allowed_origins call the API: it answers
// their preflight requests (OPTIONS) itself and reports true when it did,
// and marks the answers to their requests as readable by them. Cookies
// are not sent across origins: such a page sends its token in
// Authorization.
func cors(w http.ResponseWriter, r *http.Request, allowed []string) bool {
	origin := r.Header.Get("Origin")
	preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
	if origin == "" || ownOrigin(r, origin) || !strings.HasPrefix(r.URL.Path, "/api/") {
		return false
	}
	h := w.Header()
	h.Add("Vary", "Origin")
	if !listedOrigin(origin, allowed) {
		if preflight {
			writeError(w, http.StatusForbidden, "origin_not_allowed",
				"this page's origin may not use the API; add it to server.allowed_origins")
			return true
		}
		return false // the handler answers 403
	}
	h.Set("Access-Control-Allow-Origin", origin)
	if !preflight {
		h.Set("Access-Control-Expose-Headers", "Retry-After")
		return false
	}
	h.Add("Vary", "Access-Control-Request-Method")
	h.Add("Vary", "Access-Control-Request-Headers")
	h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
	return true
}
