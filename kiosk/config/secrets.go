package config

import (
	"fmt"
	"math"
	"strings"
)

// MinSecretBits is the entropy a generated-looking secret must carry: 32
// hex characters (openssl rand -hex 16), 26 base32 or 22 base64 ones.
const MinSecretBits = 128

// secretStrength estimates the random bits of a secret from the smallest
// usual alphabet its characters fit in. A secret written only with the
// characters of hex, base32 or base64 output (no separators) looks
// generated: then it is judged strictly, and a secret that repeats a few
// characters ("aaaaaaaaaaaa") counts as having almost none. Anything else
// (words joined by "-", punctuation) is a passphrase: bits are estimated
// from its character classes, an upper bound.
func secretStrength(s string) (bits float64, generated bool) {
	body := strings.TrimRight(s, "=")
	var lower, upper, digit, b64, other, nonASCII bool
	hexOnly, b32Only := true, true
	distinct := map[rune]bool{}
	for _, r := range body {
		distinct[r] = true
		switch {
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= '0' && r <= '9':
			digit = true
		case r == '+' || r == '/':
			b64 = true
		case r < 0x80:
			other = true
		default:
			nonASCII = true
		}
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			hexOnly = false
		}
		if !strings.ContainsRune("234567abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", r) {
			b32Only = false
		}
	}
	n := float64(len([]rune(body)))
	generated = !other && !nonASCII && body != ""
	var alphabet float64
	switch {
	case !generated:
		for _, c := range []struct {
			used bool
			size float64
		}{{lower, 26}, {upper, 26}, {digit, 10}, {b64 || other, 33}, {nonASCII, 100}} {
			if c.used {
				alphabet += c.size
			}
		}
	case hexOnly && !(lower && upper):
		alphabet = 16
	case b32Only && !(lower && upper):
		alphabet = 32
	case !b64 && !(lower && upper):
		alphabet = 36
	case !b64:
		alphabet = 62
	default:
		alphabet = 64
	}
	bits = n * math.Log2(max(alphabet, 2))
	if generated && float64(len(distinct))*4 < n {
		// A generator's output uses most of its alphabet; few distinct
		// characters over a long string are typed, not drawn.
		bits = float64(len(distinct)) * math.Log2(max(alphabet, 2))
	}
	return bits, generated
}

// checkSecretStrength refuses a generated-looking secret with fewer than
// MinSecretBits; p is the token's key path.
func checkSecretStrength(d *decoder, p, secret string) {
	if bits, generated := secretStrength(secret); generated && bits < MinSecretBits {
		d.addf(p+".secret", "token secret looks random but carries about %.0f bits, fewer than %d; use 128 random bits, such as the 32 characters of: openssl rand -hex 16",
			bits, MinSecretBits)
	}
}

// Warnings returns what is allowed in c but weak: token secrets written
// by hand (words, punctuation) that carry fewer than MinSecretBits by
// their characters. "motcua check" prints them; they do not make the
// file invalid.
func (c *Config) Warnings() []Problem {
	var out []Problem
	for i, t := range c.Tokens {
		bits, generated := secretStrength(t.Secret)
		if generated || t.Secret == "" || bits >= MinSecretBits {
			continue
		}
		key := fmt.Sprintf("token[%d].secret", i)
		if t.SecretFile != "" {
			key = fmt.Sprintf("token[%d].secret_file", i)
		}
		out = append(out, Problem{File: c.Path, Line: lineOf(c.lines, key),
			Msg: fmt.Sprintf("warning: token secret (%s) carries at most about %.0f bits, fewer than %d; prefer 128 random bits (openssl rand -hex 16)",
				t.Role, bits, MinSecretBits)})
	}
	return out
}
