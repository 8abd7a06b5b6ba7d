package satellite

import (
	"context"
	"errors"
	"html/template"
	"net"
	"net/http"
	"net/http/httputil"
	"strings"
	"time"
)

// offlinePage is what the satellite's screen shows while the main daemon
// cannot be reached; it tries again every 5 seconds.
var offlinePage = template.Must(template.New("offline").Parse(`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>Tạm ngừng lấy số</title>
<style>body{font-family:sans-serif;background:#fff3e0;color:#3e2723;text-align:center;padding:10vh 5vw}
h1{font-size:6vh}p{font-size:3.5vh}small{color:#6d4c41}</style></head>
<body><h1>Tạm ngừng lấy số</h1>
<p>Máy lấy số không liên lạc được với máy chủ của bộ phận một cửa. Xin quý khách vui lòng lấy số tại kiosk khác hoặc hỏi cán bộ hướng dẫn.</p>
<p><small>The kiosk cannot reach the office's main server ({{.}}); no number can be given here now. This page tries again every 5 seconds.</small></p>
</body></html>`))

// Pages serves the main daemon's pages (the kiosk page on the satellite's
// own screen) through the satellite: requests go to the main daemon as if
// opened there, and while it cannot be reached a page says so in
// Vietnamese and tries again (an API request gets 503 main_unreachable).
// Serve it on loopback only: it speaks to the main daemon as its own page.
func (s *Satellite) Pages() http.Handler {
	target := *s.base
	origin := target.Scheme + "://" + target.Host
	return &httputil.ReverseProxy{
		Transport: s.pagesTransport,
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(&target)
			pr.Out.Host = target.Host
			// The page is the main daemon's own, served from here: the
			// daemon judges its requests as from its own origin.
			if pr.In.Header.Get("Origin") != "" {
				pr.Out.Header.Set("Origin", origin)
			}
			pr.Out.Header.Del("Referer")
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			s.log.Warn("page not served: main daemon unreachable", "path", r.URL.Path, "err", err)
			w.Header().Set("Cache-Control", "no-store")
			if strings.HasPrefix(r.URL.Path, "/api/") {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusServiceUnavailable)
				w.Write([]byte(`{"error":{"code":"main_unreachable","message":"the satellite cannot reach the main daemon; no number can be given now"}}` + "\n"))
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusServiceUnavailable)
			if err := offlinePage.Execute(w, s.base.Redacted()); err != nil {
				s.log.Warn("offline page", "err", err)
			}
		},
	}
}

// ServePages serves [Satellite.Pages] on ln until ctx ends.
func (s *Satellite) ServePages(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s.Pages(), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	defer s.pagesTransport.CloseIdleConnections()
	// Shutdown leaves hijacked websockets open: Close ends them.
	err := errors.Join(srv.Shutdown(shut), srv.Close())
	if e := <-done; !errors.Is(e, http.ErrServerClosed) {
		err = errors.Join(err, e)
	}
	return err
}
