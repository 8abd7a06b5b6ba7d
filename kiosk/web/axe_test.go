package web_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core (npm, testdata/axe, installed with npm ci from the
// committed package-lock.json when missing), read once.
var axeSource = sync.OnceValues(func() (string, error) {
	dir, err := filepath.Abs(filepath.Join("testdata", "axe"))
	if err != nil {
		return "", err
	}
	file := filepath.Join(dir, "node_modules", "axe-core", "axe.min.js")
	if _, err := os.Stat(file); err != nil {
		npm, err := exec.LookPath("npm")
		if err != nil {
			return "", fmt.Errorf("npm is needed to install axe-core: %w", err)
		}
		cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("npm ci: %w\n%s", err, out)
		}
	}
	b, err := os.ReadFile(file)
	return string(b), err
})

// axeRunJS runs axe-core on the page for WCAG 2.0, 2.1 and 2.2 A and AA
// and returns the serious and critical violations, one line per element.
const axeRunJS = `(async () => {
  const r = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] }, resultTypes: ["violations"] });
  const out = [];
  for (const v of r.violations) {
    if (v.impact !== "serious" && v.impact !== "critical") continue;
    for (const n of v.nodes) out.push(v.impact + " " + v.id + ": " + n.target.join(" ") + " — " + (n.failureSummary || "").replace(/\s+/g, " ").slice(0, 200));
  }
  return out;
})()`

// checkAxe injects axe-core into the page and fails the test for every
// serious or critical WCAG 2.2 AA violation.
func checkAxe(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	src, err := axeSource()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("axe-core: %v", err)
		}
		t.Skipf("axe-core: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](`window.axe ? 0 : (0, eval)(`+q(src)+`), 0`)); err != nil {
		t.Fatalf("%s: injecting axe-core: %v", what, err)
	}
	evalAsync[any](t, ctx, `document.fonts.ready.then(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))))`)
	for _, v := range evalAsync[[]string](t, ctx, axeRunJS) {
		t.Errorf("%s: %s", what, v)
	}
	// axe lets large text pass at 3:1; the pages keep 4.5:1 for all text.
	for _, v := range evalJS[[]string](t, ctx, contrastJS) {
		t.Errorf("%s: %s", what, v)
	}
}

// contrastJS lists text whose contrast with the background behind it is
// under 4.5:1 (colours as computed; the background is the nearest opaque
// one of the element or its ancestors).
const contrastJS = `(() => {
  const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
  const bad = [];
  for (const e of document.body.querySelectorAll("*")) {
    if (!e.getClientRects().length || e.closest("[hidden]")) continue;
    const own = [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const fg = rgb(getComputedStyle(e).color);
    let bg = null;
    for (let p = e; p; p = p.parentElement) {
      const c = rgb(getComputedStyle(p).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] === 1)) { bg = c.slice(0, 3); break; }
    }
    if (!bg) bg = [255, 255, 255];
    const [a, b] = [lum(fg.slice(0, 3)), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    if (ratio < 4.5) bad.push("contrast " + ratio.toFixed(2) + " < 4.5: " + e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + " " + JSON.stringify(e.textContent.trim().slice(0, 30)));
  }
  return bad;
})()`

