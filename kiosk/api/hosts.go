package api

import (
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"

	"motcua/kiosk/config"
)

// hostList is what a request may name in its Host header. A page served
// under a name the daemon does not know is the trace of DNS rebinding: a
// site whose name was made to point at the daemon, now calling it as its
// own origin. Names are the machine's own host name (also with .local),
// localhost, the host of server.listen, server.allowed_hosts and the
// host of server.public_url;
// addresses are loopback ones, the machine's own, the one the request
// came in on, and those listed.
type hostList struct {
	names map[string]bool
	ips   map[netip.Addr]bool
}

func newHostList(s config.Server) hostList {
	h := hostList{names: map[string]bool{"localhost": true}, ips: map[netip.Addr]bool{}}
	add := func(v string) {
		v = canonicalHost(v)
		if ip, err := netip.ParseAddr(v); err == nil {
			h.ips[ip.Unmap()] = true
		} else if v != "" {
			h.names[v] = true
		}
	}
	if name, err := os.Hostname(); err == nil {
		add(name)
		add(name + ".local")
	}
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if p, err := netip.ParsePrefix(a.String()); err == nil {
				h.ips[p.Addr().Unmap()] = true
			}
		}
	}
	if host, _, err := net.SplitHostPort(s.Listen); err == nil {
		add(host)
	}
	for _, v := range s.AllowedHosts {
		add(v)
	}
	// The tickets' QR codes send phones to the citizen's page there.
	if u, err := url.Parse(s.PublicURL); err == nil && u.Host != "" {
		add(u.Host)
	}
	return h
}

// canonicalHost is host without port, brackets, zone or final dots, in
// lower case.
func canonicalHost(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if i := strings.IndexByte(host, '%'); i >= 0 {
		host = host[:i]
	}
	return strings.ToLower(strings.TrimRight(host, "."))
}

// allows reports whether r's Host is one of the daemon's. A request
// without Host (HTTP/1.0) does not come from a browser and is allowed.
func (h hostList) allows(r *http.Request) bool {
	if r.Host == "" {
		return true
	}
	host := canonicalHost(r.Host)
	if ip, err := netip.ParseAddr(host); err == nil {
		ip = ip.Unmap()
		if ip.IsLoopback() || h.ips[ip] {
			return true
		}
		if la, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
			if ap, err := netip.ParseAddrPort(la.String()); err == nil && ap.Addr().Unmap() == ip {
				return true
			}
		}
		return false
	}
	return h.names[host] || strings.HasSuffix(host, ".localhost")
}
