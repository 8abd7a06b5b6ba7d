package enrol_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"motcua/kiosk/enrol"
)

const token = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// standIn answers POST /enrol with status and body.
func standIn(t *testing.T, status int, body any) string {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/enrol" {
			t.Errorf("got %s %s, want POST /enrol", r.Method, r.URL.Path)
		}
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(body)
	}))
	t.Cleanup(ts.Close)
	return ts.URL
}

func configOf(dir, unit, tokenFile string) string {
	return `[unit]
id = "` + unit + `"
name = "UBND xã Thử"
[server]
data_dir = "` + filepath.Join(dir, "data") + `"
[[service]]
id = "ho-tich"
name = "Hộ tịch"
[[counter]]
id = 1
name = "Quầy 1"
services = ["ho-tich"]
[[token]]
role = "admin"
secret = "enrol-unit-test-admin"
[uplink]
url = "wss://receiver.example.gov.vn/ingest"
token_file = "` + tokenFile + `"
`
}

func TestEnrol(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		unit      string // of the answer
		cfgUnit   string // of the configuration
		elsewhere bool   // the configuration's token_file is not where the token goes
		want      string
	}{
		{name: "good", status: 200, unit: "ubnd-thu", cfgUnit: "ubnd-thu"},
		{name: "refused", status: 410, want: "code_used"},
		{name: "another unit's file", status: 200, unit: "ubnd-thu", cfgUnit: "ubnd-khac", want: `unit "ubnd-khac"`},
		{name: "token elsewhere", status: 200, unit: "ubnd-thu", cfgUnit: "ubnd-thu", elsewhere: true, want: "token_file must be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tokenFile := filepath.Join(dir, "etc", "uplink.token")
			named := tokenFile
			if tt.elsewhere {
				named = filepath.Join(dir, "other.token")
				os.WriteFile(named, []byte("another-token-0123"), 0o600)
			}
			var body any = map[string]string{"unit": tt.unit, "token": token, "config": configOf(dir, tt.cfgUnit, named)}
			if tt.status != 200 {
				body = map[string]any{"error": map[string]string{"code": "code_used", "message": "used"}}
			}
			cfgFile := filepath.Join(dir, "etc", "motcua.toml")
			res, err := enrol.Enrol(context.Background(), enrol.Options{Receiver: standIn(t, tt.status, body), Code: "abcd-efgh", Config: cfgFile, Token: tokenFile})
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("got %v, want an error about %s", err, tt.want)
				}
				if tt.status != 200 {
					if !errors.Is(err, enrol.ErrEnrol) {
						t.Errorf("got %v, want ErrEnrol", err)
					}
					if _, err := os.Stat(cfgFile); !os.IsNotExist(err) {
						t.Errorf("a refused code wrote %s", cfgFile)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.Unit != "ubnd-thu" || res.Cfg.Uplink.Token != token {
				t.Errorf("got %+v", res)
			}
			if b, _ := os.ReadFile(tokenFile); string(b) != token+"\n" {
				t.Errorf("token file %q", b)
			}
		})
	}
}
