package scan

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzClassify(f *testing.F) {
	for _, s := range []string{cardOld7, cardOld8, cardNoOld, cardNew, cardFemale, "HN-0042",
		"https://x.example.gov.vn/?code=HN-0042", "000.00.12.H56-261203-0001",
		"000.00.12.H56-261203-0001|Ngày hẹn trả: 10/12/2026", `{"NgayHenTra":"10122026"}`,
		"||||||", "038152999901|||||", "\xff|\xfe|||||"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s := Classify(text)
		switch s.Kind {
		case KindIDCard:
			c := s.Card
			if err := CheckNumber(c.Number, c.Sex, c.Birth); err != nil {
				t.Fatalf("card passed with a bad number: %v", err)
			}
			if !utf8.ValidString(c.Name) || !isName(c.Name) {
				t.Fatalf("card name %q is not a name", c.Name)
			}
			if c.Age(c.Birth) != 0 {
				t.Fatal("age on the birth date is not 0")
			}
		case KindReceipt, KindSlip:
			if !strings.Contains(strings.ToUpper(text), s.Dossier) || !ValidDossier(s.Dossier) {
				t.Fatalf("dossier %q not a code from the text", s.Dossier)
			}
			if s.Kind == KindSlip && s.Return.IsZero() {
				t.Fatal("slip without a return date")
			}
		case KindAppointment:
			if !isAppointmentCode(s.Code) || !strings.Contains(text, s.Code) {
				t.Fatalf("appointment code %q not from the text", s.Code)
			}
		case KindOther:
			if s.Card != nil || s.Dossier != "" || s.Code != "" {
				t.Fatalf("other scan with data: %+v", s)
			}
		default:
			t.Fatalf("unknown kind %q", s.Kind)
		}
	})
}

func FuzzParseCard(f *testing.F) {
	for _, s := range []string{cardOld7, cardOld8, cardNoOld, cardNew, cardFemale} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c, err := ParseCard(text)
		if err != nil {
			return
		}
		// What was read, written back in the chip card's layout, reads
		// the same.
		old := c.OldNumber
		line := strings.Join([]string{c.Number, old, c.Name, ddmmyyyy(c.Birth), c.Sex.String(), "Địa chỉ", ddmmyyyy(c.Issued)}, "|")
		if c.Issued.IsZero() {
			line = strings.Join([]string{c.Number, old, c.Name, ddmmyyyy(c.Birth), c.Sex.String(), "Địa chỉ"}, "|")
		}
		c2, err := ParseCard(line)
		if err != nil {
			t.Fatalf("card written back does not parse: %v", err)
		}
		c2.Type = c.Type
		if *c2 != *c {
			t.Fatalf("got %+v back, want %+v", *c2, *c)
		}
	})
}

func ddmmyyyy(d Date) string {
	return strings.NewReplacer("-", "").Replace(d.String()[8:10] + d.String()[5:7] + d.String()[:4])
}

func FuzzFindDossier(f *testing.F) {
	for _, s := range []string{"000.00.12.H56-261203-0001", "a=000.00.12.h56-260229-123456&b", "1.2.3.4-5-6"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		d, ok := FindDossier(text)
		if ok && (!ValidDossier(d) || !strings.Contains(strings.ToUpper(text), d)) {
			t.Fatalf("FindDossier(%q) = %q", text, d)
		}
		r, ok := FindReturnDate(text)
		if ok {
			if _, valid := makeDate(r.Year, int(r.Month), r.Day); !valid {
				t.Fatalf("FindReturnDate gave %v", r)
			}
		}
	})
}
