package receiver

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// withPublic gives a ticketEvent's ticket a public id and the unit's
// estimate (ahead, wait).
func withPublic(ev, public string, ahead, wait int) string {
	return strings.Replace(ev, `"ahead":0,"estimated_wait_s":0,"day":"2026-11-26"}}`,
		`"ahead":`+itoa(ahead)+`,"estimated_wait_s":`+itoa(wait)+`,"day":"2026-11-26","public":"`+public+`"}}`, 1)
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func (e *env) get(path string) (int, string) {
	e.t.Helper()
	resp, err := http.Get(e.ts.URL + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestPublicPage follows a unit's ticket on the receiver's citizen page:
// its place from the live queue, the counter once called, the end state
// after it is done, and 404 once the unit's day turns.
func TestPublicPage(t *testing.T) {
	const p1, p2 = "aaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbb"
	e := newEnv(t)
	c, _ := e.connect(tokenA, unitA, 1, 14)
	for i := int64(1); i <= 10; i++ {
		c.send(event(i, ""))
	}
	c.send(`{"type":"snapshot","seq":10,"state":`+liveState+`}`,
		withPublic(ticketEvent(11, "ticket.issued", "t1", "A001", "waiting", 0), p1, 0, 0),
		withPublic(ticketEvent(12, "ticket.issued", "t2", "A002", "waiting", 0), p2, 1, 300))
	c.waitAck(12)

	var pt publicTicket
	code, body := e.get("/api/v1/public/" + unitA + "/" + p2)
	json.Unmarshal([]byte(body), &pt)
	if code != 200 || pt.Number != "A002" || pt.Ahead != 1 || pt.WaitSeconds != 300 || pt.ServiceName != "Đất đai" || pt.Unit != "UBND" {
		t.Fatalf("waiting: got %d %s", code, body)
	}
	if code, body := e.get("/t/" + unitA + "/" + p2); code != 200 || !strings.Contains(body, "/static/public.js") {
		t.Errorf("page: got %d %s", code, body)
	}
	if code, body := e.get("/static/public.js"); code != 200 || !strings.Contains(body, "/api/v1/public/") {
		t.Errorf("script: got %d", code)
	}

	// A001 is called: A002 is next, with the estimate scaled down.
	c.send(withPublic(ticketEvent(13, "ticket.called", "t1", "A001", "called", 1), p1, 0, 0))
	c.waitAck(13)
	_, body = e.get("/api/v1/public/" + unitA + "/" + p2)
	json.Unmarshal([]byte(body), &pt)
	if pt.Ahead != 0 || pt.WaitSeconds != 0 {
		t.Errorf("after a call: got %s, want nobody ahead", body)
	}
	_, body = e.get("/api/v1/public/" + unitA + "/" + p1)
	var called map[string]any
	json.Unmarshal([]byte(body), &called)
	if called["status"] != "called" || called["counter"] != 1.0 || called["counter_name"] != "Quầy 1" {
		t.Errorf("called: got %s", body)
	}
	if strings.Contains(body, "Nguyễn Văn A") || strings.Contains(body, `"id"`) {
		t.Errorf("personal data on the citizen's page: %s", body)
	}

	// Done: the end state stays until the day turns.
	c.send(withPublic(ticketEvent(14, "ticket.done", "t1", "A001", "done", 1), p1, 0, 0))
	c.waitAck(14)
	if _, body = e.get("/api/v1/public/" + unitA + "/" + p1); !strings.Contains(body, `"status":"done"`) {
		t.Errorf("done: got %s", body)
	}
	c.send(`{"type":"event","seq":15,"at":"2026-11-27T00:00:01+07:00","event":"day.started","day":"2026-11-27"}`)
	c.waitAck(15)
	for _, p := range []string{p1, p2} {
		if code, _ := e.get("/api/v1/public/" + unitA + "/" + p); code != 404 {
			t.Errorf("%s after the day turned: got %d, want 404", p, code)
		}
	}

	// Unknown units and ids are 404; the page says so in Vietnamese.
	for _, path := range []string{"/api/v1/public/" + unitB + "/" + p1, "/api/v1/public/" + unitA + "/" + strings.Repeat("c", 26), "/api/v1/public/nobody/x"} {
		if code, _ := e.get(path); code != 404 {
			t.Errorf("%s: got %d, want 404", path, code)
		}
	}
	if code, body := e.get("/t/" + unitA + "/" + strings.Repeat("c", 26)); code != 404 || !strings.Contains(body, "Không tìm thấy") {
		t.Errorf("unknown page: got %d %s", code, body)
	}

	// One address is limited per minute.
	limited := false
	for range publicPerMinute + 5 {
		if code, _ := e.get("/api/v1/public/" + unitA + "/" + p1); code == 429 {
			limited = true
			break
		}
	}
	if !limited {
		t.Error("no 429 past the allowance of one address")
	}
}
