package scan

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Every citizen here is invented. Their numbers pass the checks (a real
// province code, the century and sex digit and birth year agreeing with
// the card) but the six random digits start with 9999, and names and
// addresses are made up ("Thử", "Mẫu", "Giả Định" mean test, sample,
// hypothetical).
const (
	cardOld7   = "038152999901|123999001|Trần Thị Mẫu|14071952|Nữ|Thôn Thử Nghiệm, Xã Mẫu, Tỉnh Giả Định|01032021"
	cardOld8   = "079048999902||Nguyễn Văn Thử|29021948|Nam|Số 1 Đường Mẫu, Phường Giả Định|15062022|"
	cardNoOld  = "001090999905|Phạm Văn Sáu|01011990|Nam|Địa chỉ Mẫu|02022022"
	cardNew    = "001206999903||Lê Văn Thử|05092006|Nam|Phường Giả Định, Thành phố Mẫu|15082024|Lê Văn Cha|001080999904|Nguyễn Thị Mẹ|001185999906||"
	cardFemale = "046305999907||Hồ Thị Mẫu|30062005|NỮ|Xã Thử|01072024"
)

func TestParseCard(t *testing.T) {
	tests := []struct {
		name, text string
		want       Card
	}{
		{"chip card, 7 fields", cardOld7, Card{Type: CardCCCD, Number: "038152999901", OldNumber: "123999001",
			Name: "Trần Thị Mẫu", Birth: Date{1952, 7, 14}, Sex: Female, Issued: Date{2021, 3, 1}}},
		{"chip card, 8th field", cardOld8, Card{Type: CardCCCD, Number: "079048999902",
			Name: "Nguyễn Văn Thử", Birth: Date{1948, 2, 29}, Sex: Male, Issued: Date{2022, 6, 15}}},
		{"no old number field", cardNoOld, Card{Type: CardCCCD, Number: "001090999905",
			Name: "Phạm Văn Sáu", Birth: Date{1990, 1, 1}, Sex: Male, Issued: Date{2022, 2, 2}}},
		{"2024 card with family fields", cardNew, Card{Type: CardCanCuoc, Number: "001206999903",
			Name: "Lê Văn Thử", Birth: Date{2006, 9, 5}, Sex: Male, Issued: Date{2024, 8, 15}}},
		{"decomposed diacritics, spaces, CRLF", "  " + nfd("038152999901|123999001|Trần  Thị Mẫu|14071952|Nữ|Thôn Thử|01032021") + "\r\n",
			Card{Type: CardCCCD, Number: "038152999901", OldNumber: "123999001", Name: "Trần Thị Mẫu",
				Birth: Date{1952, 7, 14}, Sex: Female, Issued: Date{2021, 3, 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCard(tt.text)
			if err != nil {
				t.Fatalf("ParseCard: %v", err)
			}
			if *c != tt.want {
				t.Errorf("got %+v, want %+v", *c, tt.want)
			}
		})
	}
}

// nfd writes the Vietnamese letters used above decomposed, as some
// scanners' firmware sends them.
func nfd(s string) string {
	return strings.NewReplacer("ầ", "a\u0302\u0300", "ữ", "u\u031b\u0303", "ẫ", "a\u0302\u0303", "ử", "u\u031b\u0309").Replace(s)
}

func TestParseCardRefuses(t *testing.T) {
	tests := []struct {
		name, text string
		want       error
	}{
		{"province code 003 does not exist", "003152999901||Trần Thị Mẫu|14071952|Nữ|Thôn Thử|01032021", ErrBadNumber},
		{"sex digit says male", "038052999901||Trần Thị Mẫu|14071952|Nữ|Thôn Thử|01032021", ErrBadNumber},
		{"century digit says 2000s", "038352999901||Trần Thị Mẫu|14071952|Nữ|Thôn Thử|01032021", ErrBadNumber},
		{"year digits disagree", "038153999901||Trần Thị Mẫu|14071952|Nữ|Thôn Thử|01032021", ErrBadNumber},
		{"no such birth date", "038152999901||Trần Thị Mẫu|31021952|Nữ|Thôn Thử|01032021", ErrNotCard},
		{"birth date with slashes", "038152999901||Trần Thị Mẫu|14/07/1952|Nữ|Thôn Thử|01032021", ErrNotCard},
		{"issued before birth", "038152999901||Trần Thị Mẫu|14071952|Nữ|Thôn Thử|01031950", ErrNotCard},
		{"11-digit number", "03815299990||Trần Thị Mẫu|14071952|Nữ|Thôn Thử|01032021", ErrNotCard},
		{"no sex field", "038152999901||Trần Thị Mẫu|14071952|Khác|Thôn Thử|01032021", ErrNotCard},
		{"name with digits", "038152999901||Trần 3 Mẫu|14071952|Nữ|Thôn Thử|01032021", ErrNotCard},
		{"old number of 8 digits", "038152999901|12399900|Trần Thị Mẫu|14071952|Nữ|Thôn Thử|01032021", ErrNotCard},
		{"too few fields", "038152999901|Trần Thị Mẫu|14071952|Nữ|Thôn Thử", ErrNotCard},
		{"no separators", "038152999901", ErrNotCard},
		{"not UTF-8", "038152999901||Tr\xe2n Th\xef M\xe3u|14071952|N\xef|Th\xf4n|01032021", ErrNotCard},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCard(tt.text)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, %v; want %v", c, err, tt.want)
			}
			// Errors never repeat what was read.
			for _, part := range []string{"038", "Mẫu", "1952", "999901"} {
				if strings.Contains(err.Error(), part) {
					t.Errorf("error %q holds %q from the card", err, part)
				}
			}
		})
	}
}

