package escpos

import (
	"strings"
	"testing"
)

// TestAppointmentMark checks that a checked-in booking's ticket says
// "Đặt lịch" with its code, and a walk-in's does not; and that a
// priority ticket's category is printed under the mark.
func TestAppointmentMark(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		tk   Ticket
		l    Layout
		want string
	}{
		{"walk-in", Ticket{Number: "A001"}, Layout{Mode: TCVN3, Paper: Paper80}, "A001|Quý khách là người tiếp theo"},
		{"booking", Ticket{Number: "A002", Appointment: "HN-0042"}, Layout{Mode: TCVN3, Paper: Paper80}, "A002|Đặt lịch HN-0042|Quý khách là người tiếp theo"},
		{"booking, ascii", Ticket{Number: "A002", Appointment: "HN-0042"}, Layout{Mode: ASCII, Paper: Paper58}, "A002|Dat lich HN-0042|Quy khach la nguoi tiep theo"},
		{"priority category", Ticket{Number: "A004", Priority: true, Category: "Người cao tuổi"}, Layout{Mode: TCVN3, Paper: Paper80}, "A004|ƯU TIÊN|Người cao tuổi|Quý khách là người tiếp theo"},
		{"priority without category", Ticket{Number: "A005", Priority: true}, Layout{Mode: TCVN3, Paper: Paper80}, "A005|ƯU TIÊN|Quý khách là người tiếp theo"},
		{"own mark", Ticket{Number: "A003", Appointment: "HN-7"}, Layout{Mode: TCVN3, Paper: Paper80, Blocks: []Block{
			{Field: FieldNumber}, {Field: FieldAppointment, Text: "LỊCH HẸN: {value}"},
		}}, "A003|LỊCH HẸN: HN-7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			job, err := r.Render(tt.tk, tt.l)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(textLines(t, job), "|"); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}
