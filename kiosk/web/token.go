package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"motcua/kiosk/api"
)

// A start URL with ?token= puts the token in the page's cookie. Only a
// navigation the browser itself started (Sec-Fetch-Site: none, a typed
// URL, a bookmark, a kiosk's start URL) or one from the daemon's own
// pages (same-origin) does so at once. Any other (a link on another site,
// a browser too old to say) gets a confirm step: a page that names the
// page and asks before the screen's token is replaced, so that a
// cross-site link cannot swap a screen's token for the attacker's.

// takeToken answers a page request that has ?token=.
func (h *Handler) takeToken(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	tok := q.Get("token")
	q.Del("token")
	next := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
	w.Header().Set("Cache-Control", "no-store")
	switch r.Header.Get("Sec-Fetch-Site") {
	case "none", "same-origin":
		setToken(w, r, tok)
		http.Redirect(w, r, next.String(), http.StatusSeeOther)
		return
	}
	h.confirmPage(w, tok, next.String())
}

// setToken puts tok in the pages' cookie; "" forgets the token.
func setToken(w http.ResponseWriter, r *http.Request, tok string) {
	if tok == "" {
		http.SetCookie(w, &http.Cookie{Name: api.CookieName, Value: "", Path: "/", MaxAge: -1,
			HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name:     api.CookieName,
		Value:    tok,
		Path:     "/",
		MaxAge:   int(cookieAge / time.Second),
		HttpOnly: true,
		Secure:   r.TLS != nil,
		SameSite: http.SameSiteStrictMode,
	})
}

var confirmTmpl = template.Must(template.New("confirm").Parse(`<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>motcua – xác nhận mã truy cập</title>
<link rel="stylesheet" href="/static/common.css">
</head>
<body>
<h1>Dùng mã truy cập mới cho màn hình này?</h1>
<p>Một đường dẫn muốn đặt mã truy cập (token) cho màn hình này rồi mở <code>{{.Next}}</code>.
Chỉ bấm xác nhận nếu đường dẫn do quản trị viên của đơn vị cung cấp.</p>
<p lang="en">A link wants to set this screen's access token and open <code>{{.Next}}</code>.
Confirm only if your office's administrator gave you the link.</p>
<form method="post" action="/session/token">
<input type="hidden" name="token" value="{{.Token}}">
<input type="hidden" name="next" value="{{.Next}}">
<button type="submit">{{if .Token}}Xác nhận / Confirm{{else}}Xoá mã / Forget the token{{end}}</button>
</form>
<p><a href="{{.Next}}">Không, giữ mã hiện tại / No, keep the current token</a></p>
</body>
</html>
`))

func (h *Handler) confirmPage(w http.ResponseWriter, tok, next string) {
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Security-Policy", h.framing())
	w.WriteHeader(http.StatusOK)
	confirmTmpl.Execute(w, struct{ Token, Next string }{tok, next}) //nolint:errcheck // the client went away
}

// confirmToken is the confirm page's form: POST /session/token with token
// and next. Only the daemon's own page may send it (Origin or
// Sec-Fetch-Site), so another site cannot post it either.
func (h *Handler) confirmToken(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		writeError(w, http.StatusForbidden, "origin_not_allowed", "confirm the token on this daemon's own page")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", "the form is not readable: "+err.Error())
		return
	}
	next := r.PostForm.Get("next")
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, `\`) {
		next = "/"
	}
	setToken(w, r, r.PostForm.Get("token"))
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// sameOrigin reports whether a browser says r comes from the daemon's own
// page: Sec-Fetch-Site, or for browsers without it, Origin.
func sameOrigin(r *http.Request) bool {
	if s := r.Header.Get("Sec-Fetch-Site"); s != "" {
		return s == "same-origin"
	}
	o, err := url.Parse(r.Header.Get("Origin"))
	if err != nil || o.Host == "" {
		return false
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return o.Scheme == scheme && strings.EqualFold(o.Host, r.Host)
}
