package web_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"motcua/kiosk/config"
)

// overflowJS lists every box on the page whose text does not fit: an
// element wider inside than its box (scrollWidth > clientWidth), a box
// that clips (overflow other than visible) and is taller inside than out,
// and text that leaves the viewport or crosses its block's edges.
const overflowJS = `(() => {
  const bad = [];
  const vw = innerWidth, vh = innerHeight;
  const name = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
    (typeof e.className === "string" && e.className ? "." + e.className.trim().replace(/\s+/g, ".") : "") +
    " " + JSON.stringify(e.textContent.trim().replace(/\s+/g, " ").slice(0, 40));
  for (const e of [document.body, ...document.body.querySelectorAll("*")]) {
    if (!e.getClientRects().length || e.closest("[hidden]")) continue;
    const cs = getComputedStyle(e);
    if (cs.visibility === "hidden" || cs.display === "inline" || e.tagName === "svg" || e.closest("svg")) continue;
    const scrolls = /auto|scroll/.test(cs.overflowX + cs.overflowY);
    if (e.scrollWidth > e.clientWidth + 1) bad.push(name(e) + " overflows: scrollWidth " + e.scrollWidth + " > clientWidth " + e.clientWidth);
    if (!scrolls && /hidden|clip/.test(cs.overflowX + cs.overflowY) && e.scrollHeight > e.clientHeight + 1)
      bad.push(name(e) + " cuts its text: scrollHeight " + e.scrollHeight + " > clientHeight " + e.clientHeight);
  }
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    if (!n.textContent.trim()) continue;
    const e = n.parentElement;
    if (!e.getClientRects().length || e.closest("[hidden]") || e.closest(".offline")) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    const r = range.getBoundingClientRect();
    if (r.width === 0) continue;
    if (r.left < -0.5 || r.top < -0.5 || r.right > vw + 0.5 || r.bottom > vh + 0.5)
      bad.push(name(e) + " leaves the viewport: " + JSON.stringify([r.left, r.top, r.right, r.bottom].map(Math.round)));
    let box = e;
    while (box && getComputedStyle(box).display === "inline") box = box.parentElement;
    const b = box.getBoundingClientRect();
    if (r.left < b.left - 0.5 || r.right > b.right + 0.5 || r.top < b.top - 0.5 || r.bottom > b.bottom + 0.5)
      bad.push(name(e) + " crosses the edge of " + name(box));
  }
  return bad;
})()`

// fontJS checks that the page's text is drawn with the fonts from the
// binary, whatever the machine has installed: both faces of "Motcua Sans"
// loaded from /static, every text element's computed font family starts
// with it, and every character on the page is in the subset (a character
// the font lacks would be drawn by a fallback: its width would then
// differ between two very different fallbacks).
const fontJS = `(async () => {
  await document.fonts.ready;
  const bad = [];
  const faces = [...document.fonts].filter((f) => f.family.replace(/"/g, "") === "Motcua Sans");
  if (faces.length !== 2) bad.push("faces of Motcua Sans: " + faces.length + ", want 2");
  for (const f of faces) if (f.status !== "loaded") bad.push("face " + f.weight + " is " + f.status);
  const chars = new Set();
  for (const e of document.body.querySelectorAll("*")) {
    if (!e.getClientRects().length || e.closest("svg")) continue;
    const own = [...e.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join("").trim();
    if (!own) continue;
    const fam = getComputedStyle(e).fontFamily;
    if (!/^"?Motcua Sans"?,/.test(fam)) bad.push(e.tagName + " " + JSON.stringify(own.slice(0, 20)) + " uses " + fam);
    for (const c of own) if (c.trim()) chars.add(c);
  }
  for (const c of "ĂÂĐÊÔƠƯăâđêôơưÀẢÃÁẠẰẲẴẮẶẦẨẪẤẬÈẺẼÉẸỀỂỄẾỆÌỈĨÍỊÒỎÕÓỌỒỔỖỐỘỜỞỠỚỢÙỦŨÚỤỪỬỮỨỰỲỶỸÝỴàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ") chars.add(c);
  const cv = document.createElement("canvas").getContext("2d");
  const width = (c, fallback) => { cv.font = '700 40px "Motcua Sans", ' + fallback; return cv.measureText(c.repeat(5)).width; };
  const missing = [...chars].filter((c) => width(c, "monospace") !== width(c, "serif"));
  if (missing.length) bad.push("characters not in the embedded fonts: " + missing.join(" "));
  return bad;
})()`

