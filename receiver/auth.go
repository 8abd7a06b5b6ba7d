package receiver

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"html/template"
	"mime"
	"net/http"
	"strings"
	"time"
)

// Operators reach the page, /api/units and the command API with a token
// of the operators file: as "Authorization: Bearer TOKEN" (programs) or
// by logging in on /login, which sets a session cookie (browsers).
// Nothing is trusted for its address: a request from this machine needs
// a token like any other.

const (
	sessionCookie = "motcua_receiver_session"
	// sessionTTL is how long a login lasts.
	sessionTTL = 12 * time.Hour
	// maxSessions bounds the sessions kept; the oldest go first.
	maxSessions = 1024
)

type session struct {
	operator string
	expires  time.Time
}

// operatorOf returns the operator a request authenticates as, and
// whether through the session cookie; "" when none.
func (s *Server) operatorOf(r *http.Request) (name string, cookie bool) {
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return s.operatorToken(strings.TrimSpace(tok)), false
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return "", false
	}
	s.smu.Lock()
	defer s.smu.Unlock()
	se, ok := s.sessions[c.Value]
	if !ok {
		return "", false
	}
	if !s.clk.Now().Before(se.expires) {
		delete(s.sessions, c.Value)
		return "", false
	}
	return se.operator, true
}

// operatorToken returns the operator of a token, or "". Every token is
// compared, in constant time.
func (s *Server) operatorToken(tok string) string {
	name := ""
	for t, n := range s.o.Operators {
		if subtle.ConstantTimeCompare([]byte(t), []byte(tok)) == 1 {
			name = n
		}
	}
	return name
}

// sameOrigin reports whether a request's Origin, when it has one, is the
// receiver itself: the scheme it was reached with (https through a TLS
// proxy that says so in X-Forwarded-Proto) and its Host. Browsers send
// Origin on every cross-site POST, so a page elsewhere cannot act with
// an operator's cookie.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return o == scheme+"://"+r.Host
}

// operator wraps a handler of the page or the API: it needs an operator,
// and a browser's request from another origin is refused. api selects
// JSON errors rather than a redirect to the login page.
func (s *Server) operator(api bool, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !sameOrigin(r) {
			s.lg.Warn("receiver: refused a request from another origin", "origin", r.Header.Get("Origin"), "path", r.URL.Path, "addr", r.RemoteAddr)
			apiError(w, http.StatusForbidden, "bad_origin", "requests from another site are refused")
			return
		}
		name, _ := s.operatorOf(r)
		if name == "" {
			if !api {
				http.Redirect(w, r, "/login", http.StatusSeeOther)
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="motcua receiver"`)
			apiError(w, http.StatusUnauthorized, "unauthorized", "an operator token is needed: Authorization: Bearer TOKEN (a line of the operators file), or log in on /login")
			return
		}
		h(w, r)
	}
}

// isJSON reports whether a request says its body is JSON.
func isJSON(r *http.Request) bool {
	t, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && t == "application/json"
}

var loginTmpl = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>motcua receiver: đăng nhập</title>
<style>body{font-family:sans-serif;margin:2em}input{font-size:1.1em;margin:.3em 0}.err{color:#b00}</style>
</head><body><h1>motcua receiver</h1>
{{if .}}<p class="err">{{.}}</p>{{end}}
<form method="post" action="/login"><label>Mã người vận hành (operator token)<br>
<input type="password" name="token" autocomplete="current-password" size="40" autofocus></label><br>
<input type="submit" value="Đăng nhập / Log in"></form></body></html>`))

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	secureHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	loginTmpl.Execute(w, "")
}

// login takes the login form: a good token starts a session.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	secureHeaders(w)
	if !sameOrigin(r) {
		apiError(w, http.StatusForbidden, "bad_origin", "requests from another site are refused")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	name := ""
	if err := r.ParseForm(); err == nil {
		name = s.operatorToken(strings.TrimSpace(r.PostForm.Get("token")))
	}
	if name == "" {
		s.lg.Warn("receiver: failed login", "addr", r.RemoteAddr)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusUnauthorized)
		loginTmpl.Execute(w, "Mã không đúng / Wrong token")
		return
	}
	b := make([]byte, 32)
	rand.Read(b)
	id := hex.EncodeToString(b)
	now := s.clk.Now()
	s.smu.Lock()
	if len(s.sessions) >= maxSessions {
		oldest := ""
		for k, se := range s.sessions {
			if !now.Before(se.expires) {
				delete(s.sessions, k)
			} else if oldest == "" || se.expires.Before(s.sessions[oldest].expires) {
				oldest = k
			}
		}
		if len(s.sessions) >= maxSessions {
			delete(s.sessions, oldest)
		}
	}
	s.sessions[id] = session{operator: name, expires: now.Add(sessionTTL)}
	s.smu.Unlock()
	s.lg.Info("receiver: operator logged in", "operator", name, "addr", r.RemoteAddr)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", MaxAge: int(sessionTTL.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// logout ends the request's session.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.smu.Lock()
		delete(s.sessions, c.Value)
		s.smu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// secureHeaders keeps the receiver's pages out of frames and scripts.
func secureHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	// same-origin, not no-referrer: under no-referrer a browser posts
	// its forms with "Origin: null", and the login form was refused as
	// from another site.
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
}
