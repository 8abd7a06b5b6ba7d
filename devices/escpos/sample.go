package escpos

import "time"

// toned is every Vietnamese vowel with every tone, and đ, both cases.
var toned = []string{
	"a à á ả ã ạ  ă ằ ắ ẳ ẵ ặ  â ầ ấ ẩ ẫ ậ",
	"e è é ẻ ẽ ẹ  ê ề ế ể ễ ệ  i ì í ỉ ĩ ị",
	"o ò ó ỏ õ ọ  ô ồ ố ổ ỗ ộ  ơ ờ ớ ở ỡ ợ",
	"u ù ú ủ ũ ụ  ư ừ ứ ử ữ ự  y ỳ ý ỷ ỹ ỵ  đ",
	"A À Á Ả Ã Ạ  Ă Ằ Ắ Ẳ Ẵ Ặ  Â Ầ Ấ Ẩ Ẫ Ậ",
	"E È É Ẻ Ẽ Ẹ  Ê Ề Ế Ể Ễ Ệ  I Ì Í Ỉ Ĩ Ị",
	"O Ò Ó Ỏ Õ Ọ  Ô Ồ Ố Ổ Ỗ Ộ  Ơ Ờ Ớ Ở Ỡ Ợ",
	"U Ù Ú Ủ Ũ Ụ  Ư Ừ Ứ Ử Ữ Ự  Y Ỳ Ý Ỷ Ỹ Ỵ  Đ",
}

// SampleTicket is the print-test ticket: a pangram of Truyện Kiều's first
// lines and every toned vowel.
func SampleTicket(now time.Time) Ticket {
	return Ticket{
		Unit:     "MOTCUA – IN THỬ",
		Service:  "Lĩnh vực: Tư pháp – Hộ tịch",
		Number:   "A023",
		Priority: true,
		Issued:   now,
		Ahead:    4,
		Wait:     12 * time.Minute,
		QR:       "https://dichvucong.example.gov.vn/q/print-test/A023",
		Footer:   "Xin cảm ơn quý khách!",
		Lines: append([]string{
			"Trăm năm trong cõi người ta,",
			"chữ tài chữ mệnh khéo là ghét nhau.",
		}, toned...),
	}
}
