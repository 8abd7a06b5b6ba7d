// Package citizenpage is the citizen's own page of a ticket: a light phone
// page (HTML, CSS and a script, no framework) that follows one ticket by
// polling its public JSON. The daemon serves it at /t/{public} with the
// JSON at /api/v1/public/{public}; the receiver at /t/{unit}/{public} with
// /api/v1/public/{unit}/{public}: the script asks /api/v1/public/ and
// whatever follows /t/ in its own address.
package citizenpage

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed public.html public.js public.css
var files embed.FS

// csp keeps the page to its own origin.
const csp = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Page serves the page's HTML, for whatever ticket the address names:
// the caller checks first that the ticket exists.
func Page() http.Handler { return serve("public.html") }

// Assets serves /static/public.js and /static/public.css, the page's
// script and style; other paths answer 404.
func Assets() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := path.Base(r.URL.Path)
		if name != "public.js" && name != "public.css" {
			http.NotFound(w, r)
			return
		}
		serve(name).ServeHTTP(w, r)
	})
}

func serve(name string) http.Handler {
	b, err := files.ReadFile(name)
	if err != nil {
		panic("citizenpage: embedded " + name + " unreadable: " + err.Error())
	}
	sum := sha256.Sum256(b)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	ctype := map[string]string{".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}[path.Ext(name)]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", ctype)
		h.Set("ETag", etag)
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		if path.Ext(name) == ".html" {
			h.Set("Content-Security-Policy", csp)
		}
		http.ServeContent(w, r, name, time.Time{}, strings.NewReader(string(b)))
	})
}

// NotFound answers the page of an unknown or expired ticket: 404, in
// Vietnamese.
func NotFound(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNotFound)
	w.Write([]byte(notFoundPage))
}

const notFoundPage = `<!doctype html><html lang="vi"><meta charset="utf-8">` +
	`<meta name="viewport" content="width=device-width,initial-scale=1"><title>Không tìm thấy số</title>` +
	`<body style="font:18px sans-serif;margin:2em"><h1>Không tìm thấy số thứ tự này</h1>` +
	`<p>Mã trên phiếu không đúng, hoặc ngày làm việc của phiếu đã kết thúc.</p></body></html>`
