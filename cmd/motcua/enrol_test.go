package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"motcua/receiver"
)

// TestEnrolEndToEnd provisions a new unit with nothing but a code: the
// province's IT asks a real receiver for a code (motcua enrolment), the
// new unit redeems it (motcua enrol -code-file), gets its id, token and
// configuration with the service's permissions, runs (motcua run) and
// connects to the receiver with its new token. The code works once, and
// the receiver keeps neither it nor the token in clear.
func TestEnrolEndToEnd(t *testing.T) {
	rdir := t.TempDir()
	srv, err := receiver.Open(context.Background(), receiver.Options{Store: "sqlite:" + rdir, Operators: map[string]string{"it-operator-token-01": "it"}})
	if err != nil {
		t.Fatal(err)
	}
	// The receiver, and a witness of the units it lets in: a websocket
	// of /ingest is hijacked only once its token was taken.
	accepted := make(chan string, 4)
	h := srv.Handler()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ingest" {
			w = hijackWitness{w, func() { accepted <- r.Header.Get("Authorization") }}
		}
		h.ServeHTTP(w, r)
	}))
	defer func() {
		ts.Close()
		srv.Close()
	}()
	dir := t.TempDir()
	etc := filepath.Join(dir, "etc")
	opFile := filepath.Join(dir, "operator.token")
	os.WriteFile(opFile, []byte("it-operator-token-01\n"), 0o600)
	// The configuration the province prepares for the new unit.
	unitCfg := `[unit]
id = "ubnd-xa-moi"
name = "UBND xã Mới"
[server]
listen = "127.0.0.1:0"
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
secret = "enrol-test-admin-01"
[uplink]
url = "ws` + strings.TrimPrefix(ts.URL, "http") + `/ingest"
token_file = "` + filepath.Join(etc, "uplink.token") + `"
`
	cfgFile := filepath.Join(dir, "for-the-new-unit.toml")
	os.WriteFile(cfgFile, []byte(unitCfg), 0o600)

	var out, errb bytes.Buffer
	if code := Main(context.Background(), []string{"enrolment", "-receiver", ts.URL, "-operator-token-file", opFile, "-unit", "ubnd-xa-moi", "-config", cfgFile, "-ttl", "2h"}, &out, &errb); code != 0 {
		t.Fatalf("enrolment: exit %d: %s", code, errb.String())
	}
	enrolCode := strings.SplitN(out.String(), "\n", 2)[0]
	if len(enrolCode) != 19 || strings.Count(enrolCode, "-") != 3 {
		t.Fatalf("code %q, want XXXX-XXXX-XXXX-XXXX", enrolCode)
	}
	codeFile := filepath.Join(dir, "motcua-enrol.txt")
	os.WriteFile(codeFile, []byte(strings.ToLower(enrolCode)+"\n"), 0o600) // typed in lower case

	enrolArgs := []string{"enrol", "-receiver", ts.URL, "-code-file", codeFile, "-config", filepath.Join(etc, "motcua.toml"), "-token-file", filepath.Join(etc, "uplink.token")}
	out.Reset()
	errb.Reset()
	if code := Main(context.Background(), enrolArgs, &out, &errb); code != 0 {
		t.Fatalf("enrol: exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "enrolled as ubnd-xa-moi") {
		t.Errorf("enrol said %q", out.String())
	}
	if _, err := os.Stat(codeFile); !os.IsNotExist(err) {
		t.Errorf("the used code file is still there: %v", err)
	}
	written, err := os.ReadFile(filepath.Join(etc, "motcua.toml"))
	if err != nil || string(written) != unitCfg {
		t.Fatalf("the configuration written is not the province's: %v", err)
	}
	token, _ := os.ReadFile(filepath.Join(etc, "uplink.token"))
	for _, f := range []string{"motcua.toml", "uplink.token"} {
		if st, err := os.Stat(filepath.Join(etc, f)); err != nil || st.Mode().Perm() != 0o640 {
			t.Errorf("%s: mode %v (%v), want 0640", f, st.Mode().Perm(), err)
		}
	}

	// Once only.
	os.WriteFile(codeFile, []byte(enrolCode), 0o600)
	errb.Reset()
	if code := Main(context.Background(), enrolArgs, &out, &errb); code == 0 || !strings.Contains(errb.String(), "code_used") {
		t.Errorf("second use: exit %d, %q; want refused, code_used", code, errb.String())
	}

	// Neither the code nor the token in clear in the receiver's store.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(rdir, receiver.FileName))
	if err != nil {
		t.Fatal(err)
	}
	var dump string
	db.QueryRow(`SELECT group_concat(code_hash || unit || config, '|') FROM fleet_enrolments`).Scan(&dump)
	var units string
	db.QueryRow(`SELECT group_concat(unit || token_hash, '|') FROM fleet_units`).Scan(&units)
	db.Close()
	raw := strings.ReplaceAll(enrolCode, "-", "")
	tok := strings.TrimSpace(string(token))
	if dump == "" || units == "" || strings.Contains(dump, raw) || strings.Contains(units, tok) {
		t.Errorf("store: enrolments %q, units %q: want rows without the code %s or the token in clear", dump, units, raw)
	}

	// The unit runs and the receiver takes it with its new token.
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan int, 1)
	go func() {
		var o, e bytes.Buffer
		ran <- Main(ctx, []string{"run", "-config", filepath.Join(etc, "motcua.toml")}, &o, &e)
	}()
	select {
	case got := <-accepted:
		if got != "Bearer "+tok {
			t.Errorf("the receiver let in %q, want the enrolled token", got)
		}
	case code := <-ran:
		t.Fatalf("run ended with %d before connecting", code)
	}
	cancel()
	if code := <-ran; code != 0 {
		t.Errorf("run: exit %d", code)
	}
}

// hijackWitness calls hijacked when the handler takes the connection
// over (a websocket upgrade that passed authentication).
type hijackWitness struct {
	http.ResponseWriter
	hijacked func()
}

func (w hijackWitness) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.hijacked()
	return http.NewResponseController(w.ResponseWriter).Hijack()
}