func TestCardNeverPrintsPersonalData(t *testing.T) {
	c, err := ParseCard(cardOld7)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%v %+v %#v %s", c, c, c, c), fmt.Sprint(Classify(cardOld7))} {
		for _, part := range []string{"038152999901", "Mẫu", "1952", "123999001"} {
			if strings.Contains(s, part) {
				t.Errorf("%q holds %q", s, part)
			}
		}
	}
}

func TestAge(t *testing.T) {
	tests := []struct {
		birth, on Date
		want      int
	}{
		{Date{1951, 12, 3}, Date{2026, 12, 3}, 75},
		{Date{1951, 12, 4}, Date{2026, 12, 3}, 74},
		{Date{1951, 11, 30}, Date{2026, 12, 3}, 75},
		{Date{1952, 1, 1}, Date{2026, 12, 31}, 74},
		{Date{1948, 2, 29}, Date{2023, 2, 28}, 74},
		{Date{1948, 2, 29}, Date{2023, 3, 1}, 75},
		{Date{1948, 2, 29}, Date{2024, 2, 29}, 76},
		{Date{2026, 12, 4}, Date{2026, 12, 3}, -1},
	}
	for _, tt := range tests {
		if got := Age(tt.birth, tt.on); got != tt.want {
			t.Errorf("Age(%v, %v) = %d, want %d", tt.birth, tt.on, got, tt.want)
		}
	}
	c, _ := ParseCard(cardOld7)
	if got := c.Age(DateOf(time.Date(2027, 7, 14, 0, 0, 0, 0, time.UTC))); got != 75 {
		t.Errorf("card age on the 75th birthday = %d, want 75", got)
	}
}

func TestCheckNumberCenturies(t *testing.T) {
	tests := []struct {
		number string
		sex    Sex
		birth  Date
		ok     bool
	}{
		{"001000999901", Male, Date{1900, 1, 1}, true},
		{"001199999901", Female, Date{1999, 1, 1}, true},
		{"001200999901", Male, Date{2000, 1, 1}, true},
		{"001325999901", Female, Date{2025, 1, 1}, true},
		{"001425999901", Male, Date{2125, 1, 1}, true},
		{"001225999901", Female, Date{2025, 1, 1}, false},
		{"001025999901", Male, Date{2025, 1, 1}, false},
		{"096090999901", 0, Date{}, true}, // nothing to compare with
		{"097090999901", 0, Date{}, false},
		{"00109099990a", 0, Date{}, false},
	}
	for _, tt := range tests {
		err := CheckNumber(tt.number, tt.sex, tt.birth)
		if (err == nil) != tt.ok {
			t.Errorf("CheckNumber(%s, %v, %v) = %v, want ok %v", tt.number, tt.sex, tt.birth, err, tt.ok)
		}
	}
}

func TestFindDossier(t *testing.T) {
	tests := []struct{ text, want string }{
		{"000.00.12.H56-261203-0001", "000.00.12.H56-261203-0001"},
		{"https://dichvucong.example.gov.vn/tra-cuu?ma_ho_so=000.00.12.H56-261203-0001&x=1", "000.00.12.H56-261203-0001"},
		{`{"MaHoSo":"000.23.45.h12-260115-12345","NgayNhan":"15/01/2026"}`, "000.23.45.H12-260115-12345"},
		{"Mã hồ sơ: G01.10.02.H34-251231-0042\nNgười nộp: Nguyễn Văn Thử", "G01.10.02.H34-251231-0042"},
		{"HS|000.00.12.H56-261203-0001|Đất đai", "000.00.12.H56-261203-0001"},
		{"000.00.12.H56-261303-0001", ""},  // month 13
		{"000.00.12.H56-260230-0001", ""},  // 30 February
		{"X000.00.12.H56-261203-0001", ""}, // inside a longer word
		{"000.00.12.H56-261203-001", ""},   // sequence too short
		{"000.00.12.H56-261203-00011234", ""},
		{"1000.00.12.H56-261203-0001", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, ok := FindDossier(tt.text)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("FindDossier(%q) = %q, %v; want %q", tt.text, got, ok, tt.want)
		}
	}
	if !ValidDossier("000.00.12.h56-261203-0001") || ValidDossier("mã 000.00.12.H56-261203-0001") {
		t.Error("ValidDossier takes a code alone, in any case, and nothing around it")
	}
}

