package scan

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
)

// MinSecretLen is the shortest secret a [Keyer] takes, in bytes.
const MinSecretLen = 16

// ErrShortSecret is returned by [NewKeyer] for a secret shorter than
// [MinSecretLen].
var ErrShortSecret = errors.New("scan: citizen key secret too short; use at least 16 random bytes")

// Keyer makes the opaque citizen key of an ID number. It is safe for
// concurrent use.
type Keyer struct{ secret []byte }

// NewKeyer returns a Keyer with the unit's secret, which it copies.
func NewKeyer(secret []byte) (*Keyer, error) {
	if len(secret) < MinSecretLen {
		return nil, ErrShortSecret
	}
	return &Keyer{secret: append([]byte(nil), secret...)}, nil
}

// Citizen returns the citizen key of a 12-digit ID number: the first 16
// bytes of HMAC-SHA256(secret, "motcua.citizen.v1|" + number), as 32
// lower-case hex digits. The same number always gives the same key with
// the same secret; without the secret the key says nothing about the
// number. A booking system that shares the secret computes the same key.
func (k *Keyer) Citizen(number string) string {
	m := hmac.New(sha256.New, k.secret)
	m.Write([]byte("motcua.citizen.v1|"))
	m.Write([]byte(number))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// String returns "citizen keyer", never the secret.
func (k *Keyer) String() string { return "citizen keyer" }
