package scan

import (
	"errors"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Kind is what a scan is.
type Kind string

// Kinds of scans.
const (
	KindAppointment Kind = "appointment" // an appointment's code (its QR)
	KindIDCard      Kind = "id_card"     // the QR of a CCCD or Căn cước card
	KindReceipt     Kind = "receipt"     // a one-stop receipt's QR: a dossier code
	KindSlip        Kind = "slip"        // an appointment slip's QR: a dossier code and a return date
	KindOther       Kind = "other"       // none of these
)

// Scan is a classified scan. Only the fields of its Kind are set. It keeps
// no raw text.
type Scan struct {
	Kind Kind
	// Code is the appointment code (KindAppointment).
	Code string
	// Dossier is the dossier code (KindReceipt, KindSlip).
	Dossier string
	// Return is the date to come back for the result (KindSlip).
	Return Date
	// Card is the ID card read (KindIDCard).
	Card *Card
	// Err says why a text that looked like an ID card's QR was refused
	// (KindOther): it wraps [ErrBadNumber] or [ErrNotCard].
	Err error
}

// MaxLen is the longest text Classify looks at, in bytes; a longer one is
// KindOther.
const MaxLen = 4096

// appointmentRe is what an appointment code looks like: 3 to 32 letters,
// digits, "-", "_" or ".", with at least one digit ("HN-0042").
var appointmentRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{2,31}$`)

// Classify tells what text is, trying in turn: an ID card's QR
// ([ParseCard]; a text with the card's layout that fails its checks is
// KindOther with Err set), a dossier code with a labelled return date
// (slip) or without (receipt), an appointment code (the text alone, or the
// "appointment" or "code" parameter of a URL). Surrounding white space is
// ignored. Text that is not valid UTF-8 is KindOther.
func Classify(text string) Scan {
	text = strings.TrimSpace(text)
	if len(text) > MaxLen || !utf8.ValidString(text) || text == "" {
		return Scan{Kind: KindOther}
	}
	if strings.Count(text, "|") >= 5 {
		c, err := ParseCard(text)
		if err == nil {
			return Scan{Kind: KindIDCard, Card: c}
		}
		if errors.Is(err, ErrBadNumber) || looksLikeCard(text) {
			return Scan{Kind: KindOther, Err: err}
		}
	}
	if d, ok := FindDossier(text); ok {
		if r, ok := FindReturnDate(text); ok {
			return Scan{Kind: KindSlip, Dossier: d, Return: r}
		}
		return Scan{Kind: KindReceipt, Dossier: d}
	}
	if code, ok := appointmentCode(text); ok {
		return Scan{Kind: KindAppointment, Code: code}
	}
	return Scan{Kind: KindOther}
}

// looksLikeCard reports whether text begins like a card's QR: 12 digits
// and a "|".
func looksLikeCard(text string) bool {
	n, _, _ := strings.Cut(text, "|")
	return len(n) == 12 && allDigits(n)
}

func appointmentCode(text string) (string, bool) {
	if isAppointmentCode(text) {
		return text, true
	}
	u, err := url.Parse(text)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return "", false
	}
	q := u.Query()
	for _, k := range []string{"appointment", "code"} {
		if v := q.Get(k); isAppointmentCode(v) {
			return v, true
		}
	}
	return "", false
}

func isAppointmentCode(s string) bool {
	return appointmentRe.MatchString(s) && strings.ContainsAny(s, "0123456789")
}
