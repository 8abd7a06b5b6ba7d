package escpos

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// vietLetters returns every Vietnamese letter with a mark, both cases:
// the 12 vowels × 6 tones (minus the 12 plain ASCII ones) plus đ, Đ.
func vietLetters() []rune {
	var out []rune
	for _, base := range "aăâeêioôơuưy" {
		for _, tone := range []string{"", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"} {
			r := []rune(norm.NFC.String(string(base) + tone))[0]
			if r < 0x80 {
				continue
			}
			out = append(out, r, unicode.ToUpper(r))
		}
	}
	return append(out, 'đ', 'Đ')
}

func TestTCVN3EveryLetterRoundTrips(t *testing.T) {
	letters := vietLetters()
	if len(letters) != 134 {
		t.Fatalf("got %d letters, want 134", len(letters))
	}
	for _, r := range letters {
		var e Encoder
		tc := NewTCVN3Encoder()
		if lost := tc.Append(&e, string(r)); lost != 0 {
			t.Errorf("%c: %d characters lost", r, lost)
		}
		ops, err := Parse(e.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		page := byte(0)
		var got strings.Builder
		for _, op := range ops {
			switch op.Cmd {
			case "ESC t":
				page = op.Args[0]
			case "text":
				got.WriteString(DecodeText(page, op.Data))
			}
		}
		if got.String() != string(r) {
			t.Errorf("%c (U+%04X): got %q from % x", r, r, got.String(), e.Bytes())
		}
	}
}

func TestTCVN3Bytes(t *testing.T) {
	tests := []struct {
		in   string
		want []byte
	}{
		{"Đ", []byte{0x1b, 0x74, 31, 0xa7}},
		{"đ", []byte{0x1b, 0x74, 30, 0xae}},
		{"ĐẾN", []byte{0x1b, 0x74, 31, 0xa7, 0xd5, 'N'}},
		{"Đất đai", []byte{0x1b, 0x74, 31, 0xa7, 0x1b, 0x74, 30, 0xca, 't', ' ', 0xae, 'a', 'i'}},
		{"ĂN Ân", []byte{0x1b, 0x74, 31, 0xa1, 'N', ' ', 0xa2, 'n'}},
		{"Mời số", []byte{'M', 0x1b, 0x74, 30, 0xea, 'i', ' ', 's', 0xe8}},
		{"UBND XÃ", []byte{'U', 'B', 'N', 'D', ' ', 'X', 0x1b, 0x74, 31, 0xb7}},
		{"Hộ tịch – Tư pháp", []byte{'H', 0x1b, 0x74, 30, 0xe9, ' ', 't', 0xde, 'c', 'h', ' ', '-', ' ', 'T', 0xad, ' ', 'p', 'h', 0xb8, 'p'}},
		// NFD input is normalised first: o + U+0302 + U+0323 is ộ.
		{"Ho\u0302\u0323", []byte{'H', 0x1b, 0x74, 30, 0xe9}},
		{"ƯU TIÊN", []byte{0x1b, 0x74, 31, 0xad, 'U', ' ', 'T', 'I', 0xaa, 'N'}},
		{"Ấn ấn", []byte{0x1b, 0x74, 31, 0xca, 'n', ' ', 0x1b, 0x74, 30, 0xca, 'n'}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var e Encoder
			NewTCVN3Encoder().Append(&e, tt.in)
			if !bytes.Equal(e.Bytes(), tt.want) {
				t.Errorf("got % x, want % x", e.Bytes(), tt.want)
			}
		})
	}
}

func TestTCVN3KeepsPageAcrossCalls(t *testing.T) {
	var e Encoder
	tc := NewTCVN3Encoder()
	tc.Append(&e, "ă")
	tc.Append(&e, "ê")
	if got := bytes.Count(e.Bytes(), []byte{0x1b, 0x74}); got != 1 {
		t.Errorf("got %d ESC t, want 1: % x", got, e.Bytes())
	}
	tc.Reset()
	tc.Append(&e, "ô")
	if got := bytes.Count(e.Bytes(), []byte{0x1b, 0x74}); got != 2 {
		t.Errorf("after Reset: got %d ESC t, want 2", got)
	}
}

func TestTCVN3LostCharacters(t *testing.T) {
	var e Encoder
	lost := NewTCVN3Encoder().Append(&e, "a€b–c")
	if lost != 1 {
		t.Errorf("got %d lost, want 1 (the euro sign; the dash folds)", lost)
	}
	if got := string(e.Bytes()); got != "a?b-c" {
		t.Errorf("got %q, want a?b-c", got)
	}
}

func TestFoldASCII(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Mời số", "Moi so"},
		{"Đất đai", "Dat dai"},
		{"UBND XÃ QUỲNH HẢI", "UBND XA QUYNH HAI"},
		{"Trước quý khách còn 4 người – chờ khoảng 12 phút", "Truoc quy khach con 4 nguoi - cho khoang 12 phut"},
		{"Ho\u0302\u0323 ti\u0323ch", "Ho tich"},
		{"“ƯU TIÊN”…", `"UU TIEN"...`},
		{"日本", "??"},
	}
	for _, tt := range tests {
		if got := FoldASCII(tt.in); got != tt.want {
			t.Errorf("FoldASCII(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseTextModeAndPaper(t *testing.T) {
	for _, s := range []string{"raster", "", "TCVN3", "ascii"} {
		if _, err := ParseTextMode(s); err != nil {
			t.Errorf("ParseTextMode(%q): %v", s, err)
		}
	}
	if _, err := ParseTextMode("cp1258"); err == nil {
		t.Error("ParseTextMode(cp1258): got nil, want error")
	}
	if p, err := ParsePaper("58mm"); err != nil || p.Dots() != 384 {
		t.Errorf("ParsePaper(58mm): got %v %v, want 384 dots", p, err)
	}
	if _, err := ParsePaper("110mm"); err == nil {
		t.Error("ParsePaper(110mm): got nil, want error")
	}
	if l, err := ParseLayout("tcvn3", "58"); err != nil || l.Mode != TCVN3 || l.Paper != Paper58 {
		t.Errorf("ParseLayout(tcvn3, 58): got %+v %v", l, err)
	}
	if _, err := ParseLayout("cp1258", "58"); !errors.Is(err, ErrTextMode) {
		t.Errorf("ParseLayout(cp1258, 58): got %v, want %v", err, ErrTextMode)
	}
	if _, err := ParseLayout("ascii", "110"); !errors.Is(err, ErrPaper) {
		t.Errorf("ParseLayout(ascii, 110): got %v, want %v", err, ErrPaper)
	}
}

func TestParseLayoutNames(t *testing.T) {
	if a, err := ParseAlign("Center"); err != nil || a != Center {
		t.Errorf("ParseAlign(Center): got %v %v", a, err)
	}
	if _, err := ParseAlign("middle"); err == nil {
		t.Error("ParseAlign(middle): got nil error")
	}
	if s, err := ParseSize("large"); err != nil || s != SizeLarge {
		t.Errorf("ParseSize(large): got %v %v", s, err)
	}
	if _, err := ParseSize("huge"); err == nil {
		t.Error("ParseSize(huge): got nil error")
	}
	if f, err := ParseField("QR"); err != nil || f != FieldQR {
		t.Errorf("ParseField(QR): got %v %v", f, err)
	}
	if _, err := ParseField("logo"); err == nil {
		t.Error("ParseField(logo): got nil error")
	}
}
