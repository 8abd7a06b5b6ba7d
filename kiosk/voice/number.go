package voice

import (
	"fmt"
	"strings"
)

// Mode chooses how the digits of a ticket number are read aloud.
type Mode int

const (
	// Words reads the number as a Vietnamese numeral: A023 is
	// "A, hai mươi ba". Leading zeros are dropped; A000 is "A, không".
	Words Mode = iota
	// Digits reads each digit on its own: A023 is "A, không, hai, ba".
	Digits
)

// ParseMode turns the configuration value "words" or "digits" into a
// [Mode]. The empty string means [Words].
func ParseMode(s string) (Mode, error) {
	switch s {
	case "", "words":
		return Words, nil
	case "digits":
		return Digits, nil
	}
	return Words, fmt.Errorf("%w: %q; use \"words\" or \"digits\"", ErrMode, s)
}

// String returns "words" or "digits".
func (m Mode) String() string {
	if m == Digits {
		return "digits"
	}
	return "words"
}

// maxWords is the largest number read as words; larger numbers are read
// digit by digit, because the pack has no clip for "triệu" (million).
const maxWords = 999_999

// Reading is how numbers are turned into words. The zero value reads
// ticket numbers as words and a zero tens digit as "linh".
type Reading struct {
	// Mode chooses words or digit by digit for the ticket number. Counter
	// numbers are always read as words.
	Mode Mode
	// Le reads a zero tens digit as "lẻ" (southern usage: 105 "một trăm lẻ
	// năm") instead of "linh" (105 "một trăm linh năm").
	Le bool
}

// Number returns n (0 ≤ n ≤ 999 999) read as Vietnamese words, for
// example 1024 "một nghìn không trăm hai mươi tư". Numbers outside that
// range are read digit by digit (a minus sign is dropped).
func (r Reading) Number(n int) string {
	return strings.Join(clipTexts(r.numberWords(n)), " ")
}

// numberWords returns the clips that read n as a numeral.
func (r Reading) numberWords(n int) []clip {
	if n < 0 || n > maxWords {
		if n < 0 {
			n = -n
		}
		return digitWords(fmt.Sprint(n))
	}
	if n == 0 {
		return []clip{digitClip[0]}
	}
	var out []clip
	thousands, rest := n/1000, n%1000
	if thousands > 0 {
		out = r.group(out, thousands, false)
		out = append(out, clipNghin)
		if rest == 0 {
			return out
		}
		return r.group(out, rest, true)
	}
	return r.group(out, rest, false)
}

// group appends the reading of g (1 ≤ g ≤ 999). After a higher group
// (inner), the hundreds are always said, also when zero ("không trăm"),
// and a zero tens digit is said as "linh"; the first group of a number
// drops its leading zeros.
func (r Reading) group(out []clip, g int, inner bool) []clip {
	h, t, u := g/100, g/10%10, g%10
	if h > 0 || inner {
		out = append(out, digitClip[h], clipTram)
		if t == 0 && u == 0 {
			return out
		}
		if t == 0 {
			if r.Le {
				out = append(out, clipLe)
			} else {
				out = append(out, clipLinh)
			}
			return append(out, digitClip[u])
		}
	}
	switch {
	case t == 0:
		return append(out, digitClip[u])
	case t == 1:
		out = append(out, clipMuoi)
		switch u {
		case 0:
			return out
		case 5:
			return append(out, clipLam)
		}
		return append(out, digitClip[u])
	}
	out = append(out, digitClip[t], clipMuoiNgang)
	switch u {
	case 0:
		return out
	case 1:
		return append(out, clipMot1)
	case 4:
		return append(out, clipTu)
	case 5:
		return append(out, clipLam)
	}
	return append(out, digitClip[u])
}

// digitWords reads a string of ASCII digits one by one.
func digitWords(digits string) []clip {
	out := make([]clip, 0, len(digits))
	for _, c := range digits {
		out = append(out, digitClip[c-'0'])
	}
	return out
}