// fitRoom is a room whose five services have prefixes of 0 to 4 of the
// widest letters and the given digits, each called at its own counter,
// and a sixth counter paused with a long reason.
func fitRoom(t *testing.T, digits int) (*room, []string) {
	prefixes := []string{"", "M", "WW", "QWM", "WQWM"}
	r := newRoomOpts(t, roomOpts{edit: func(c *config.Config) {
		for i := range c.Services {
			c.Services[i].Prefix = prefixes[i]
			c.Services[i].Digits = digits
		}
		c.Server.TicketBurst = 1000 // the kiosk takes 36 tickets in a minute
		c.Services[1].Name = "Tư pháp – Hộ tịch, chứng thực bản sao từ bản chính"
		for i := range c.Counters {
			c.Counters[i].Services = []string{c.Services[i].ID}
		}
		c.Counters = append(c.Counters, config.Counter{ID: 6, Name: "Quầy 6", Services: []string{c.Services[0].ID}})
	}})
	var numbers []string
	cfg := r.d.Room.Config()
	for i, s := range cfg.Services {
		tk := r.must(t, 201, "POST", "/api/v1/tickets", map[string]any{"service": s.ID})
		numbers = append(numbers, tk["number"].(string))
		r.must(t, 200, "POST", fmt.Sprintf("/api/v1/counters/%d/open", i+1), map[string]any{"officer": "Nguyễn Thị Hoa"})
		r.must(t, 200, "POST", fmt.Sprintf("/api/v1/counters/%d/next", i+1), nil)
	}
	r.must(t, 200, "POST", "/api/v1/counters/6/open", map[string]any{"officer": "Lê Văn Nam"})
	r.must(t, 200, "POST", "/api/v1/counters/6/pause", map[string]any{"reason": "Họp giao ban cuối tuần của cơ quan"})
	return r, numbers
}

var fitSizes = []struct {
	name string
	w, h int64
}{{"1920x1080", 1920, 1080}, {"1366x768", 1366, 768}, {"1080x1920", 1080, 1920}}

// checkFit fails the test for every box of the page that does not fit and
// for text not drawn with the embedded fonts.
func checkFit(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	waitJS(t, ctx, `document.fonts.status === "loaded"`)
	// Let fitAll run after the last render.
	evalAsync[any](t, ctx, `new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)))`)
	for _, b := range evalJS[[]string](t, ctx, overflowJS) {
		t.Errorf("%s: %s", what, b)
	}
	for _, b := range evalAsync[[]string](t, ctx, fontJS) {
		t.Errorf("%s: %s", what, b)
	}
}

// TestBoardFits renders the board at the three screen sizes with numbers
// of every allowed prefix length (0 to 4 letters) and 3 and 4 digits: no
// number, name or "Tạm nghỉ" may overflow its tile or leave the screen,
// and the text is drawn with the fonts from the binary.
func TestBoardFits(t *testing.T) {
	for _, digits := range []int{3, 4} {
		t.Run(fmt.Sprintf("digits%d", digits), func(t *testing.T) {
			r, numbers := fitRoom(t, digits)
			for _, size := range fitSizes {
				t.Run(size.name, func(t *testing.T) {
					ctx := tab(t, size.w, size.h)
					open(t, ctx, r.url+"/board?token="+displayTok)
					waitJS(t, ctx, `document.querySelectorAll("#counters .tile").length === 6 && document.querySelector("#call-number").textContent !== ""`)
					if got := evalJS[string](t, ctx, `document.querySelector("#call-number").textContent`); got != numbers[4] {
						t.Errorf("the big call shows %q, want the last called %q", got, numbers[4])
					}
					for i, n := range numbers {
						sel := fmt.Sprintf(`document.querySelector('.tile[data-counter="%d"] .serving').textContent`, i+1)
						if got := evalJS[string](t, ctx, sel); got != n {
							t.Errorf("tile %d: got %q, want %q", i+1, got, n)
						}
					}
					if got := evalJS[string](t, ctx, `document.querySelector('.tile[data-counter="6"] .serving').textContent`); got != "Tạm nghỉ" {
						t.Errorf("paused tile: got %q, want Tạm nghỉ", got)
					}
					checkFit(t, ctx, "board "+size.name)
					// The newest call's ring is drawn whole: an outline
					// outside the chip was clipped by the row's edge.
					ring := evalJS[string](t, ctx, `(() => {
					  const li = document.querySelector("#recent li:first-child"), list = li.parentElement;
					  const cs = getComputedStyle(li);
					  const out = cs.outlineStyle === "none" ? 0 : parseFloat(cs.outlineWidth) + parseFloat(cs.outlineOffset);
					  const r = li.getBoundingClientRect(), b = list.getBoundingClientRect();
					  if (!/inset/.test(cs.boxShadow) && out === 0) return "no ring";
					  return r.left - out < b.left - 0.5 || r.top - out < b.top - 0.5 || r.right + out > b.right + 0.5 || r.bottom + out > b.bottom + 0.5 ? "ring clipped by the row" : "";
					})()`)
					if ring != "" {
						t.Errorf("board %s: first Vừa gọi chip: %s", size.name, ring)
					}
				})
			}
		})
	}
}

