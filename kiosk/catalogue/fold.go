package catalogue

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold returns s in lower case without Vietnamese diacritics: tone marks
// go, ă â become a, ê e, ô ơ o, ư u and đ d. "Đăng ký" folds to "dang ky".
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r < 0x80 {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b.WriteRune(r)
			continue
		}
		if f := foldRune(r); f >= 0 {
			b.WriteRune(f)
		}
	}
	return b.String()
}

// foldRune folds one non-ASCII letter.
func foldRune(r rune) rune {
	switch r {
	case 'đ', 'Đ':
		return 'd'
	}
	if unicode.Is(unicode.Mn, r) {
		return -1 // a combining mark typed alone: dropped below
	}
	if d := norm.NFD.PropertiesString(string(r)).Decomposition(); len(d) > 0 {
		r, _ = utf8.DecodeRune(d)
	}
	return unicode.ToLower(r)
}

// FoldTelex reads a word typed in Telex without the input method, and
// returns it folded: "ddawng" is "dang" (đăng), "kys" is "ky" (ký),
// "tuw" is "tu" (tư). Doubled letters (dd, aa, ee, oo), w after a vowel or
// alone, and a tone key (s f r x j z) after the first vowel are dropped.
// A word with none of these is returned as [Fold] returns it.
func FoldTelex(word string) string {
	w := Fold(word)
	if !isASCIIWord(w) {
		return w
	}
	out := make([]byte, 0, len(w))
	seenVowel := false
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c == 'w':
			// aw → ă, ow → ơ, uw → ư; a w alone is ư.
			if n := len(out); n == 0 || !isVowel(out[n-1]) {
				out = append(out, 'u')
				seenVowel = true
			}
			continue
		case (c == 'd' || c == 'a' || c == 'e' || c == 'o') && len(out) > 0 && out[len(out)-1] == c:
			continue
		case seenVowel && strings.IndexByte("sfrxjz", c) >= 0:
			continue
		}
		if isVowel(c) {
			seenVowel = true
		}
		out = append(out, c)
	}
	return string(out)
}

func isVowel(c byte) bool { return strings.IndexByte("aeiouy", c) >= 0 }

func isASCIIWord(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 'a' || c > 'z' {
			return false
		}
	}
	return s != ""
}

// words splits folded text into its words: runs of letters and digits,
// with dots kept inside a run ("1.001193").
func words(folded string) []string {
	f := strings.FieldsFunc(folded, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '.'
	})
	out := f[:0]
	for _, w := range f {
		if w = strings.Trim(w, "."); w != "" {
			out = append(out, w)
		}
	}
	return out
}