// TestAccessibility runs axe-core (WCAG 2.2 AA) on every page in each of
// its states: no serious or critical violation, contrast included. The
// kiosk is also checked for 15 mm touch targets at its configured size.
func TestAccessibility(t *testing.T) {
	r := newRoom(t)
	if browserCtx == nil {
		tab(t, 1, 1) // fails or skips
	}
	r.must(t, 200, "POST", "/api/v1/counters/1/open", map[string]any{"officer": "Nguyễn Thị Hoa"})
	r.must(t, 200, "POST", "/api/v1/counters/4/open", map[string]any{"officer": "Phạm Quốc Dũng"})
	r.must(t, 200, "POST", "/api/v1/counters/4/pause", map[string]any{"reason": "Họp giao ban"})
	for range 3 {
		r.must(t, 201, "POST", "/api/v1/tickets", map[string]any{"service": "dat-dai"})
	}
	r.must(t, 201, "POST", "/api/v1/tickets", map[string]any{"service": "chung-thuc", "priority": true})
	r.must(t, 200, "POST", "/api/v1/counters/1/next", nil)

	t.Run("kiosk", func(t *testing.T) {
		for _, size := range fitSizes {
			ctx := tab(t, size.w, size.h)
			open(t, ctx, r.url+"/kiosk?token="+kioskTok+"&inches=21.5")
			waitJS(t, ctx, `document.querySelectorAll("#services .svc").length === 5`)
			checkAxe(t, ctx, "kiosk start "+size.name)
			checkTargets(t, ctx, "kiosk start "+size.name)
			click(t, ctx, "#priority")
			waitJS(t, ctx, `document.body.dataset.shown === "priority"`)
			checkAxe(t, ctx, "kiosk priority categories "+size.name)
			checkTargets(t, ctx, "kiosk priority categories "+size.name)
			click(t, ctx, `#prio-list .svc[data-category="elderly"]`)
			waitJS(t, ctx, `document.body.dataset.shown === "start"`)
			click(t, ctx, "#large")
			checkAxe(t, ctx, "kiosk large text, priority "+size.name)
			click(t, ctx, "#guide")
			waitJS(t, ctx, `document.body.classList.contains("keyed")`)
			checkAxe(t, ctx, "kiosk guidance, keypad ring "+size.name)
			click(t, ctx, `#services .svc[data-service="dat-dai"]`)
			waitJS(t, ctx, `!document.querySelector("#ticket").hidden`)
			checkAxe(t, ctx, "kiosk ticket "+size.name)
			checkTargets(t, ctx, "kiosk ticket "+size.name)
			click(t, ctx, "#t-done")
			r.printer.Fail(errors.New("escpos: paper out"))
			click(t, ctx, `#services .svc[data-service="kinh-doanh"]`)
			waitJS(t, ctx, `document.querySelector("#ticket").classList.contains("failed")`)
			checkAxe(t, ctx, "kiosk printer failed "+size.name)
			r.printer.Fail(nil)
		}
	})
	t.Run("kiosk-more-screens", func(t *testing.T) {
		importDemoCatalogue(t, r)
		ctx := tab(t, 1080, 1920)
		open(t, ctx, r.url+"/kiosk?token="+kioskTok)
		waitJS(t, ctx, `!!document.querySelector("#entry-catalogue") && !!document.querySelector("#entry-checkin")`)
		checkAxe(t, ctx, "kiosk start with entries")
		click(t, ctx, "#entry-catalogue")
		waitJS(t, ctx, `document.body.dataset.shown === "catalogue"`)
		checkAxe(t, ctx, "kiosk catalogue")
		checkTargets(t, ctx, "kiosk catalogue")
		evalJS[any](t, ctx, `window.motcuaKiosk.screens.home()`)
		waitJS(t, ctx, `document.body.dataset.shown === "start"`)
		click(t, ctx, "#entry-checkin")
		waitJS(t, ctx, `document.body.dataset.shown === "checkin"`)
		checkAxe(t, ctx, "kiosk check-in")
		checkTargets(t, ctx, "kiosk check-in")
	})
	t.Run("public", func(t *testing.T) {
		var tk struct {
			Public string `json:"public"`
		}
		r.call(t, "POST", "/api/v1/tickets", adminTok, map[string]any{"service": "xay-dung"}, &tk)
		ctx := tab(t, 360, 640)
		open(t, ctx, r.url+"/t/"+tk.Public)
		waitJS(t, ctx, `document.body.className === "waiting"`)
		checkAxe(t, ctx, "public ticket page")
	})
	t.Run("board", func(t *testing.T) {
		for _, size := range fitSizes {
			ctx := tab(t, size.w, size.h)
			open(t, ctx, r.url+"/board?token="+displayTok)
			waitJS(t, ctx, `document.querySelector("#call-number").textContent !== ""`)
			checkAxe(t, ctx, "board "+size.name)
		}
	})
	t.Run("counter", func(t *testing.T) {
		ctx := tab(t, 360, 800)
		open(t, ctx, r.url+"/counter/2?token="+counterTok)
		waitJS(t, ctx, `!document.querySelector("#open-form").hidden`)
		checkAxe(t, ctx, "counter closed")
		open(t, ctx, r.url+"/counter/1")
		waitJS(t, ctx, `document.querySelector("#s-number").textContent !== "—"`)
		checkAxe(t, ctx, "counter serving")
		pressKey(t, ctx, "t")
		waitJS(t, ctx, `!document.querySelector("#transfer").hidden`)
		checkAxe(t, ctx, "counter transfer")
		open(t, ctx, r.url+"/counter/4")
		waitJS(t, ctx, `!document.querySelector("#paused").hidden`)
		checkAxe(t, ctx, "counter paused")
	})
	t.Run("rate", func(t *testing.T) {
		ctx := tab(t, 1280, 800)
		open(t, ctx, r.url+"/rate/1?token="+kioskTok)
		waitJS(t, ctx, `document.body.dataset.live === "1"`)
		checkAxe(t, ctx, "rate idle")
		r.must(t, 200, "POST", "/api/v1/counters/1/done", nil)
		waitJS(t, ctx, `!document.querySelector("#ask").hidden`)
		checkAxe(t, ctx, "rate question")
		click(t, ctx, `.lv[data-score="1"]`)
		waitJS(t, ctx, `!document.querySelector("#why").hidden`)
		checkAxe(t, ctx, "rate why")
		click(t, ctx, `.rs[data-reason="Phải chờ lâu"]`)
		waitJS(t, ctx, `!document.querySelector("#thanks").hidden`)
		checkAxe(t, ctx, "rate thanks")
	})
	t.Run("admin", func(t *testing.T) {
		ctx := tab(t, 1366, 900)
		open(t, ctx, r.url+"/admin?token="+adminTok)
		waitJS(t, ctx, `document.querySelectorAll("#events li").length > 5`)
		checkAxe(t, ctx, "admin")
		open(t, ctx, r.url+"/")
		checkAxe(t, ctx, "index")
	})
	t.Run("wrong-token", func(t *testing.T) {
		ctx := tab(t, 1080, 1920)
		open(t, ctx, r.url+"/kiosk?token=nope")
		waitJS(t, ctx, `document.querySelector("#auth") && !document.querySelector("#auth").hidden`)
		checkAxe(t, ctx, "token message")
	})
}

// checkTargets fails for a button or link of the kiosk smaller than 15 mm
// on its screen (the page's pixels per millimetre, from ?inches=).
func checkTargets(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	small := evalJS[[]string](t, ctx, `(() => {
	  const min = 15 * window.motcuaKiosk.pxPerMM - 0.5;
	  return [...document.querySelectorAll("button, a[href], input")]
	    .filter((e) => e.getClientRects().length && !e.closest("[hidden]"))
	    .map((e) => [e, e.getBoundingClientRect()])
	    .filter(([e, r]) => r.width < min || r.height < min)
	    .map(([e, r]) => (e.id || e.className) + " " + Math.round(r.width) + "×" + Math.round(r.height) + " px < " + Math.round(min) + " px");
	})()`)
	if len(small) > 0 {
		t.Errorf("%s: targets under 15 mm: %s", what, strings.Join(small, "; "))
	}
}
