package scan

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// CardType is the kind of ID card a QR comes from.
type CardType string

// Card types.
const (
	// CardCCCD is the chip "Căn cước công dân" card issued from 2021 to
	// 30 June 2024. Its QR has 7 fields, sometimes an 8th.
	CardCCCD CardType = "cccd"
	// CardCanCuoc is the "Căn cước" card issued from 1 July 2024. Its QR
	// starts with the same fields and goes on with more (family members'
	// names and numbers, a cancelled number), which are not read.
	CardCanCuoc CardType = "can_cuoc"
)

// Sex is the sex printed on a card.
type Sex int

// Sexes. The zero Sex is unknown.
const (
	Male Sex = iota + 1
	Female
)

func (s Sex) String() string {
	switch s {
	case Male:
		return "Nam"
	case Female:
		return "Nữ"
	}
	return "?"
}

// Card is what the QR of an ID card says about its holder. It is personal
// data: keep it no longer than needed. It formats (fmt, log/slog) as its
// type only.
type Card struct {
	Type      CardType
	Number    string // the 12-digit personal identification number
	OldNumber string // the 9-digit CMND number the card replaced, or ""
	Name      string // họ, chữ đệm và tên, NFC
	Birth     Date
	Sex       Sex
	Issued    Date // date of issue; zero when the QR has none
}

// String returns "ID card (TYPE)", without personal data.
func (c *Card) String() string { return "ID card (" + string(c.Type) + ")" }

// GoString is String, so that %#v does not print personal data either.
func (c *Card) GoString() string { return c.String() }

// Age returns the age in whole years on the date on: one year more on each
// birthday (for 29 February, on 1 March of other years). It is negative
// when on is before the birth date.
func (c *Card) Age(on Date) int { return Age(c.Birth, on) }

// Age returns the age in whole years on the date on of someone born on
// birth; see [Card.Age].
func Age(birth, on Date) int {
	a := on.Year - birth.Year
	if on.Month < birth.Month || (on.Month == birth.Month && on.Day < birth.Day) {
		a--
	}
	return a
}

// Errors of [ParseCard] and [CheckNumber]. They never hold the text read.
var (
	// ErrNotCard means the text does not have the layout of an ID card QR.
	ErrNotCard = errors.New("scan: not the QR of an ID card")
	// ErrBadNumber means the 12-digit number fails a check of its digits
	// or disagrees with the sex or birth date on the card: a misread, a
	// forged or a damaged card. Ask the citizen to scan again or to type
	// the number at the counter.
	ErrBadNumber = errors.New("scan: ID number fails its checks")
)

