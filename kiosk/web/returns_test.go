package web_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"motcua/kiosk/config"
	"motcua/kiosk/scan"
	"motcua/uplinkproto"
)

// TestKioskReturnSlip scans appointment slips at the kiosk: one for
// tomorrow shows the date to come back and prints nothing; one for today
// shows and prints a number of the return service with its dossier.
func TestKioskReturnSlip(t *testing.T) {
	r := newRoomOpts(t, roomOpts{edit: func(c *config.Config) {
		c.Services = append(c.Services, config.Service{ID: "tra-ket-qua", Name: "Trả kết quả", Prefix: "R", First: 1, Digits: 3, Kind: config.KindReturn})
	}})
	ctx := tab(t, 1366, 768)
	open(t, ctx, r.url+"/kiosk?token="+kioskTok)
	waitJS(t, ctx, `document.body.dataset.live === "1"`)
	now := time.Now().In(r.d.Room.Config().Location)
	tomorrow := now.AddDate(0, 0, 1).Format("02/01/2006")

	r.d.API.Scan(t.Context(), scan.Kiosk, "Mã hồ sơ: 000.00.12.H56-261203-0011\nNgày hẹn trả: "+tomorrow)
	waitJS(t, ctx, `document.body.dataset.shown === "return"`)
	if got, want := evalJS[string](t, ctx, `document.querySelector("#ret-msg").textContent`),
		"Hồ sơ của quý khách hẹn trả kết quả ngày "+tomorrow+". Xin quý khách quay lại đúng ngày hẹn."; got != want {
		t.Errorf("early slip: got %q, want %q", got, want)
	}
	if jobs := r.printer.Jobs(); len(jobs) != 0 {
		t.Errorf("early slip printed %v", jobs)
	}

	r.d.API.Scan(t.Context(), scan.Kiosk, "Mã hồ sơ: 000.00.12.H56-261203-0011\nNgày hẹn trả: "+now.Format("02/01/2006"))
	waitJS(t, ctx, `document.body.dataset.shown === "ticket"`)
	if got := evalJS[string](t, ctx, `document.querySelector("#t-service").textContent`); got != "Trả kết quả · 000.00.12.H56-261203-0011" {
		t.Errorf("ticket label: got %q", got)
	}
	if jobs := r.printer.Jobs(); !slices.Equal(jobs, []string{"R001"}) {
		t.Errorf("printed %v, want R001", jobs)
	}
}

// statusLookup answers every dossier with one status.
type statusLookup struct{ d uplinkproto.Dossier }

func (l statusLookup) DossierStatus(ctx context.Context, code string) (*uplinkproto.Dossier, error) {
	d := l.d
	d.Code = code
	return &d, nil
}

// TestKioskDossierStatus scans a receipt at the kiosk: the page shows the
// dossier's status and due date as the province answered; without an
// answer, the message to take a number; and the citizen takes one from
// there.
func TestKioskDossierStatus(t *testing.T) {
	r := newRoomOpts(t, roomOpts{})
	ctx := tab(t, 1366, 768)
	open(t, ctx, r.url+"/kiosk?token="+kioskTok)
	waitJS(t, ctx, `document.body.dataset.live === "1"`)

	r.d.API.SetDossierLookup(statusLookup{uplinkproto.Dossier{Status: "Đang giải quyết", Due: "2026-12-10"}}, nil)
	r.d.API.Scan(t.Context(), scan.Kiosk, "https://dichvucong.example.gov.vn/tra-cuu?ma_ho_so=000.00.12.H56-261203-0021")
	waitJS(t, ctx, `document.body.dataset.shown === "dossier" && document.querySelector("#dos-due").textContent !== ""`)
	if got := evalJS[string](t, ctx, `document.querySelector("#dos-status").textContent`); got != "Đang giải quyết" {
		t.Errorf("status: got %q, want Đang giải quyết", got)
	}
	if got := evalJS[string](t, ctx, `document.querySelector("#dos-due").textContent`); got != "Ngày hẹn trả kết quả: 10/12/2026" {
		t.Errorf("due: got %q", got)
	}

	r.d.API.SetDossierLookup(nil, nil) // no uplink
	r.d.API.Scan(t.Context(), scan.Kiosk, "Mã hồ sơ: 000.00.12.H56-261203-0022")
	waitJS(t, ctx, `document.querySelector("#dos-status").textContent === "Chưa tra cứu được, mời quý khách lấy số"`)
	if got := evalJS[string](t, ctx, `document.querySelector("#dos-due").textContent`); got != "" {
		t.Errorf("due without an answer: got %q, want none", got)
	}
	evalJS[bool](t, ctx, `document.querySelector("#dos-back").click(), true`)
	waitJS(t, ctx, `document.body.dataset.shown === "start"`)
	evalJS[bool](t, ctx, `document.querySelector("#services button").click(), true`)
	waitJS(t, ctx, `document.body.dataset.shown === "ticket"`)
	if jobs := r.printer.Jobs(); len(jobs) != 1 {
		t.Errorf("printed %v, want one ticket", jobs)
	}
}

// TestKioskDossierStatusLeaves: a dossier's status left on the kiosk
// goes back to the start by itself (30 s, here 0.3 s), so that the next
// citizen does not find it.
func TestKioskDossierStatusLeaves(t *testing.T) {
	r := newRoomOpts(t, roomOpts{})
	ctx := fastTab(t, 1366, 768)
	open(t, ctx, r.url+"/kiosk?token="+kioskTok)
	goWait(t, ctx, `document.body.dataset.live === "1"`)
	r.d.API.SetDossierLookup(statusLookup{uplinkproto.Dossier{Status: "Đã có kết quả"}}, nil)
	r.d.API.Scan(t.Context(), scan.Kiosk, "Mã hồ sơ: 000.00.12.H56-261203-0023")
	goWait(t, ctx, `document.querySelector("#dos-status").textContent === "Đã có kết quả"`)
	goWait(t, ctx, `document.body.dataset.shown === "start"`)
}
