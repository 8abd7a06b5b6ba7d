package receiver

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"motcua/kiosk/uplink"
)

func TestReadTokens(t *testing.T) {
	tests := []struct {
		name, file, err string
		want            map[string]string
	}{
		{name: "ok", file: "# units\nunit-a token-aaaaaaaaaaaa\n\nunit-b token-bbbbbbbbbbbb\n",
			want: map[string]string{"token-aaaaaaaaaaaa": "unit-a", "token-bbbbbbbbbbbb": "unit-b"}},
		{name: "three fields", file: "unit-a token-aaaaaaaaaaaa extra\n", err: ":1: want"},
		{name: "short token", file: "unit-a short\n", err: "shorter than 12"},
		{name: "same token", file: "unit-a token-aaaaaaaaaaaa\nunit-b token-aaaaaaaaaaaa\n", err: ":2: unit-b has the same token as unit-a"},
		{name: "empty", file: "# nothing\n", err: "holds no unit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "tokens")
			os.WriteFile(path, []byte(tt.file), 0o600)
			got, err := ReadTokens(path)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got %v, want an error with %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("got %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestIngestRefuses(t *testing.T) {
	srv, err := Open(context.Background(), Options{Dir: t.TempDir(), Tokens: map[string]string{"token-aaaaaaaaaaaa": "unit-a"}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	defer srv.Close()
	url := "ws" + strings.TrimPrefix(ts.URL, "http") + "/ingest"
	tests := []struct {
		name   string
		token  string
		protos []string
		status int
	}{
		{"no token", "", []string{uplink.Subprotocol}, http.StatusUnauthorized},
		{"wrong token", "token-zzzzzzzzzzzz", []string{uplink.Subprotocol}, http.StatusUnauthorized},
		{"no subprotocol", "token-aaaaaaaaaaaa", nil, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := websocket.Dialer{Subprotocols: tt.protos}
			h := http.Header{}
			if tt.token != "" {
				h.Set("Authorization", "Bearer "+tt.token)
			}
			c, resp, err := d.Dial(url, h)
			if err == nil {
				c.Close()
				t.Fatal("connected, want a refusal")
			}
			if resp == nil || resp.StatusCode != tt.status {
				t.Fatalf("got %v, want status %d", resp, tt.status)
			}
		})
	}
	// A hello for another unit than the token's is refused.
	d := websocket.Dialer{Subprotocols: []string{uplink.Subprotocol}}
	c, _, err := d.Dial(url, http.Header{"Authorization": {"Bearer token-aaaaaaaaaaaa"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.WriteMessage(websocket.TextMessage, uplink.Hello("unit-b", 0, 0))
	_, _, err = c.ReadMessage()
	if ce, ok := err.(*websocket.CloseError); !ok || ce.Code != websocket.ClosePolicyViolation {
		t.Fatalf("hello for another unit: got %v, want close %d", err, websocket.ClosePolicyViolation)
	}
	// The page renders with no unit.
	resp, err := http.Get(ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("page: got %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}
