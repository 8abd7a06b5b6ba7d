package catalogue

import (
	"slices"
	"testing"
	"time"
)

// Imported0 is a fixed import time for tests.
var Imported0 = time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Đăng ký khai sinh", "dang ky khai sinh"},
		{"ĐẤT ĐAI", "dat dai"},
		{"Tư pháp – Hộ tịch", "tu phap – ho tich"},
		{"Ưu tiên người cao tuổi", "uu tien nguoi cao tuoi"},
		{"Giấy chứng nhận quyền sử dụng đất", "giay chung nhan quyen su dung dat"},
		{"Ơn, ỡ, ợ, ờ", "on, o, o, o"},
		{"e\u0301", "e"}, // decomposed input
		{"1.001193", "1.001193"},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFoldTelex(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ddawng", "dang"},
		{"kys", "ky"},
		{"tuw", "tu"},
		{"phaps", "phap"},
		{"hooj", "ho"},
		{"nguwowif", "nguoi"},
		{"giaasy", "giay"},
		{"vieetj", "viet"},
		{"sinh", "sinh"}, // s before any vowel is a letter
		{"khai", "khai"},
		{"Đăng", "dang"},
	}
	for _, tt := range tests {
		if got := FoldTelex(tt.in); got != tt.want {
			t.Errorf("FoldTelex(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func demoIndex(t testing.TB) *Index {
	f, err := Parse(DemoJSON, demoServices)
	if err != nil {
		t.Fatal(err)
	}
	return NewIndex(f, Imported0)
}

func TestSearchVietnamese(t *testing.T) {
	x := demoIndex(t)
	tests := []struct {
		q     string
		first string // code of the best hit
	}{
		{"dang ky khai sinh", "1.001193"},
		{"Đăng ký khai sinh", "1.001193"},
		{"ĐĂNG KÝ KHAI SINH", "1.001193"},
		{"ddawng kys khai sinh", "1.001193"},
		{"ddang ky khai sinh", "1.001193"},
		{"khai tu", "1.000656"},
		{"khai tử", "1.000656"},
		{"ket hon", "1.000894"},
		{"keets hoon", "1.000894"},
		{"xac nhan tinh trang hon nhan", "1.004873"},
		{"xasc nhaanj tinhf trangj hoon nhaan", "1.004873"},
		{"thanh lap ho kinh doanh", "2.000720"},
		{"thanhf laapj hoj kinh doanh", "2.000720"},
		{"giay phep xay dung", "1.009994"},
		{"chung thuc ban sao", "2.000815"},
		{"chuwngs thuwcj banr sao", "2.000815"},
		{"di chuc", "2.001008"},
		{"1.001193", "1.001193"},
		{"khai s", "1.001193"}, // prefixes while typing
		{"trich luc", "2.000635"},
		{"tranh chap dat", "1.003554"},
	}
	for _, tt := range tests {
		got := x.Search(tt.q, 5)
		if len(got) == 0 || got[0].Code != tt.first {
			var codes []string
			for _, p := range got {
				codes = append(codes, p.Code+" "+p.Name)
			}
			t.Errorf("Search(%q): got %v, want %s first", tt.q, codes, tt.first)
		}
	}
}

func TestSearchMisses(t *testing.T) {
	x := demoIndex(t)
	for _, q := range []string{"", "   ", "xyzzy", "khai sinh xyzzy", "–"} {
		if got := x.Search(q, 0); len(got) != 0 {
			t.Errorf("Search(%q): got %d results, want none", q, len(got))
		}
	}
}

func TestSearchAllWords(t *testing.T) {
	x := demoIndex(t)
	got := x.Search("dang ky", 0)
	if len(got) < 10 {
		t.Fatalf("got %d procedures for 'dang ky', want the many registrations", len(got))
	}
	for _, p := range got {
		f := Fold(p.Name + " " + p.Field)
		if !slices.ContainsFunc(words(f), func(w string) bool { return w == "dang" }) {
			t.Errorf("%s %q has no word dang", p.Code, p.Name)
		}
	}
	if n := len(x.Search("dang ky", 3)); n != 3 {
		t.Errorf("limit 3: got %d", n)
	}
}

func TestIndexFields(t *testing.T) {
	x := demoIndex(t)
	fields := x.Fields()
	total := 0
	for _, f := range fields {
		total += f.Count
		if all := x.All(f.Name); len(all) != f.Count {
			t.Errorf("field %s: All gives %d, count %d", f.Name, len(all), f.Count)
		}
	}
	if total != x.Len() || len(fields) != 5 {
		t.Errorf("got %d fields with %d procedures, want 5 fields with %d", len(fields), total, x.Len())
	}
	if _, ok := x.Procedure("9.999999"); ok {
		t.Error("unknown code found")
	}
}

// FuzzSearch searches the demo catalogue with any text: no panic, every
// result has every query word, and the limit holds.
func FuzzSearch(f *testing.F) {
	for _, q := range []string{"dang ky khai sinh", "ddawng kys", "Đ", "1.001193", "\xff\xfe", "a b c d e f g", "ưươơ"} {
		f.Add(q)
	}
	x := demoIndex(f)
	f.Fuzz(func(t *testing.T, q string) {
		got := x.Search(q, 3)
		if len(got) > 3 {
			t.Fatalf("limit 3: got %d", len(got))
		}
		qs := query(q)
		for _, p := range got {
			e := x.entries[x.byCode[p.Code]]
			for _, w := range qs {
				if !w.in(e.name) && !w.in(e.other) {
					t.Fatalf("%q: %s lacks %q", q, p.Name, w.plain)
				}
			}
		}
	})
}
