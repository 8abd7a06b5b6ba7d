package config

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
)

// AddDemoTokens adds one token of each role, with fresh random secrets
// (128 bits), as the demo does: the counter token may operate every
// counter. It returns the secrets by role.
func (c *Config) AddDemoTokens() (map[Role]string, error) {
	tokens := map[Role]string{}
	for _, role := range []Role{RoleAdmin, RoleKiosk, RoleDisplay, RoleCounter} {
		t := Token{Role: role, Name: "demo-" + string(role), Secret: randomSecret()}
		if role == RoleCounter {
			for _, ctr := range c.Counters {
				t.Counters = append(t.Counters, ctr.ID)
			}
		}
		if err := c.AddToken(t); err != nil {
			return nil, err
		}
		tokens[role] = t.Secret
	}
	return tokens, nil
}

// randomSecret returns 128 random bits, base32 without padding, lower case.
func randomSecret() string {
	b := make([]byte, 16)
	rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}
