package config

import (
	"net/url"
	"strings"
)

// validatePublicURL checks server.public_url, the base of the citizen's
// page in the ticket's QR code.
func (c *Config) validatePublicURL(d *decoder) {
	p := c.Server.PublicURL
	if p == "" {
		return
	}
	u, err := url.Parse(p)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		d.addf("server.public_url", "server.public_url %q must be an http:// or https:// address without query, such as \"https://motcua.example.gov.vn\" or \"http://192.168.1.20:8080\"", p)
	}
}

// PublicPage returns the address of the citizen's page of a ticket's
// public id, "" when server.public_url is not set.
func (c *Config) PublicPage(public string) string {
	if c.Server.PublicURL == "" || public == "" {
		return ""
	}
	return strings.TrimSuffix(c.Server.PublicURL, "/") + "/t/" + public
}
