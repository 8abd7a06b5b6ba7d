package receiver

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"motcua/uplinkproto"
)

const testDossier = "000.00.12.H56-261203-0001"

// ask sends a dossier.status query on c and returns the answer.
func (c *unitConn) ask(id, code string) *uplinkproto.Message {
	c.t.Helper()
	c.send(string(uplinkproto.Query(id, uplinkproto.QueryDossierStatus, code)))
	m := c.read()
	if m.Type != uplinkproto.TypeAnswer || m.ID != id {
		c.t.Fatalf("got %s, want the answer to %s", m.Raw, id)
	}
	return m
}

// adapter is a province's HTTP adapter on loopback: it answers with
// status code and body, and records what it was asked.
func adapter(t *testing.T, code int, body string) (*httptest.Server, chan map[string]string) {
	asked := make(chan map[string]string, 4)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req map[string]string
		json.NewDecoder(r.Body).Decode(&req)
		req["authorization"] = r.Header.Get("Authorization")
		req["method"] = r.Method
		asked <- req
		w.WriteHeader(code)
		io.WriteString(w, body)
	}))
	t.Cleanup(ts.Close)
	return ts, asked
}

func TestDossierStatusQuery(t *testing.T) {
	file := filepath.Join(t.TempDir(), "dossiers.json")
	if err := os.WriteFile(file, []byte(`{"000.00.12.h56-261203-0001":{"status":"Đã có kết quả","due":"2026-12-10"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	up, upAsked := adapter(t, 200, `{"status":"Đang giải quyết","due":"2026-12-12"}`)
	down, _ := adapter(t, 500, `oops`)
	unknown, _ := adapter(t, 404, ``)
	bad, _ := adapter(t, 200, `{"status":"x","due":"12/12/2026"}`)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String() + "/status"
	ln.Close()
	tests := []struct {
		name     string
		src      DossierSource
		want     *uplinkproto.Dossier
		wantCode string
	}{
		{"file", FileDossiers{Path: file}, &uplinkproto.Dossier{Code: testDossier, Status: "Đã có kết quả", Due: "2026-12-10"}, ""},
		{"http up", &HTTPDossiers{URL: up.URL, Token: "province-secret"}, &uplinkproto.Dossier{Code: testDossier, Status: "Đang giải quyết", Due: "2026-12-12"}, ""},
		{"http 500", &HTTPDossiers{URL: down.URL}, nil, "adapter_failed"},
		{"http connection refused", &HTTPDossiers{URL: refused}, nil, "adapter_failed"},
		{"http 404", &HTTPDossiers{URL: unknown.URL}, nil, "unknown_dossier"},
		{"http bad due date", &HTTPDossiers{URL: bad.URL}, nil, "adapter_failed"},
		{"no adapter", nil, nil, "no_adapter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(o *Options) { o.Dossiers = tt.src })
			c, _ := e.connect(tokenA, unitA, 0, 0)
			m := c.ask("q-1", testDossier)
			if tt.want != nil {
				if !m.OK || m.Dossier == nil || *m.Dossier != *tt.want {
					t.Fatalf("got %s, want dossier %+v", m.Raw, *tt.want)
				}
			} else if m.OK || m.Error == nil || m.Error.Code != tt.wantCode {
				t.Fatalf("got %s, want error %s", m.Raw, tt.wantCode)
			}
			// The connection goes on: events are still stored.
			c.send(event(1, ""))
			c.waitAck(1)
		})
	}
	select {
	case req := <-upAsked:
		want := map[string]string{"unit": unitA, "code": testDossier, "authorization": "Bearer province-secret", "method": "POST"}
		for k, v := range want {
			if req[k] != v {
				t.Errorf("adapter request %s: got %q, want %q", k, req[k], v)
			}
		}
	default:
		t.Error("the adapter was not asked")
	}
}

// blockingSource answers when release is closed or the query's context
// ends, and says when it is asked and when it gave up.
type blockingSource struct {
	asked, ended chan struct{}
	release      chan struct{}
}

func (b *blockingSource) DossierStatus(ctx context.Context, unit, code string) (*uplinkproto.Dossier, error) {
	b.asked <- struct{}{}
	select {
	case <-b.release:
		return &uplinkproto.Dossier{Code: code, Status: "Đang giải quyết"}, nil
	case <-ctx.Done():
		b.ended <- struct{}{}
		return nil, ctx.Err()
	}
}

// TestDossierQueryDoesNotHoldTheConnection asks a slow source: events are
// stored and acknowledged meanwhile, the answer comes when the source
// answers, and a query still asked when the unit goes away is given up.
func TestDossierQueryDoesNotHoldTheConnection(t *testing.T) {
	src := &blockingSource{asked: make(chan struct{}, 1), ended: make(chan struct{}, 1), release: make(chan struct{})}
	e := newEnv(t, func(o *Options) { o.Dossiers = src })
	c, _ := e.connect(tokenA, unitA, 0, 0)
	c.send(string(uplinkproto.Query("q-1", uplinkproto.QueryDossierStatus, testDossier)))
	<-src.asked
	c.send(event(1, ""))
	c.waitAck(1)
	close(src.release)
	if m := c.read(); m.Type != uplinkproto.TypeAnswer || !m.OK || m.Dossier.Status != "Đang giải quyết" {
		t.Fatalf("got %s, want the answer", m.Raw)
	}

	src.release = make(chan struct{})
	c.send(string(uplinkproto.Query("q-2", uplinkproto.QueryDossierStatus, testDossier)))
	<-src.asked
	c.ws.Close()
	select {
	case <-src.ended:
	case <-time.After(wait):
		t.Fatal("the query went on after the unit left")
	}
}

func TestOpenDossierSource(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "d.json")
	tok := filepath.Join(dir, "tok")
	os.WriteFile(file, []byte(`{}`), 0o600)
	os.WriteFile(tok, []byte("  s3cret\n"), 0o600)
	src, err := OpenDossierSource("file:"+file, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.DossierStatus(context.Background(), unitA, testDossier); !errors.Is(err, ErrUnknownDossier) {
		t.Errorf("empty file: got %v, want ErrUnknownDossier", err)
	}
	src, err = OpenDossierSource("https://user:pw@hcc.example.gov.vn/motcua/status", tok)
	if err != nil {
		t.Fatal(err)
	}
	if h, ok := src.(*HTTPDossiers); !ok || h.Token != "s3cret" {
		t.Errorf("got %#v, want an HTTP source with the token of the file", src)
	}
	for _, spec := range []string{"file:", "file:" + filepath.Join(dir, "missing"), "ftp://x/y", "hcc.example.gov.vn", ""} {
		if _, err := OpenDossierSource(spec, ""); !errors.Is(err, ErrBadDossierSource) {
			t.Errorf("%q: got %v, want ErrBadDossierSource", spec, err)
		}
	}
	if _, err := OpenDossierSource("https://x.example/", filepath.Join(dir, "missing")); !errors.Is(err, ErrBadDossierSource) {
		t.Errorf("missing token file: got %v, want ErrBadDossierSource", err)
	}
}
