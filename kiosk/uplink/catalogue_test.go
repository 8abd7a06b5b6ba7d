package uplink_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"motcua/kiosk/catalogue"
	"motcua/kiosk/uplink"
	"motcua/uplinkproto"
)

// commandReceiver accepts one unit, welcomes it with ack 0, sends the
// commands one at a time and hands back each result.
func commandReceiver(t *testing.T, cmds []string) (url string, results chan *uplinkproto.Message) {
	results = make(chan *uplinkproto.Message, len(cmds))
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		up := websocket.Upgrader{Subprotocols: []string{uplinkproto.Subprotocol}}
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		if _, _, err := c.ReadMessage(); err != nil {
			return
		}
		c.WriteMessage(websocket.TextMessage, uplinkproto.Welcome(0))
		for _, cmd := range cmds {
			if c.WriteMessage(websocket.TextMessage, []byte(cmd)) != nil {
				return
			}
			for {
				_, data, err := c.ReadMessage()
				if err != nil {
					return
				}
				m, err := uplinkproto.DecodeClient(data)
				if err != nil {
					t.Errorf("receiver: %v", err)
					return
				}
				if m.Type == uplinkproto.TypeResult {
					results <- m
					break
				}
			}
		}
		c.ReadMessage() // until the client goes
	}))
	t.Cleanup(ts.Close)
	return "ws" + strings.TrimPrefix(ts.URL, "http"), results
}

func TestCatalogueUpdateCommand(t *testing.T) {
	u := newUnit(t)
	store, err := catalogue.Open(u.cfg.Server.DataDir, u.cfg.ServiceIDs(), nil)
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(catalogue.DemoJSON), `"service": "kinh-doanh"`, `"service": "ho-kinh-doanh"`, 1)
	cmd := func(id string, file string) string {
		b, _ := json.Marshal(map[string]any{"type": "command", "id": id, "name": uplinkproto.CmdCatalogue, "catalogue": json.RawMessage(file)})
		return string(b)
	}
	url, results := commandReceiver(t, []string{cmd("c-1", string(catalogue.DemoJSON)), cmd("c-2", bad)})
	startClient(t, u, url, func(o *uplink.Options) { o.Catalogue = store })

	next := func() *uplinkproto.Message {
		select {
		case m := <-results:
			return m
		case <-time.After(30 * time.Second):
			t.Fatal("no result")
			return nil
		}
	}
	m := next()
	if !m.OK || !strings.Contains(string(m.Raw), `"catalogue":{"version":"demo-2026-12","procedures":31}`) {
		t.Fatalf("update: got %s", m.Raw)
	}
	m = next()
	if m.OK || m.Error == nil || m.Error.Code != "invalid_catalogue" || !strings.Contains(m.Error.Message, `(2.000720) .service: service "ho-kinh-doanh" is not configured`) {
		t.Fatalf("bad update: got %s", m.Raw)
	}
	if x := store.Current(); x.Version() != "demo-2026-12" || x.Len() != 31 {
		t.Errorf("after the refused update: version %q with %d procedures", x.Version(), x.Len())
	}
}
