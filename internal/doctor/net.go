package doctor

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"syscall"
	"time"

	"github.com/gorilla/websocket"

	"motcua/kiosk/config"
)

// uplinkSubprotocol is the websocket subprotocol of the uplink
// (docs/uplink.md).
const uplinkSubprotocol = "motcua.uplink.v1"

// CheckUplink dials the uplink receiver with the configured token and the
// subprotocol motcua.uplink.v1, says hello and waits for its welcome. No
// [uplink] is fine.
func CheckUplink(ctx context.Context, cfg *config.Config, timeout time.Duration) Result {
	const check = "uplink"
	u := cfg.Uplink
	if u == nil {
		return ok(check, "Chưa cấu hình gửi dữ liệu lên phần mềm một cửa ([uplink]).", "No [uplink] configured: events are not pushed upstream.")
	}
	if u.Token == "" {
		return fail(check, "Chưa có mã (token) để gửi dữ liệu lên %s: ghi mã được cấp vào %s.",
			"No uplink token for %s: write the token you were given into %s.", u.URL, u.TokenFile)
	}
	d := websocket.Dialer{Subprotocols: []string{uplinkSubprotocol}, HandshakeTimeout: timeout, Proxy: http.ProxyFromEnvironment}
	if u.CAFile != "" {
		pem, err := os.ReadFile(u.CAFile)
		if err != nil {
			return fail(check, "Không đọc được chứng chỉ %s: %v", "Cannot read the CA file %s: %v", u.CAFile, err)
		}
		roots, err := x509.SystemCertPool()
		if err != nil {
			roots = x509.NewCertPool()
		}
		roots.AppendCertsFromPEM(pem)
		d.TLSClientConfig = &tls.Config{RootCAs: roots}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, resp, err := d.DialContext(ctx, u.URL, http.Header{"Authorization": {"Bearer " + u.Token}})
	if err != nil {
		if resp != nil && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden) {
			return fail(check, "Máy nhận %s từ chối mã (HTTP %d): kiểm tra %s với đơn vị quản lý phần mềm một cửa.",
				"The receiver %s refused the token (HTTP %d): check %s with whoever runs the one-stop software.", u.URL, resp.StatusCode, u.TokenFile)
		}
		return warn(check, "Không kết nối được %s: %v. Phòng vẫn hoạt động; sự kiện được giữ lại và gửi khi có mạng.",
			"Cannot reach %s: %v. The room still works; events are kept and sent when the network is back.", u.URL, err)
	}
	defer conn.Close()
	if p := conn.Subprotocol(); p != uplinkSubprotocol {
		return fail(check, "%s không phải máy nhận motcua (giao thức %q): kiểm tra url.",
			"%s is not a motcua receiver (subprotocol %q): check url.", u.URL, p)
	}
	deadline := time.Now().Add(timeout)
	conn.SetWriteDeadline(deadline)
	conn.SetReadDeadline(deadline)
	hello := map[string]any{"type": "hello", "unit": cfg.Unit.ID, "protocol": 1}
	if err := conn.WriteJSON(hello); err != nil {
		return warn(check, "Gửi lời chào tới %s lỗi: %v", "Sending hello to %s failed: %v", u.URL, err)
	}
	var m struct {
		Type string `json:"type"`
		Ack  int64  `json:"ack"`
	}
	if err := conn.ReadJSON(&m); err != nil || m.Type != "welcome" {
		return fail(check, "%s không trả lời \"welcome\" (%v, %q): máy nhận từ chối đơn vị %q?",
			"%s did not answer \"welcome\" (%v, %q): does the receiver know unit %q?", u.URL, err, m.Type, cfg.Unit.ID)
	}
	conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "doctor"), time.Now().Add(time.Second))
	return ok(check, "Máy nhận %s chấp nhận mã và trả lời (đã lưu tới sự kiện %d).",
		"The receiver %s accepts the token and answers (it has stored up to event %d).", u.URL, m.Ack)
}

