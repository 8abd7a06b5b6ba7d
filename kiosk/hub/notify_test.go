package hub

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

// TestNotifyGoesToItsGroupOnly checks that a notice reaches the clients
// of its group, between the events, and no other client.
func TestNotifyGoesToItsGroupOnly(t *testing.T) {
	src := &memLog{}
	h := New(src, 0, Options{CheckOrigin: func(*http.Request) bool { return true }})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeGroup(w, r, -1, r.URL.Query().Get("group"))
	}))
	t.Cleanup(func() {
		h.Close()
		srv.Close()
	})
	url := "ws" + strings.TrimPrefix(srv.URL, "http")
	kiosk, board, plain := dial(t, url+"?group=kiosk"), dial(t, url+"?group=display"), dial(t, url)
	for _, c := range []string{next(t, kiosk), next(t, board), next(t, plain)} {
		if c != `{"type":"snapshot","seq":0,"state":{}}` {
			t.Fatalf("first frame: got %s", c)
		}
	}
	h.Publish(src.add(1))
	for _, c := range []*websocket.Conn{kiosk, board, plain} {
		if got := next(t, c); got != `{"type":"event","seq":1}` {
			t.Fatalf("got %s, want event 1", got)
		}
	}
	h.Notify("kiosk", []byte(`{"type":"scan","kind":"id_card"}`))
	h.Notify("", []byte(`{"type":"scan","kind":"nobody"}`))
	h.Publish(src.add(1))
	want := map[string][]string{
		"kiosk":   {`{"type":"scan","kind":"id_card"}`, `{"type":"event","seq":2}`},
		"display": {`{"type":"event","seq":2}`},
		"none":    {`{"type":"event","seq":2}`},
	}
	for name, c := range map[string]*websocket.Conn{"kiosk": kiosk, "display": board, "none": plain} {
		for i, w := range want[name] {
			if got := next(t, c); got != w {
				t.Errorf("%s, frame %d: got %s, want %s", name, i, got, w)
			}
		}
	}
	// A client that connects later does not get an old notice.
	late := dial(t, url+"?group=kiosk")
	if got := next(t, late); got != fmt.Sprintf(`{"type":"snapshot","seq":%d,"state":{}}`, 2) {
		t.Errorf("late client: got %s", got)
	}
	h.Publish(src.add(1))
	if got := next(t, late); got != `{"type":"event","seq":3}` {
		t.Errorf("late client: got %s, want event 3 and no notice", got)
	}
}
