package voice

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// The expected readings below were written by hand from the rules of
// spoken Vietnamese, not produced by the code.
func TestNumberWords(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{0, "không"},
		{1, "một"},
		{4, "bốn"},
		{5, "năm"},
		{9, "chín"},
		{10, "mười"},
		{11, "mười một"},
		{14, "mười bốn"},
		{15, "mười lăm"},
		{19, "mười chín"},
		{20, "hai mươi"},
		{21, "hai mươi mốt"},
		{24, "hai mươi tư"},
		{25, "hai mươi lăm"},
		{31, "ba mươi mốt"},
		{34, "ba mươi tư"},
		{40, "bốn mươi"},
		{41, "bốn mươi mốt"},
		{45, "bốn mươi lăm"},
		{55, "năm mươi lăm"},
		{100, "một trăm"},
		{101, "một trăm linh một"},
		{104, "một trăm linh bốn"},
		{105, "một trăm linh năm"},
		{110, "một trăm mười"},
		{111, "một trăm mười một"},
		{115, "một trăm mười lăm"},
		{121, "một trăm hai mươi mốt"},
		{200, "hai trăm"},
		{999, "chín trăm chín mươi chín"},
		{1000, "một nghìn"},
		{1001, "một nghìn không trăm linh một"},
		{1005, "một nghìn không trăm linh năm"},
		{1010, "một nghìn không trăm mười"},
		{1015, "một nghìn không trăm mười lăm"},
		{1024, "một nghìn không trăm hai mươi tư"},
		{1050, "một nghìn không trăm năm mươi"},
		{1100, "một nghìn một trăm"},
		{1111, "một nghìn một trăm mười một"},
		{1200, "một nghìn hai trăm"},
		{1500, "một nghìn năm trăm"},
		{2000, "hai nghìn"},
		{2004, "hai nghìn không trăm linh bốn"},
		{2015, "hai nghìn không trăm mười lăm"},
		{2021, "hai nghìn không trăm hai mươi mốt"},
		{3050, "ba nghìn không trăm năm mươi"},
		{4444, "bốn nghìn bốn trăm bốn mươi tư"},
		{5555, "năm nghìn năm trăm năm mươi lăm"},
		{7001, "bảy nghìn không trăm linh một"},
		{8010, "tám nghìn không trăm mười"},
		{9999, "chín nghìn chín trăm chín mươi chín"},
		// Beyond the range: thousands are a group read like any other.
		{10005, "mười nghìn không trăm linh năm"},
		{12345, "mười hai nghìn ba trăm bốn mươi lăm"},
		{21000, "hai mươi mốt nghìn"},
		{100000, "một trăm nghìn"},
		{105015, "một trăm linh năm nghìn không trăm mười lăm"},
		{999999, "chín trăm chín mươi chín nghìn chín trăm chín mươi chín"},
		// No clip for "triệu": read digit by digit.
		{1000000, "một không không không không không không"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.n), func(t *testing.T) {
			if got := (Reading{}).Number(tt.n); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNumberLe(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{101, "một trăm lẻ một"},
		{105, "một trăm lẻ năm"},
		{1005, "một nghìn không trăm lẻ năm"},
		{2004, "hai nghìn không trăm lẻ bốn"},
		{110, "một trăm mười"},
		{5, "năm"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.n), func(t *testing.T) {
			if got := (Reading{Le: true}).Number(tt.n); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// parseWords is an independent reader of Vietnamese numerals, used to
// check that every reading means the number it was made from.
func parseWords(t *testing.T, s string) int {
	t.Helper()
	digit := map[string]int{"không": 0, "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4,
		"năm": 5, "lăm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9}
	total, group, pending := 0, 0, 0
	for _, w := range strings.Fields(s) {
		if d, ok := digit[w]; ok {
			pending = d
			continue
		}
		switch w {
		case "mười":
			group += 10
		case "mươi":
			group += pending * 10
			pending = 0
		case "trăm":
			group += pending * 100
			pending = 0
		case "linh", "lẻ":
		case "nghìn":
			total += (group + pending) * 1000
			group, pending = 0, 0
		default:
			t.Fatalf("%q: unknown word %q", s, w)
		}
	}
	return total + group + pending
}

func TestNumberProperties(t *testing.T) {
	vocabulary := make(map[string]bool)
	for _, w := range wordText {
		vocabulary[w] = true
	}
	seen := make(map[string]int)
	for n := 0; n <= 9999; n++ {
		for _, le := range []bool{false, true} {
			s := Reading{Le: le}.Number(n)
			words := strings.Fields(s)
			if len(words) == 0 || strings.Join(words, " ") != s {
				t.Fatalf("%d: got %q, want words separated by single spaces", n, s)
			}
			for i, w := range words {
				if !vocabulary[w] {
					t.Fatalf("%d: %q has %q, which no clip says", n, s, w)
				}
				prev := ""
				if i > 0 {
					prev = words[i-1]
				}
				switch w {
				case "mốt", "tư":
					if prev != "mươi" {
						t.Errorf("%d: %q has %q after %q, want only after mươi", n, s, w, prev)
					}
				case "lăm":
					if prev != "mươi" && prev != "mười" {
						t.Errorf("%d: %q has lăm after %q", n, s, prev)
					}
				case "linh", "lẻ":
					if i == len(words)-1 || i == 0 {
						t.Errorf("%d: %q has %s at an end", n, s, w)
					}
				}
			}
			if got := parseWords(t, s); got != n {
				t.Errorf("%q: reads back as %d, want %d", s, got, n)
			}
			if n > 0 && words[0] == "không" {
				t.Errorf("%d: %q starts with không", n, s)
			}
			innerZeroHundreds := n >= 1000 && n%1000 != 0 && n/100%10 == 0
			if got := strings.Contains(s, "không trăm"); got != innerZeroHundreds {
				t.Errorf("%d: %q contains không trăm: got %v, want %v", n, s, got, innerZeroHundreds)
			}
			zeroTens := n >= 100 && n%100 >= 1 && n%100 <= 9
			link := "linh"
			if le {
				link = "lẻ"
			}
			if got := strings.Contains(s, link); got != zeroTens {
				t.Errorf("%d: %q contains %s: got %v, want %v", n, s, link, got, zeroTens)
			}
			if got, want := strings.Contains(s, "mười"), n%100/10 == 1; got != want {
				t.Errorf("%d: %q contains mười: got %v, want %v", n, s, got, want)
			}
			if got, want := strings.Contains(s, "nghìn"), n >= 1000; got != want {
				t.Errorf("%d: %q contains nghìn: got %v, want %v", n, s, got, want)
			}
			if n%1000 == 0 && n > 0 && !strings.HasSuffix(s, "nghìn") && !strings.HasSuffix(s, "trăm") {
				t.Errorf("%d: %q, want it to end with nghìn or trăm", n, s)
			}
			if !le {
				if m, dup := seen[s]; dup {
					t.Errorf("%d and %d both read %q", m, n, s)
				}
				seen[s] = n
			}
		}
	}
}

func TestDigitsProperties(t *testing.T) {
	r := Reading{Mode: Digits}
	for n := 0; n <= 9999; n++ {
		num := fmt.Sprintf("A%04d", n)
		tk, err := parseTicket(num)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range r.numberItems(tk) {
			if it.c != "" {
				got = append(got, wordText[it.c])
			}
		}
		if len(got) != 4 {
			t.Fatalf("%s: got %q, want 4 digit words", num, got)
		}
		for i, w := range got {
			want := wordText[digitClip[num[1+i]-'0']]
			if w != want {
				t.Fatalf("%s: digit %d got %q, want %q", num, i, w, want)
			}
		}
	}
}

func TestParseMode(t *testing.T) {
	tests := []struct {
		in   string
		want Mode
		err  error
	}{
		{"", Words, nil},
		{"words", Words, nil},
		{"digits", Digits, nil},
		{"Digits", Words, ErrMode},
		{"chữ", Words, ErrMode},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseMode(tt.in)
			if got != tt.want || !errors.Is(err, tt.err) {
				t.Errorf("got %v, %v, want %v, %v", got, err, tt.want, tt.err)
			}
			if err == nil && got.String() != tt.in && tt.in != "" {
				t.Errorf("String() = %q, want %q", got.String(), tt.in)
			}
		})
	}
}
