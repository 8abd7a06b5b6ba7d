package receiver

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func (e *env) post(path, body string) (int, string) {
	e.t.Helper()
	resp, err := http.Post(e.ts.URL+path, "application/json", strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestHeadsUp asks for a heads-up on a ticket's page and calls the tickets
// ahead: the webhook gets one message when two people are ahead, with the
// number and the template's text, and the page's JSON says what N is.
func TestHeadsUp(t *testing.T) {
	got := make(chan HeadsUpMessage, 10)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m HeadsUpMessage
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			t.Errorf("webhook body: %v", err)
		}
		got <- m
	}))
	defer hook.Close()
	e := newEnv(t, func(o *Options) { o.HeadsUp = HeadsUp{Webhook: hook.URL, Ahead: 2} })
	c, _ := e.connect(tokenA, unitA, 1, 15)
	for i := int64(1); i <= 10; i++ {
		c.send(event(i, ""))
	}
	c.send(`{"type":"snapshot","seq":10,"state":` + liveState + `}`)
	pub := func(i int) string { return strings.Repeat(string(rune('a'+i)), 26) }
	for i := range 5 {
		c.send(withPublic(ticketEvent(int64(11+i), "ticket.issued", fmt.Sprint("t", i), fmt.Sprintf("A%03d", i+1), "waiting", 0), pub(i), i, 300*i))
	}
	c.waitAck(15)

	_, body := e.get("/api/v1/public/" + unitA + "/" + pub(4))
	if !strings.Contains(body, `"heads_up":2`) || !strings.Contains(body, `"ahead":4`) {
		t.Fatalf("page JSON: %s", body)
	}
	for _, tt := range []struct {
		public, body string
		code         int
	}{
		{pub(4), `{"to":"12345"}`, 400},
		{pub(4), `{"phone":"0912345678"}`, 400},
		{pub(1), `{"to":"0912345678"}`, 409}, // one ahead: too late
		{strings.Repeat("z", 26), `{"to":"0912345678"}`, 404},
		{pub(4), `{"to":"091 234 5678"}`, 200},
		{pub(3), `{"to":"+84987654321"}`, 200},
	} {
		if code, b := e.post("/api/v1/public/"+unitA+"/"+tt.public+"/notify", tt.body); code != tt.code {
			t.Errorf("notify %s %s: got %d %s, want %d", tt.public[:1], tt.body, code, b, tt.code)
		}
	}

	call := func(seq int64, i int) {
		c.send(withPublic(ticketEvent(seq, "ticket.called", fmt.Sprint("t", i), fmt.Sprintf("A%03d", i+1), "called", 1), pub(i), 0, 0))
		c.waitAck(seq)
	}
	call(16, 0) // A005 has 3 ahead, A004 2: A004's heads-up goes
	m := waitHeadsUp(t, got)
	if m.To != "+84987654321" || m.Params["number"] != "A004" || m.Params["ahead"] != "2" || m.Template != "motcua.heads_up.v1" ||
		m.Text != "UBND: số A004 (Đất đai) của quý khách còn 2 người nữa là đến lượt. Mời quý khách quay lại phòng chờ." {
		t.Errorf("heads-up: got %+v", m)
	}
	call(17, 1)
	m = waitHeadsUp(t, got)
	if m.To != "0912345678" || m.Params["number"] != "A005" {
		t.Errorf("second heads-up: got %+v", m)
	}
	call(18, 2)
	select {
	case m := <-got:
		t.Errorf("a heads-up was sent twice: %+v", m)
	case <-time.After(200 * time.Millisecond):
	}
}

func waitHeadsUp(t *testing.T, got chan HeadsUpMessage) HeadsUpMessage {
	t.Helper()
	select {
	case m := <-got:
		return m
	case <-time.After(wait):
		t.Fatal("no heads-up reached the webhook")
		return HeadsUpMessage{}
	}
}

func TestNoHeadsUpWithoutWebhook(t *testing.T) {
	e := newEnv(t)
	if code, _ := e.post("/api/v1/public/"+unitA+"/"+strings.Repeat("a", 26)+"/notify", `{"to":"0912345678"}`); code != 404 {
		t.Errorf("got %d, want 404", code)
	}
}

func TestNormalPhone(t *testing.T) {
	for in, want := range map[string]string{
		"0912345678": "0912345678", "091.234.5678": "0912345678", "+84 912 345 678": "+84912345678",
		"0212345678": "0212345678", "12345": "", "0012345678": "", "09123456789012": "", "abc": "",
	} {
		if got := normalPhone(in); got != want {
			t.Errorf("normalPhone(%q): got %q, want %q", in, got, want)
		}
	}
}