// provinces are the 3-digit codes that begin a personal identification
// number: the province or city where the birth was registered (Circular
// 07/2016/TT-BCA, Circular 59/2021/TT-BCA). Numbers keep their code after
// provinces merge.
var provinces = map[string]string{
	"001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang",
	"010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái",
	"017": "Hòa Bình", "019": "Thái Nguyên", "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang",
	"025": "Phú Thọ", "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
	"033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định", "037": "Ninh Bình",
	"038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh", "044": "Quảng Bình", "045": "Quảng Trị",
	"046": "Thừa Thiên Huế", "048": "Đà Nẵng", "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định",
	"054": "Phú Yên", "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
	"064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng", "070": "Bình Phước",
	"072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai", "077": "Bà Rịa - Vũng Tàu", "079": "Hồ Chí Minh",
	"080": "Long An", "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long",
	"087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ", "093": "Hậu Giang",
	"094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}

// Province returns the name of the province whose code begins the
// 12-digit number, or false when the code is not one.
func Province(number string) (string, bool) {
	if len(number) < 3 {
		return "", false
	}
	p, ok := provinces[number[:3]]
	return p, ok
}

// CheckNumber checks a 12-digit personal identification number against
// itself and, when they are known (not zero), the holder's sex and birth
// date: digits 1–3 are a province code; digit 4 gives the century of birth
// and the sex (0/1 for 1900–1999, 2/3 for 2000–2099, 4/5, 6/7 and 8/9 for
// the next centuries; even for men, odd for women); digits 5–6 are the
// last two digits of the birth year. The error wraps [ErrBadNumber] and
// says which check failed, not the number.
func CheckNumber(number string, sex Sex, birth Date) error {
	if len(number) != 12 || !allDigits(number) {
		return fmt.Errorf("%w: it must have 12 digits", ErrBadNumber)
	}
	if _, ok := provinces[number[:3]]; !ok {
		return fmt.Errorf("%w: its first 3 digits are no province code", ErrBadNumber)
	}
	g := int(number[3] - '0')
	century := 1900 + 100*(g/2)
	if sex != 0 && Sex(g%2+1) != sex {
		return fmt.Errorf("%w: its 4th digit says another sex than the card", ErrBadNumber)
	}
	if !birth.IsZero() {
		if birth.Year/100*100 != century {
			return fmt.Errorf("%w: its 4th digit says another century of birth than the card", ErrBadNumber)
		}
		if atoi(number[4:6]) != birth.Year%100 {
			return fmt.Errorf("%w: its 5th and 6th digits are not the birth year of the card", ErrBadNumber)
		}
	}
	return nil
}

// maxCardFields bounds the fields of a QR taken for a card: the 2024
// card's has a few dozen at most.
const maxCardFields = 64

// ParseCard reads the QR of an ID card: fields separated by "|",
//
//	NUMBER|OLD NUMBER or empty|NAME|BIRTH ddmmyyyy|Nam or Nữ|ADDRESS|ISSUED ddmmyyyy
//
// sometimes with an 8th field (chip CCCD card), or with more fields after
// these (2024 Căn cước card). Fields are found by pattern around the sex
// field, not by position alone: the birth date is the date field before
// it, the name the field before that, the old number (if any) between the
// number and the name; the date of issue is the first date after the
// address. The number is checked with [CheckNumber] against the sex and
// birth date read. Errors wrap [ErrNotCard] or [ErrBadNumber].
func ParseCard(text string) (*Card, error) {
	text = strings.TrimSpace(text)
	if !strings.Contains(text, "|") || !utf8.ValidString(text) {
		return nil, ErrNotCard
	}
	f := strings.Split(norm.NFC.String(text), "|")
	if len(f) < 6 || len(f) > maxCardFields {
		return nil, fmt.Errorf("%w: %d fields", ErrNotCard, len(f))
	}
	for i := range f {
		f[i] = strings.TrimSpace(f[i])
	}
	c := &Card{Type: CardCCCD, Number: f[0]}
	if len(f) > 8 {
		c.Type = CardCanCuoc
	}
	if len(c.Number) != 12 || !allDigits(c.Number) {
		return nil, fmt.Errorf("%w: the first field is not a 12-digit number", ErrNotCard)
	}
	s := -1
	for i := 3; i < len(f) && i <= 4; i++ {
		if sex := parseSex(f[i]); sex != 0 {
			s, c.Sex = i, sex
			break
		}
	}
	if s < 0 {
		return nil, fmt.Errorf("%w: no Nam/Nữ field", ErrNotCard)
	}
	b, ok := parseDDMMYYYY(f[s-1])
	if !ok {
		return nil, fmt.Errorf("%w: the field before the sex is not a date ddmmyyyy", ErrNotCard)
	}
	c.Birth = b
	if !isName(f[s-2]) {
		return nil, fmt.Errorf("%w: no name before the birth date", ErrNotCard)
	}
	c.Name = strings.Join(strings.Fields(f[s-2]), " ")
	switch s - 2 {
	case 1: // no old number field
	case 2:
		if old := f[1]; old != "" {
			if (len(old) != 9 && len(old) != 12) || !allDigits(old) {
				return nil, fmt.Errorf("%w: the second field is not an old ID number", ErrNotCard)
			}
			c.OldNumber = old
		}
	default:
		return nil, fmt.Errorf("%w: unexpected fields before the name", ErrNotCard)
	}
	for i := s + 2; i < len(f); i++ {
		if d, ok := parseDDMMYYYY(f[i]); ok {
			c.Issued = d
			break
		}
	}
	if !c.Issued.IsZero() && c.Issued.Before(c.Birth) {
		return nil, fmt.Errorf("%w: issued before the birth date", ErrNotCard)
	}
	if err := CheckNumber(c.Number, c.Sex, c.Birth); err != nil {
		return nil, err
	}
	return c, nil
}

func parseSex(s string) Sex {
	switch strings.ToLower(s) {
	case "nam":
		return Male
	case "nữ":
		return Female
	}
	return 0
}

// isName reports whether s looks like a person's name: letters, with
// spaces, hyphens or apostrophes between them, and at least two letters.
func isName(s string) bool {
	letters := 0
	for _, r := range s {
		switch {
		case unicode.IsLetter(r), unicode.Is(unicode.Mn, r):
			letters++
		case r == ' ' || r == '-' || r == '\'':
		default:
			return false
		}
	}
	return letters >= 2
}
