package uplink_test

import (
	"context"
	"encoding/pem"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"motcua/kiosk/uplink"
	"motcua/receiver"
)

func TestTLSWithCAFile(t *testing.T) {
	u := newUnit(t)
	u.issue(t, 5)
	srv, err := receiver.Open(context.Background(), receiver.Options{Store: newStore(t), Tokens: map[string]string{testToken: u.cfg.Unit.ID}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(srv.Handler())
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
	ts.StartTLS()
	defer ts.Close()
	defer srv.Close()
	url := "wss" + strings.TrimPrefix(ts.URL, "https") + "/ingest"

	// Without the CA the receiver's certificate is refused.
	c := uplink.New(u.log, u.room, uplink.Options{URL: url, Token: testToken, Unit: u.cfg.Unit.ID,
		BackoffMin: time.Millisecond, BackoffMax: 5 * time.Millisecond, Logger: testLogger(t)})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	c.Run(ctx)
	cancel()
	if st := c.Status(context.Background()); st.Connected || st.Acked != 0 || st.Reconnects == 0 {
		t.Fatalf("without ca_file: got %+v, want refused connections", st)
	}

	ca := filepath.Join(t.TempDir(), "ca.pem")
	pemData := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw})
	if err := os.WriteFile(ca, pemData, 0o600); err != nil {
		t.Fatal(err)
	}
	_, a := startClient(t, u, url, func(o *uplink.Options) {
		if err := o.WithCA(ca); err != nil {
			t.Fatal(err)
		}
	})
	a.waitFor(t, u.log.Durable())
}
