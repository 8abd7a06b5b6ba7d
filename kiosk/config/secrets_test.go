package config

import (
	"strings"
	"testing"
)

// A generated-looking secret needs 128 bits; a secret written by hand is
// allowed with a warning (issue 13: "aaaaaaaaaaaa" passed motcua check).
func TestSecretStrength(t *testing.T) {
	const base = "[unit]\nid = \"u\"\nname = \"U\"\n[[service]]\nid = \"a\"\nname = \"A\"\n[[counter]]\nid = 1\nservices = [\"a\"]\n"
	tests := []struct {
		secret  string
		problem bool // invalid file
		warning bool
	}{
		{"aaaaaaaaaaaa", true, false},
		{strings.Repeat("a", 40), true, false},
		{"abababababababababababababababab", true, false},
		{"0123456789abcdef", true, false},
		{"MFRGGZDFMZTWQ2LK", true, false},
		{"9f86d081884c7d659a2feaa0c55ad015", false, false},                // openssl rand -hex 16
		{"k5tq7wxmrh3vd2ajpz6lcy4ne7", false, false},                      // 128 bits of base32, as motcua demo makes
		{"q3Zx9+Lr0bW/T1mKc8dPvA==", false, false},                        // base64 of 16 bytes
		{"kiosk-secret-0001", false, true},                                // words: allowed, warned
		{"Xk#9vL!q2@Wz$7Np&4Rt^8Hm*3Jc", false, false},                    // long, hand-typed punctuation
		{"mật-khẩu-quầy-một", false, true},                                // Vietnamese words
		{"đây-là-một-câu-rất-dài-để-làm-mật-khẩu-cho-quầy", false, false}, // long passphrase
	}
	for _, tc := range tests {
		t.Run(tc.secret, func(t *testing.T) {
			c, err := Parse("t.toml", []byte(base+"[[token]]\nrole = \"admin\"\nsecret = \""+tc.secret+"\"\n"))
			if (err != nil) != tc.problem {
				t.Fatalf("problems: got %v, want problem %v", err, tc.problem)
			}
			if err != nil {
				if !strings.Contains(err.Error(), "t.toml:12: token secret looks random but carries about") {
					t.Errorf("problem: got %v", err)
				}
				return
			}
			w := c.Warnings()
			if (len(w) > 0) != tc.warning {
				t.Fatalf("warnings: got %v, want warning %v", w, tc.warning)
			}
			if tc.warning && (w[0].Line != 12 || !strings.HasPrefix(w[0].String(), "t.toml:12: warning: token secret (admin)")) {
				t.Errorf("warning: got %q", w[0].String())
			}
		})
	}
}
