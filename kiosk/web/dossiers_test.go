package web_test

import (
	"testing"

	"motcua/kiosk/scan"
)

// TestCounterLinksDossiers types a dossier code into the counter page and
// scans a receipt at the counter's scanner: the page shows both codes on
// the served ticket, and a wrong code gets a message and links nothing.
func TestCounterLinksDossiers(t *testing.T) {
	r := newRoom(t)
	r.must(t, 201, "POST", "/api/v1/tickets", map[string]any{"service": "dat-dai"})
	r.must(t, 200, "POST", "/api/v1/counters/1/open", map[string]any{"officer": "Trần Thị B"})

	officer := tab(t, 360, 800)
	open(t, officer, r.url+"/counter/1?token="+counterTok)
	waitJS(t, officer, `!document.querySelector("#work").hidden`)
	if !evalJS[bool](t, officer, `document.querySelector("#dossier-form").hidden`) {
		t.Error("the dossier field shows while no ticket is served")
	}
	pressKey(t, officer, "n")
	waitJS(t, officer, `document.querySelector("#s-number").textContent === "A001"`)
	waitJS(t, officer, `!document.querySelector("#dossier-form").hidden`)

	click(t, officer, "#dossier-code")
	if err := sendKeys(officer, "#dossier-code", "12345\r"); err != nil {
		t.Fatal(err)
	}
	waitJS(t, officer, `document.querySelector("#msg").textContent.startsWith("Mã hồ sơ không đúng dạng")`)

	evalJS[bool](t, officer, `(document.querySelector("#dossier-code").value = "", true)`)
	if err := sendKeys(officer, "#dossier-code", "000.00.12.h56-261203-0001\r"); err != nil {
		t.Fatal(err)
	}
	waitJS(t, officer, `document.querySelector("#dossier-list").textContent === "000.00.12.H56-261203-0001"`)
	// The event may show the code before the answer empties the field.
	waitJS(t, officer, `document.querySelector("#dossier-code").value === "" && document.querySelector("#msg").textContent === "Đã gắn hồ sơ 000.00.12.H56-261203-0001."`)
	// The keys typed into the field did not act on the counter.
	if got := evalJS[string](t, officer, `document.querySelector("#s-number").textContent`); got != "A001" {
		t.Errorf("serving after typing: got %q, want A001", got)
	}

	r.d.API.Scan(t.Context(), scan.Place{Counter: 1}, "https://dichvucong.example.vn/tra-cuu?ma=000.00.12.H56-261203-0002&x=1")
	waitJS(t, officer, `[...document.querySelectorAll("#dossier-list li")].map(li => li.textContent).join(",") === "000.00.12.H56-261203-0001,000.00.12.H56-261203-0002"`)

}
