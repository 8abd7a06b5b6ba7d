package web_test

import (
	"strings"
	"testing"

	"motcua/kiosk/api"
	"motcua/kiosk/config"
)

// The kiosk page of a satellite's kiosk tells the citizen to take the
// ticket: the main daemon does not print it (not printed, no error), the
// satellite does.
func TestKioskSatelliteTicket(t *testing.T) {
	const satTok = "kiosk-satellite-secret-9"
	r := newRoomOpts(t, roomOpts{edit: func(c *config.Config) {
		c.Kiosks = []config.Kiosk{{ID: "tang-2", Satellite: true}}
		if err := c.AddToken(config.Token{Role: config.RoleKiosk, Secret: satTok, Kiosk: "tang-2"}); err != nil {
			t.Fatal(err)
		}
	}})
	// What the unit's printers answer for a kiosk without a printer here.
	r.printer.Fail(api.ErrNotPrinted)
	ctx := tab(t, 1080, 1920)
	open(t, ctx, r.url+"/kiosk?token="+satTok)
	waitJS(t, ctx, `document.querySelectorAll("#services .svc").length === 5`)
	click(t, ctx, `#services .svc[data-service="dat-dai"]`)
	waitJS(t, ctx, `!document.querySelector("#ticket").hidden`)
	if got := evalJS[string](t, ctx, `document.querySelector("#t-number").textContent`); got != "A001" {
		t.Errorf("number on screen: got %q, want A001", got)
	}
	if got := evalJS[string](t, ctx, `document.querySelector("#t-print").textContent`); !strings.Contains(got, "nhận phiếu") {
		t.Errorf("print line: got %q, want it to say to take the ticket", got)
	}
	if evalJS[bool](t, ctx, `document.querySelector("#ticket").classList.contains("failed")`) {
		t.Error("a satellite's ticket is shown as failed")
	}
	if !evalJS[bool](t, ctx, `window.motcuaKiosk.last.satellite === true && window.motcuaKiosk.last.kiosk === "tang-2"`) {
		t.Error("the answer did not say the satellite prints it")
	}
}
