package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"motcua/kiosk/config"
)

// CookieName is the cookie in which pages keep their token, set when a
// page is opened with ?token= (see issue "pages").
const CookieName = "motcua_token"

// principal is who made a request.
type principal struct {
	role     config.Role
	name     string // label for logs; never the secret
	index    int    // the token's position in the config, for rate limits
	counters []int
	kiosk    string // a kiosk token's [[kiosk]]; "" the unit's own
}

func (p *principal) may(role ...config.Role) bool {
	return slices.Contains(role, p.role)
}

// group is the websocket group of p's connections, by which notices
// (a scan at the kiosk) reach them: its role, and for a token of a
// [[kiosk]] "kiosk:ID", so that a scan reaches the pages of its kiosk only.
func (p *principal) group() string {
	if p.kiosk != "" {
		return KioskGroup(p.kiosk)
	}
	return string(p.role)
}

// KioskGroup is the websocket group of the kiosk tokens of a kiosk id
// ("" the unit's own kiosk).
func KioskGroup(kiosk string) string {
	if kiosk == "" {
		return string(config.RoleKiosk)
	}
	return string(config.RoleKiosk) + ":" + kiosk
}

// mayOperate reports whether p may act on counter id.
func (p *principal) mayOperate(id int) bool {
	switch p.role {
	case config.RoleAdmin:
		return true
	case config.RoleCounter:
		return slices.Contains(p.counters, id)
	}
	return false
}

// Keyring holds the hashes of the configured tokens. Lookups compare the
// hash of the presented secret with every token's in constant time, so
// neither the secret nor which token matched leaks through timing. It is
// immutable, so safe for concurrent use; a reload makes a new one.
type Keyring struct {
	keys []key
}

type key struct {
	sum [32]byte
	tok config.Token
	p   principal
}

// NewKeyring returns the keyring of tokens.
func NewKeyring(tokens []config.Token) *Keyring {
	k := &Keyring{}
	for i, t := range tokens {
		name := t.Name
		if name == "" {
			name = fmt.Sprintf("%s-%d", t.Role, i+1)
		}
		k.keys = append(k.keys, key{
			sum: sha256.Sum256([]byte(t.Secret)),
			tok: t,
			p:   principal{role: t.Role, name: name, index: i, counters: t.Counters, kiosk: t.Kiosk},
		})
	}
	return k
}

// Lookup returns the token whose secret is secret.
func (k *Keyring) Lookup(secret string) (config.Token, bool) {
	if i := k.find(secret); i >= 0 {
		return k.keys[i].tok, true
	}
	return config.Token{}, false
}

func (k *Keyring) lookup(secret string) *principal {
	if i := k.find(secret); i >= 0 {
		return &k.keys[i].p
	}
	return nil
}

// find returns the index of the key of secret, or -1; it looks at every
// key whatever matches.
func (k *Keyring) find(secret string) int {
	if secret == "" {
		return -1
	}
	sum := sha256.Sum256([]byte(secret))
	found := -1
	for i := range k.keys {
		if subtle.ConstantTimeCompare(sum[:], k.keys[i].sum[:]) == 1 {
			found = i
		}
	}
	return found
}

// Secret returns the token a request presents: the Authorization header,
// then ?token=, then the pages' cookie.
func Secret(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		if s, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(s)
		}
		return ""
	}
	if s := r.URL.Query().Get("token"); s != "" {
		return s
	}
	if c, err := r.Cookie(CookieName); err == nil {
		return c.Value
	}
	return ""
}