// TestKioskFits renders the kiosk's start screen, the ticket screen of
// every service (prefixes of 0 to 4 letters, 3 and 4 digits) and the
// printer-failed screen at the three screen sizes: the number is never
// cut, nothing leaves the screen.
func TestKioskFits(t *testing.T) {
	for _, digits := range []int{3, 4} {
		t.Run(fmt.Sprintf("digits%d", digits), func(t *testing.T) {
			r, _ := fitRoom(t, digits)
			services := r.d.Room.Config().Services
			for _, size := range fitSizes {
				t.Run(size.name, func(t *testing.T) {
					ctx := tab(t, size.w, size.h)
					open(t, ctx, r.url+"/kiosk?token="+kioskTok)
					waitJS(t, ctx, `document.querySelectorAll("#services .svc").length === 5`)
					checkFit(t, ctx, "kiosk start "+size.name)
					// Large text: the start screen may scroll down, but no
					// name overflows its button sideways.
					nameSize := `parseFloat(getComputedStyle(document.querySelector(".svc .name")).fontSize)`
					before := evalJS[float64](t, ctx, nameSize)
					click(t, ctx, "#large")
					evalAsync[any](t, ctx, `new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)))`)
					for _, b := range evalJS[[]string](t, ctx, `[...document.querySelectorAll("#start *")].filter((e) => e.getClientRects().length && getComputedStyle(e).display !== "inline" && e.scrollWidth > e.clientWidth + 1).map((e) => e.className + " " + e.scrollWidth + " > " + e.clientWidth)`) {
						t.Errorf("kiosk large text %s: %s overflows", size.name, b)
					}
					if after := evalJS[float64](t, ctx, nameSize); after < before*1.3 {
						t.Errorf("kiosk large text %s: names %.0f px, before %.0f px; want a third larger", size.name, after, before)
					}
					click(t, ctx, "#large")
					for _, s := range services {
						click(t, ctx, fmt.Sprintf(`#services .svc[data-service=%q]`, s.ID))
						waitJS(t, ctx, `!document.querySelector("#ticket").hidden`)
						n := evalJS[string](t, ctx, `document.querySelector("#t-number").textContent`)
						if !strings.HasPrefix(n, s.Prefix) || len(n) != len(s.Prefix)+digits {
							t.Errorf("ticket of %s: got %q", s.ID, n)
						}
						checkFit(t, ctx, "kiosk ticket "+n+" "+size.name)
						click(t, ctx, "#t-done")
						waitJS(t, ctx, `!document.querySelector("#start").hidden`)
					}
					r.printer.Fail(errors.New("escpos: paper out"))
					click(t, ctx, `#services .svc[data-service=`+q(services[4].ID)+`]`)
					waitJS(t, ctx, `document.querySelector("#ticket").classList.contains("failed") && !document.querySelector("#ticket").hidden`)
					checkFit(t, ctx, "kiosk printer failed "+size.name)
					click(t, ctx, "#t-done")
					r.printer.Fail(nil)
				})
			}
		})
	}
}

// evalAsync evaluates an expression whose value is a promise.
func evalAsync[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("eval %s: %v", expr, err)
	}
	return v
}
