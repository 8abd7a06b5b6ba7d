package voice

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Silences inserted between the clips of a call. The pack's clips are
// trimmed to the voice, so these gaps are the whole rhythm of a call.
const (
	gapLeadIn      = 60 * time.Millisecond  // lets a sound card wake up
	gapAfterChime  = 300 * time.Millisecond //
	gapAfterPhrase = 150 * time.Millisecond // "mời công dân có số" | A
	gapLetters     = 80 * time.Millisecond  // between two prefix letters
	gapComma       = 220 * time.Millisecond // "A," | "hai mươi ba"
	gapWord        = 40 * time.Millisecond  // between number words
	gapDigit       = 160 * time.Millisecond // "không, hai, ba"
	gapBeforeQuay  = 280 * time.Millisecond // number | "đến quầy số"
	gapTail        = 300 * time.Millisecond // keeps players from clipping the end
)

// item is one step of a call: a clip, or a silence when c is "".
type item struct {
	c   clip
	gap time.Duration
}

// ticket is a parsed ticket number.
type ticket struct {
	letters []letter
	digits  string // ASCII digits, leading zeros kept
}

// parseTicket splits a ticket number such as "A023" into its prefix
// letters and digits. Letters may be lower case; a '-', '.' or space
// between letters and digits is ignored.
func parseTicket(number string) (ticket, error) {
	var t ticket
	if err := checkNumber(number); err != nil {
		return t, err
	}
	s := strings.TrimSpace(number)
	for s != "" {
		r, size := utf8.DecodeRuneInString(s)
		if !unicode.IsLetter(r) {
			break
		}
		l, ok := letterByRune(unicode.ToUpper(r))
		if !ok {
			return t, fmt.Errorf("%w %q in %q", ErrLetter, r, number)
		}
		t.letters = append(t.letters, l)
		s = s[size:]
	}
	s = strings.TrimLeft(s, "-. ")
	if s == "" {
		return t, fmt.Errorf("%w %q: no digits", ErrNumber, number)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return t, fmt.Errorf("%w %q: want letters then digits, like A023", ErrNumber, number)
		}
	}
	t.digits = s
	return t, checkTicket(t, number)
}

// value returns the digits as a number, or -1 when they are too many to
// read as words.
func (t ticket) value() int {
	digits := strings.TrimLeft(t.digits, "0")
	if len(digits) > 6 {
		return -1
	}
	n := 0
	for _, c := range digits {
		n = n*10 + int(c-'0')
	}
	return n
}

// numberItems reads the ticket's digits.
func (r Reading) numberItems(t ticket) []item {
	var out []item
	if n := t.value(); r.Mode == Words && n >= 0 {
		for i, c := range r.numberWords(n) {
			if i > 0 {
				out = append(out, item{gap: gapWord})
			}
			out = append(out, item{c: c})
		}
		return out
	}
	for i, c := range digitWords(t.digits) {
		if i > 0 {
			out = append(out, item{gap: gapDigit})
		}
		out = append(out, item{c: c})
	}
	return out
}

// callItems is the whole announcement: chime, "mời công dân có số",
// letters, number, "đến quầy số", counter. With counter ≤ 0 it is chime,
// "xin mời", letters, number.
func (r Reading) callItems(t ticket, counter int) []item {
	out := []item{{gap: gapLeadIn}, {c: clipChime}, {gap: gapAfterChime}}
	if counter > 0 {
		out = append(out, item{c: clipMoi})
	} else {
		out = append(out, item{c: clipXinMoi})
	}
	out = append(out, item{gap: gapAfterPhrase})
	for i, l := range t.letters {
		if i > 0 {
			out = append(out, item{gap: gapLetters})
		}
		out = append(out, item{c: l.clip})
	}
	if len(t.letters) > 0 {
		out = append(out, item{gap: gapComma})
	}
	out = append(out, r.numberItems(t)...)
	if counter > 0 {
		out = append(out, item{gap: gapBeforeQuay}, item{c: clipDenQuay}, item{gap: gapAfterPhrase})
		for i, c := range r.numberWords(counter) {
			if i > 0 {
				out = append(out, item{gap: gapWord})
			}
			out = append(out, item{c: c})
		}
	}
	return append(out, item{gap: gapTail})
}

// Call returns the text of the announcement for ticket number at
// counter, as [CallText] does, with r's reading of numbers.
func (r Reading) Call(number string, counter int) string {
	var words []string
	if counter > 0 {
		words = append(words, wordText[clipMoi])
	} else {
		words = append(words, wordText[clipXinMoi])
	}
	t, err := parseTicket(number)
	if err != nil {
		words = append(words, strings.TrimSpace(number))
	} else {
		var prefix strings.Builder
		for _, l := range t.letters {
			prefix.WriteRune(l.r)
		}
		if prefix.Len() > 0 {
			words = append(words, prefix.String())
		}
		for _, it := range r.numberItems(t) {
			if it.c != "" {
				words = append(words, wordText[it.c])
			}
		}
	}
	if counter > 0 {
		words = append(words, wordText[clipDenQuay])
		words = append(words, clipTexts(r.numberWords(counter))...)
	}
	s := strings.Join(words, " ")
	first, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(first)) + s[size:]
}

// CallText returns the text of the announcement that calls ticket number
// to counter, for example CallText("A023", 3, Words) is "Mời công dân có
// số A hai mươi ba đến quầy số ba". The prefix letters are written as
// letters; the digits are read as words or digit by digit as mode says;
// the counter is always read as words. With counter ≤ 0 (an office with a
// single desk) the call is "Xin mời A hai mươi ba". A number that cannot
// be parsed is written as given.
func CallText(number string, counter int, mode Mode) string {
	return Reading{Mode: mode}.Call(number, counter)
}
