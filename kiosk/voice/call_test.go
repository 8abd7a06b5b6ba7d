package voice

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestCallText(t *testing.T) {
	tests := []struct {
		number  string
		counter int
		mode    Mode
		want    string
	}{
		{"A023", 3, Words, "Mời công dân có số A hai mươi ba đến quầy số ba"},
		{"A023", 3, Digits, "Mời công dân có số A không hai ba đến quầy số ba"},
		{"A000", 1, Words, "Mời công dân có số A không đến quầy số một"},
		{"A000", 1, Digits, "Mời công dân có số A không không không đến quầy số một"},
		{"015", 21, Words, "Mời công dân có số mười lăm đến quầy số hai mươi mốt"},
		{"015", 24, Digits, "Mời công dân có số không một năm đến quầy số hai mươi tư"},
		{"b105", 0, Words, "Xin mời B một trăm linh năm"},
		{"Đ7", 4, Words, "Mời công dân có số Đ bảy đến quầy số bốn"},
		{"AB-1024", 10, Words, "Mời công dân có số AB một nghìn không trăm hai mươi tư đến quầy số mười"},
		{"A?", 2, Words, "Mời công dân có số A? đến quầy số hai"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d/%v", tt.number, tt.counter, tt.mode), func(t *testing.T) {
			if got := CallText(tt.number, tt.counter, tt.mode); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseTicket(t *testing.T) {
	tests := []struct {
		in      string
		letters string
		digits  string
		err     error
	}{
		{"A023", "A", "023", nil},
		{" a023 ", "A", "023", nil},
		{"12", "", "12", nil},
		{"AB-7", "AB", "7", nil},
		{"đ 9", "Đ", "9", nil},
		{"", "", "", ErrNumber},
		{"A", "", "", ErrNumber},
		{"A12B", "", "", ErrNumber},
		{"A1 2", "", "", ErrNumber},
		{"A１２", "", "", ErrNumber}, // full-width digits
		{"Ư12", "", "", ErrLetter},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseTicket(tt.in)
			if !errors.Is(err, tt.err) {
				t.Fatalf("got error %v, want %v", err, tt.err)
			}
			if err != nil {
				return
			}
			var letters []rune
			for _, l := range got.letters {
				letters = append(letters, l.r)
			}
			if string(letters) != tt.letters || got.digits != tt.digits {
				t.Errorf("got %q %q, want %q %q", string(letters), got.digits, tt.letters, tt.digits)
			}
		})
	}
}

func FuzzParseTicket(f *testing.F) {
	for _, s := range []string{"A023", "015", "Đ-9", "A000", "x", "", "AB1234567890", "WWWW7777777777777777"} {
		f.Add(s, 3)
	}
	f.Add("A"+strings.Repeat("9", 15000), 3)
	f.Add("A023", -1)
	f.Add("A023", MaxCounter+1)
	v, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, number string, counter int) {
		text := CallText(number, counter, Words)
		if text == "" {
			t.Fatal("empty text")
		}
		wav, err := v.CallWAV(number, counter)
		if err != nil {
			if !errors.Is(err, ErrNumber) && !errors.Is(err, ErrLetter) && !errors.Is(err, ErrCounter) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if len(wav) <= 44 || len(wav) > 44+v.maxCallBytes() {
			t.Fatalf("WAV of %d bytes, want a header and at most %v of audio", len(wav), MaxCall)
		}
	})
}

func ExampleCallText() {
	fmt.Println(CallText("A023", 3, Words))
	fmt.Println(CallText("A023", 3, Digits))
	fmt.Println(Reading{}.Number(1005))
	// Output:
	// Mời công dân có số A hai mươi ba đến quầy số ba
	// Mời công dân có số A không hai ba đến quầy số ba
	// một nghìn không trăm linh năm
}