func TestFindReturnDate(t *testing.T) {
	tests := []struct {
		text string
		want Date
	}{
		{"Mã hồ sơ: 000.00.12.H56-261203-0001\nNgày hẹn trả: 10/12/2026", Date{2026, 12, 10}},
		{"https://x.example.gov.vn/hs?ma=000.00.12.H56-261203-0001&ngay_hen_tra=2026-12-10", Date{2026, 12, 10}},
		{`{"MaHoSo":"000.00.12.H56-261203-0001","NgayTiepNhan":"03/12/2026","NgayHenTra":"10122026"}`, Date{2026, 12, 10}},
		{"Hẹn trả kết quả = 1.2.2027", Date{2027, 2, 1}},
		{"return_date: 2026-12-10", Date{2026, 12, 10}},
		{"Ngày tiếp nhận: 03/12/2026", Date{}}, // the day received, not the day to return
		{"Ngày hẹn trả: 31/02/2026", Date{}},
		{"10/12/2026", Date{}},
	}
	for _, tt := range tests {
		got, ok := FindReturnDate(tt.text)
		if got != tt.want || ok != !tt.want.IsZero() {
			t.Errorf("FindReturnDate(%q) = %v, %v; want %v", tt.text, got, ok, tt.want)
		}
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name, text string
		want       Scan
	}{
		{"appointment code", "HN-0042", Scan{Kind: KindAppointment, Code: "HN-0042"}},
		{"appointment code with suffix left", "HN-0042\r", Scan{Kind: KindAppointment, Code: "HN-0042"}},
		{"appointment URL", "https://ihanoi.example.gov.vn/lich-hen?code=HN-0042", Scan{Kind: KindAppointment, Code: "HN-0042"}},
		{"receipt", "Mã hồ sơ: 000.00.12.H56-261203-0001", Scan{Kind: KindReceipt, Dossier: "000.00.12.H56-261203-0001"}},
		{"slip", "000.00.12.H56-261203-0001|Ngày hẹn trả: 10/12/2026", Scan{Kind: KindSlip, Dossier: "000.00.12.H56-261203-0001", Return: Date{2026, 12, 10}}},
		{"word without digits", "hello", Scan{Kind: KindOther}},
		{"too long", strings.Repeat("A1", MaxLen), Scan{Kind: KindOther}},
		{"empty", " \r\n", Scan{Kind: KindOther}},
		{"not UTF-8", "HN-\xff42", Scan{Kind: KindOther}},
		{"other URL", "https://example.com/x", Scan{Kind: KindOther}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.text); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
	for _, text := range []string{cardOld7, cardOld8, cardNoOld, cardNew, cardFemale} {
		s := Classify(text)
		if s.Kind != KindIDCard || s.Card == nil || s.Err != nil {
			t.Errorf("Classify(card) = %v %v, want id_card", s.Kind, s.Err)
		}
	}
	bad := Classify("038153999901||Trần Thị Mẫu|14071952|Nữ|Thôn Thử|01032021")
	if bad.Kind != KindOther || !errors.Is(bad.Err, ErrBadNumber) {
		t.Errorf("card with a bad number: got %v %v, want other with ErrBadNumber", bad.Kind, bad.Err)
	}
}

func TestKeyer(t *testing.T) {
	k, err := NewKeyer([]byte("synthetic-unit-secret-0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	// Computed with Python's hmac module:
	// hmac.new(secret, b"motcua.citizen.v1|038152999901", hashlib.sha256).hexdigest()[:32]
	if got, want := k.Citizen("038152999901"), "d12ca4f46d660bf177179ea98ed4466a"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	k2, _ := NewKeyer([]byte("another-unit-secret-0123456789ab"))
	if k.Citizen("038152999901") == k2.Citizen("038152999901") || k.Citizen("038152999901") == k.Citizen("038152999902") {
		t.Error("keys must differ by secret and by number")
	}
	if _, err := NewKeyer([]byte("short")); !errors.Is(err, ErrShortSecret) {
		t.Errorf("got %v, want ErrShortSecret", err)
	}
	if strings.Contains(fmt.Sprint(k), "secret") && strings.Contains(fmt.Sprint(k), "0123") {
		t.Error("Keyer prints its secret")
	}
}

func TestPlace(t *testing.T) {
	if Kiosk.String() != "kiosk" || !Kiosk.IsKiosk() || (Place{Counter: 2}).String() != "counter 2" || (Place{Counter: 2}).IsKiosk() {
		t.Errorf("got %v and %v", Kiosk, Place{Counter: 2})
	}
}