// CheckListen checks that the daemon can listen on addr: the port is free,
// or answered by a running motcua's /healthz.
func CheckListen(ctx context.Context, addr string, timeout time.Duration) Result {
	const check = "listen"
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		ln.Close()
		return ok(check, "Cổng %s còn trống: motcua sẽ nghe ở đó.", "Port %s is free: motcua will listen there.", addr)
	}
	if errors.Is(err, syscall.EACCES) {
		return fail(check, "Không được dùng cổng %s (cổng dưới 1024 cần quyền): dùng cổng 8080 hoặc thêm AmbientCapabilities=CAP_NET_BIND_SERVICE.",
			"Not allowed to listen on %s (ports below 1024 need a capability): use 8080 or add AmbientCapabilities=CAP_NET_BIND_SERVICE.", addr)
	}
	if !errors.Is(err, syscall.EADDRINUSE) {
		return fail(check, "Không nghe được ở %s: %v", "Cannot listen on %s: %v", addr, err)
	}
	if healthy(ctx, "http://"+localAddr(addr)+"/healthz", timeout) {
		return ok(check, "Cổng %s đang được motcua (đang chạy) sử dụng: /healthz trả lời ok.",
			"Port %s is served by a running motcua (/healthz answers ok).", addr)
	}
	return fail(check, "Cổng %s đang bị chương trình khác dùng: xem bằng sudo ss -ltnp, hoặc đổi server.listen.",
		"Port %s is used by another program: see sudo ss -ltnp, or change server.listen.", addr)
}

// localAddr turns a listen address into one to dial on this machine.
func localAddr(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return net.JoinHostPort(host, port)
}

func healthy(ctx context.Context, url string, timeout time.Duration) bool {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var body struct{ Status string }
	return resp.StatusCode == http.StatusOK && json.NewDecoder(io.LimitReader(resp.Body, 4096)).Decode(&body) == nil && body.Status == "ok"
}

// CheckRunningDevices asks the running daemon for its device list
// (/api/v1/state, with a token of the configuration) and reports each
// device as the daemon sees it.
func CheckRunningDevices(ctx context.Context, cfg *config.Config, timeout time.Duration) []Result {
	const check = "devices"
	if len(cfg.Tokens) == 0 {
		return []Result{warn(check, "Không có mã truy cập để hỏi motcua đang chạy về thiết bị.", "No token to ask the running motcua about its devices.")}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	url := "http://" + localAddr(cfg.Server.Listen) + "/api/v1/state"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return []Result{warn(check, "%v", "%v", err)}
	}
	req.Header.Set("Authorization", "Bearer "+cfg.Tokens[0].Secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return []Result{warn(check, "Không hỏi được motcua đang chạy (%v); dừng dịch vụ rồi chạy lại doctor để thử trực tiếp thiết bị.",
			"Cannot ask the running motcua (%v); stop the service and run doctor again to test the devices directly.", err)}
	}
	defer resp.Body.Close()
	var st struct {
		Devices []struct{ Name, Status, Detail string }
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(&st) != nil {
		return []Result{warn(check, "motcua đang chạy trả lời %s cho %s.", "The running motcua answered %s for %s.", resp.Status, url)}
	}
	if len(st.Devices) == 0 {
		return []Result{ok(check, "motcua đang chạy không báo thiết bị nào.", "The running motcua reports no devices.")}
	}
	var rs []Result
	for _, d := range st.Devices {
		l := map[string]Level{"ok": LevelOK, "warning": LevelWarn, "error": LevelFail}[d.Status]
		if l == "" {
			l = LevelWarn
		}
		detail := d.Detail
		if detail == "" {
			detail = d.Status
		}
		rs = append(rs, Result{Check: d.Name, Level: l,
			VI: fmt.Sprintf("motcua đang chạy báo: %s.", detail),
			EN: fmt.Sprintf("The running motcua reports: %s.", detail)})
	}
	return rs
}
