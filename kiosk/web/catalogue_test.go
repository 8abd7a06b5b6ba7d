package web_test

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"motcua/kiosk/catalogue"
)

// importDemoCatalogue puts the demo catalogue in force in the test room.
func importDemoCatalogue(t *testing.T, r *room) {
	t.Helper()
	req, _ := http.NewRequest("PUT", r.url+"/api/v1/catalogue", bytes.NewReader(catalogue.DemoJSON))
	req.Header.Set("Authorization", "Bearer "+adminTok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("importing the demo catalogue: %d", resp.StatusCode)
	}
}

// tapKeys types text on the catalogue's on-screen keyboard.
func tapKeys(t *testing.T, ctx context.Context, text string) {
	t.Helper()
	for _, r := range text {
		key := string(r)
		if r == ' ' {
			key = "space"
		}
		click(t, ctx, `#cat-kb .key[data-key=`+q(key)+`]`)
	}
}

// TestKioskCatalogue browses the catalogue by field, searches it on the
// on-screen keyboard (Telex, no accents), opens a procedure's page with its
// papers as a checklist, and takes a number for it in its service.
func TestKioskCatalogue(t *testing.T) {
	for _, size := range []struct {
		name string
		w, h int64
	}{{"portrait", 1080, 1920}, {"landscape", 1366, 768}} {
		t.Run(size.name, func(t *testing.T) {
			r := newRoom(t)
			importDemoCatalogue(t, r)
			ctx := tab(t, size.w, size.h)
			open(t, ctx, r.url+"/kiosk?token="+kioskTok)
			waitJS(t, ctx, `!!document.querySelector("#entry-catalogue")`)
			click(t, ctx, "#entry-catalogue")
			waitJS(t, ctx, `document.body.dataset.shown === "catalogue" && document.querySelectorAll("#cat-results .proc").length > 25`)
			if n := evalJS[int](t, ctx, `document.querySelectorAll("#cat-fields .chip").length`); n != 6 {
				t.Errorf("field chips: got %d, want 5 fields and Tất cả", n)
			}

			// Browse a field.
			click(t, ctx, `#cat-fields .chip[data-field="Chứng thực"]`)
			waitJS(t, ctx, `window.motcuaKiosk.catalogue.field === "Chứng thực"`)
			codes := evalJS[[]string](t, ctx, `window.motcuaKiosk.catalogue.codes`)
			if len(codes) < 5 || !slices.Contains(codes, "2.000815") || slices.Contains(codes, "1.001193") {
				t.Errorf("field Chứng thực: got %v", codes)
			}
			click(t, ctx, `#cat-fields .chip[data-field=""]`)

			// Search with Telex on the on-screen keyboard.
			tapKeys(t, ctx, "ddawng kys khai sinh")
			waitJS(t, ctx, `window.motcuaKiosk.catalogue.query === "ddawng kys khai sinh" && window.motcuaKiosk.catalogue.codes[0] === "1.001193"`)
			if got := evalJS[string](t, ctx, `document.querySelector("#cat-q").textContent`); got != "đăng ký khai sinh" {
				t.Errorf("search box: got %q, want the Telex shown as Vietnamese", got)
			}
			screenshot(t, ctx, "kiosk-catalogue-"+size.name)
			// Vietnamese letters on the keyboard work too.
			click(t, ctx, "#cat-clear")
			tapKeys(t, ctx, "kêt hôn")
			waitJS(t, ctx, `window.motcuaKiosk.catalogue.query === "kêt hôn" && window.motcuaKiosk.catalogue.codes.includes("1.000894")`)

			// The procedure's page.
			click(t, ctx, `#cat-results .proc[data-code="1.000894"]`)
			waitJS(t, ctx, `document.body.dataset.shown === "procedure"`)
			if got := evalJS[string](t, ctx, `document.querySelector("#proc-name").textContent`); got != "Đăng ký kết hôn" {
				t.Errorf("procedure: got %q", got)
			}
			if n := evalJS[int](t, ctx, `document.querySelectorAll("#proc-papers .paper.vneid .badge").length`); n < 1 {
				t.Error("no paper is marked as available on VNeID")
			}
			if fee := evalJS[string](t, ctx, `document.querySelector("#proc-fee").textContent`); fee != "Miễn lệ phí" {
				t.Errorf("fee: got %q", fee)
			}
			click(t, ctx, "#proc-papers .paper")
			if !evalJS[bool](t, ctx, `document.querySelector("#proc-papers .paper").getAttribute("aria-pressed") === "true"`) {
				t.Error("a paper cannot be ticked")
			}
			checkInside(t, ctx)
			screenshot(t, ctx, "kiosk-procedure-"+size.name)

			click(t, ctx, "#proc-take")
			waitJS(t, ctx, `document.body.dataset.shown === "ticket"`)
			if got := evalJS[string](t, ctx, `document.querySelector("#t-number").textContent`); got != "B001" {
				t.Errorf("ticket: got %q, want B001 (tư pháp – hộ tịch)", got)
			}
			if got := evalJS[string](t, ctx, `document.querySelector("#t-service").textContent`); !strings.Contains(got, "Đăng ký kết hôn") {
				t.Errorf("ticket label: got %q", got)
			}
			if got := r.printer.Jobs(); !slices.Equal(got, []string{"B001"}) {
				t.Errorf("printer jobs: got %v", got)
			}
		})
	}
}

