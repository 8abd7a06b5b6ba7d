package queue

import (
	"errors"
	"testing"

	"motcua/kiosk/config"
)

// FuzzBook books what a booking system might send: the engine never
// panics, refuses with one of its errors or books a booking whose fields
// are valid, and the same booking again changes nothing.
func FuzzBook(f *testing.F) {
	f.Add("HN-0042", "dat-dai", "2026-12-03", "08:00", "08:30", "key", "000.00.12.H56-261203-0001")
	f.Add("hn 1", "dat-dai", "2026-12-3", "8:00", "08:30", "", "")
	f.Add("X", "ho-tich", "2026-12-09", "23:30", "24:00", "\xff", "")
	f.Add("Y/1.2_3", "chung-thuc", "2026-12-04", "24:00", "24:00", "k", "d")
	f.Fuzz(func(t *testing.T, code, service, date, from, to, citizen, dossier string) {
		v := newApptEnv(t, "2026-12-03 07:00:00", apptConfig())
		a := Appointment{Code: code, Service: service, Date: date, From: from, To: to, Citizen: citizen, Dossier: dossier}
		evs, got, created, err := v.e.Book(a)
		if err != nil {
			if Code(err) == "" {
				t.Fatalf("error without a code: %v", err)
			}
			if got != nil || created || (len(evs) > 0 && evs[len(evs)-1].Name == AppointmentBooked) {
				t.Fatalf("refused (%v) but booked", err)
			}
			return
		}
		if !created || got.Status != Booked || !ValidCode(got.Code) {
			t.Fatalf("booked %+v, created %v", got, created)
		}
		if _, ok := config.ClockTime(got.From); !ok {
			t.Fatalf("booked with from %q", got.From)
		}
		evs, again, created, err := v.e.Book(a)
		if err != nil || created || *again != *got || len(evs) != 0 {
			t.Fatalf("the same booking again: %v %v %d events, %v", again, created, len(evs), err)
		}
		if _, _, err := v.e.Cancel(got.Code); err != nil && !errors.Is(err, ErrUnknownAppointment) {
			t.Fatalf("cancel: %v", err)
		}
	})
}
