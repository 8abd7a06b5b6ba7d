package api

import (
	"net/http/httptest"
	"strings"
	"testing"

	"motcua/kiosk/config"
)

// FuzzHost: any Host header is judged without a panic; a listed name is
// allowed with any port, case or final dot, and a name that only ends
// like a listed one is not.
func FuzzHost(f *testing.F) {
	for _, s := range []string{"motcua.example.vn", "127.0.0.1:8080", "[::1]:80", "[fe80::1%eth0]:8080", "evil.example",
		"motcua.example.vn.evil.example", "LOCALHOST.", "x.localhost", "", ":", "[", "]:80", "%", "1.2.3.4.5"} {
		f.Add(s)
	}
	h := newHostList(config.Server{Listen: "127.0.0.1:8080", AllowedHosts: []string{"motcua.example.vn"}})
	f.Fuzz(func(t *testing.T, host string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Host = host
		ok := h.allows(r)
		c := canonicalHost(host)
		if canonicalHost(c) != c && !strings.ContainsAny(c, "[]:") {
			t.Errorf("canonicalHost(%q) = %q is not stable: %q", host, c, canonicalHost(c))
		}
		if ok && c != "" && strings.HasSuffix(c, ".evil.example") {
			t.Errorf("%q allowed", host)
		}
		r.Host = "MOTCUA.example.vn.:" + strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, host)
		if !h.allows(r) {
			t.Errorf("%q refused", r.Host)
		}
	})
}