// checkInside fails when a visible element of the shown screen sticks out
// of the viewport sideways (the page scrolls only up and down).
func checkInside(t *testing.T, ctx context.Context) {
	t.Helper()
	out := evalJS[[]string](t, ctx, `[...document.querySelectorAll("[data-screen='"+document.body.dataset.shown+"'] *")]
	  .filter((e) => e.getClientRects().length && (e.getBoundingClientRect().right > innerWidth + 1 || e.getBoundingClientRect().left < -1))
	  .map((e) => e.tagName + "." + e.className)`)
	if len(out) > 0 {
		t.Errorf("elements outside the screen: %v", out)
	}
}

// TestKioskCatalogueIdle leaves the catalogue untouched: the kiosk goes
// back to the start screen by itself.
func TestKioskCatalogueIdle(t *testing.T) {
	r := newRoom(t)
	importDemoCatalogue(t, r)
	ctx := fastTab(t, 1080, 1920)
	open(t, ctx, r.url+"/kiosk?token="+kioskTok)
	goWait(t, ctx, `!!document.querySelector("#entry-catalogue")`)
	click(t, ctx, "#entry-catalogue")
	goWait(t, ctx, `document.querySelectorAll("#cat-results .proc").length > 0`)
	click(t, ctx, `#cat-results .proc[data-code="1.001193"]`)
	goWait(t, ctx, `document.body.dataset.shown === "procedure"`)
	goWait(t, ctx, `document.body.dataset.shown === "start" && !document.querySelector("#start").hidden`)
}

// TestKioskCatalogueEntryNeedsCatalogue: without a catalogue the start
// screen offers no "Tra cứu thủ tục".
func TestKioskCatalogueEntryNeedsCatalogue(t *testing.T) {
	r := newRoom(t)
	ctx := tab(t, 1080, 1920)
	open(t, ctx, r.url+"/kiosk?token="+kioskTok)
	waitJS(t, ctx, `window.motcuaKiosk.catalogueChecked === true && document.querySelectorAll("#services .svc").length === 5`)
	if evalJS[bool](t, ctx, `!!document.querySelector("#entry-catalogue")`) {
		t.Error("the catalogue's entry shows without a catalogue")
	}
}

// TestTelexDisplay checks the kiosk's Telex display (telex.js) on words
// of the catalogue, in Chromium.
func TestTelexDisplay(t *testing.T) {
	r := newRoom(t)
	ctx := tab(t, 800, 600)
	open(t, ctx, r.url+"/static/telex.js")
	evalJS[any](t, ctx, `import("/static/telex.js").then((m) => { window.tx = m.telex; }), 0`)
	waitJS(t, ctx, `!!window.tx`)
	tests := map[string]string{
		"ddawng kys khai sinh": "đăng ký khai sinh",
		"keets hoon":           "kết hôn",
		"chuwngs thuwcj":       "chứng thực",
		"giaasy towf":          "giấy tờ",
		"nguwowif":             "người",
		"hoaf":                 "hoà",
		"quyeenf":              "quyền",
		"thur tucj":            "thủ tục",
		"xasc nhaanj":          "xác nhận",
		"1.001193":             "1.001193",
		"sinh":                 "sinh",
		"tw":                   "tư",
	}
	for in, want := range tests {
		got := evalJS[string](t, ctx, `window.tx(`+q(in)+`)`)
		if got != want {
			t.Errorf("telex(%q): got %q, want %q", in, got, want)
		}
	}
}
