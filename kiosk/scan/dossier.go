package scan

import (
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// dossierRe matches a dossier code (mã hồ sơ): the receiving agency's code
// (mã định danh cơ quan, four dot-separated parts such as 000.00.12.H56),
// the date received as yymmdd and a sequence number, not inside a longer
// word.
var dossierRe = regexp.MustCompile(`(?i)(?:^|[^0-9A-Z.])([0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[0-9A-Z]{3}-([0-9]{6})-[0-9]{4,6})(?:$|[^0-9A-Z])`)

// FindDossier returns the first dossier code in text, such as
// "000.00.12.H56-261203-0001", in upper case, or false when there is
// none. Receipts of different provinces' one-stop systems lay their QR out
// differently (a URL, JSON, "key: value" lines, fields separated by "|"),
// so the code is found by its pattern wherever it is; its yymmdd part must
// be a date.
func FindDossier(text string) (string, bool) {
	for _, m := range dossierRe.FindAllStringSubmatch(text, 8) {
		d := m[2]
		if _, ok := makeDate(2000+atoi(d[:2]), atoi(d[2:4]), atoi(d[4:])); ok {
			return strings.ToUpper(m[1]), true
		}
	}
	return "", false
}

// ValidDossier reports whether code is a dossier code and nothing else, as
// typed by an officer (any case).
func ValidDossier(code string) bool {
	c, ok := FindDossier(code)
	return ok && strings.EqualFold(c, code)
}

// keyDateRe matches a key and a date after ":" or "=" (a label, a JSON
// member or a URL parameter).
var keyDateRe = regexp.MustCompile(`([\p{L}\p{M}_ ]{3,40})"?\s*[:=]\s*"?([0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{4}|[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{8})`)

// returnKeys are the keys, without diacritics, case or separators, that
// name the date to come back for the result.
var returnKeys = []string{"hentra", "ngayhen", "traketqua", "ngaytra", "returndate", "duedate"}

// FindReturnDate returns the date to come back for the result that an
// appointment slip (phiếu hẹn trả kết quả) carries, or false. The date must
// be labelled as such ("Ngày hẹn trả: 10/12/2026", "ngay_hen_tra=2026-12-10",
// "NgayHenTra":"10122026", ...): a date without such a label may be the day
// the dossier was received, and is not taken.
func FindReturnDate(text string) (Date, bool) {
	for _, m := range keyDateRe.FindAllStringSubmatch(text, 16) {
		key := foldKey(m[1])
		for _, k := range returnKeys {
			if strings.Contains(key, k) {
				if d, ok := parseAnyDate(m[2]); ok {
					return d, true
				}
			}
		}
	}
	return Date{}, false
}

// foldKey lower-cases s and removes diacritics and everything but letters
// and digits: "Ngày hẹn_trả" becomes "ngayhentra".
func foldKey(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	s, _, err := transform.String(t, s)
	if err != nil {
		return ""
	}
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r == 'đ':
			b.WriteByte('d')
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		}
	}
	return b.String()
}

// parseAnyDate parses dd/mm/yyyy (also with - or .), yyyy-mm-dd or
// ddmmyyyy.
func parseAnyDate(s string) (Date, bool) {
	if len(s) == 8 && allDigits(s) {
		return parseDDMMYYYY(s)
	}
	if len(s) == 10 && s[4] == '-' && s[7] == '-' {
		return makeDate(atoi(s[:4]), atoi(s[5:7]), atoi(s[8:]))
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '.' || r == '-' })
	if len(parts) != 3 || len(parts[2]) != 4 {
		return Date{}, false
	}
	return makeDate(atoi(parts[2]), atoi(parts[1]), atoi(parts[0]))
}
