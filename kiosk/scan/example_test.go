package scan_test

import (
	"fmt"

	"motcua/kiosk/scan"
)

func ExampleClassify() {
	// An invented citizen: the number passes its checks, nobody has it.
	s := scan.Classify("038152999901|123999001|Trần Thị Mẫu|14071952|Nữ|Thôn Thử Nghiệm|01032021")
	fmt.Println(s.Kind, s.Card, s.Card.Age(scan.Date{Year: 2026, Month: 12, Day: 3}))

	s = scan.Classify("https://dichvucong.example.gov.vn/hs?ma=000.00.12.H56-261203-0001&ngay_hen_tra=2026-12-10")
	fmt.Println(s.Kind, s.Dossier, s.Return)

	fmt.Println(scan.Classify("HN-0042").Kind)
	// Output:
	// id_card ID card (cccd) 74
	// slip 000.00.12.H56-261203-0001 2026-12-10
	// appointment
}
