package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"motcua/kiosk/api"
	"motcua/kiosk/scan"
	"motcua/kiosk/uplink"
	"motcua/receiver"
)

// timerClock is a clock whose waits end when the test fires them; each
// wait asked is announced on asked.
type timerClock struct {
	mu    sync.Mutex
	waits []chan time.Time
	asked chan struct{}
}

func newTimerClock() *timerClock { return &timerClock{asked: make(chan struct{}, 16)} }

func (c *timerClock) Now() time.Time { return time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC) }

func (c *timerClock) After(time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	c.mu.Lock()
	c.waits = append(c.waits, ch)
	c.mu.Unlock()
	c.asked <- struct{}{}
	return ch
}

// fire ends every wait asked so far, as if DossierTimeout had passed.
func (c *timerClock) fire() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ch := range c.waits {
		ch <- c.Now()
	}
	c.waits = nil
}

// statusNotice is a kiosk page's scan notice of a receipt.
type statusNotice struct {
	Scan, Kind string
	Lookup     int64
	Pending    bool
	Dossier    *struct{ Status, Due string }
	Error      *struct{ Code, Message string }
}

func readStatus(t *testing.T, ws *websocket.Conn) statusNotice {
	t.Helper()
	var n statusNotice
	if err := json.Unmarshal([]byte(readScan(t, ws)), &n); err != nil {
		t.Fatal(err)
	}
	if n.Scan != "dossier" || n.Kind != "receipt" {
		t.Fatalf("got %+v, want a receipt's notice", n)
	}
	return n
}

// receipt is a one-stop receipt's QR as one province lays it out.
func receipt(code string) string {
	return "https://dichvucong.example.gov.vn/tra-cuu?ma_ho_so=" + code + "&ngay_nhan=03/12/2026"
}

// provinceAdapter is the province's dossier adapter on loopback. Its
// answers are given by answer; it says when it is asked.
type provinceAdapter struct {
	asked  chan string
	answer func(w http.ResponseWriter, r *http.Request)
}

func newProvinceAdapter(t *testing.T, answer func(w http.ResponseWriter, r *http.Request)) (*provinceAdapter, *httptest.Server) {
	a := &provinceAdapter{asked: make(chan string, 8), answer: answer}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Code string }
		json.NewDecoder(r.Body).Decode(&req)
		a.asked <- req.Code
		a.answer(w, r)
	}))
	t.Cleanup(ts.Close)
	return a, ts
}

// TestReceiptStatusAtTheKiosk scans receipts at the kiosk of a unit
// whose uplink reaches a real receiver, which asks the province's
// adapter over HTTP: with the adapter up the kiosk is told the status
// and the due date; with the adapter answering 500, refusing
// connections, or answering only after DossierTimeout, and with the
// uplink offline, it is told that the status could not be looked up,
// never later than DossierTimeout. A ticket can be taken while a lookup
// waits.
func TestReceiptStatusAtTheKiosk(t *testing.T) {
	const code = "000.00.12.H56-261203-0042"
	release := make(chan struct{})
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	up, upSrv := newProvinceAdapter(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer province-secret" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		io.WriteString(w, `{"status":"Đang giải quyết","due":"2026-12-10"}`)
	})
	_, downSrv := newProvinceAdapter(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	})
	slow, slowSrv := newProvinceAdapter(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		io.WriteString(w, `{"status":"Đã có kết quả"}`)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String() + "/status"
	ln.Close()

	tests := []struct {
		name    string
		adapter string // "" for no uplink at all
		slow    bool
		want    string // the status, or "" for status_unavailable
	}{
		{"adapter up", upSrv.URL, false, "Đang giải quyết"},
		{"adapter 500", downSrv.URL, false, ""},
		{"adapter refuses connections", refused, false, ""},
		{"adapter slow", slowSrv.URL, true, ""},
		{"uplink offline", "", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRoom(t, nil)
			ws := r.wsAs(r.tok["kiosk"])
			clk := newTimerClock()
			url := "ws://127.0.0.1:1/ingest" // nobody there
			var acked chan int64
			if tt.adapter != "" {
				url, acked = startReceiver(t, r, &receiver.HTTPDossiers{URL: tt.adapter, Token: "province-secret"})
			}
			c := startUplink(t, r, url, acked)
			r.d.API.SetDossierLookup(c, clk)

			r.d.API.Scan(t.Context(), scan.Kiosk, receipt(code))
			first := readStatus(t, ws)
			if !first.Pending || first.Dossier != nil || first.Error != nil || first.Lookup == 0 {
				t.Fatalf("first notice: got %+v, want pending", first)
			}
			<-clk.asked // the kiosk's wait has begun
			if tt.slow {
				if got := <-slow.asked; got != code {
					t.Errorf("adapter asked for %q, want %q", got, code)
				}
				// The citizen takes a number while the lookup waits.
				if a := r.req("POST", "/api/v1/tickets", r.tok["kiosk"], `{"service":"dat-dai"}`); a.status != http.StatusCreated {
					t.Errorf("ticket during the lookup: %d %s", a.status, a.body)
				}
				clk.fire() // DossierTimeout passes; the adapter has not answered
			}
			n := readStatus(t, ws)
			if n.Pending || n.Lookup != first.Lookup {
				t.Fatalf("second notice: got %+v, want the answer to lookup %d", n, first.Lookup)
			}
			if tt.want != "" {
				if n.Dossier == nil || n.Dossier.Status != tt.want || n.Dossier.Due != "2026-12-10" || n.Error != nil {
					t.Errorf("got %+v (dossier %+v), want status %q due 2026-12-10", n, n.Dossier, tt.want)
				}
				if got := <-up.asked; got != code {
					t.Errorf("adapter asked for %q, want %q", got, code)
				}
			} else if n.Dossier != nil || n.Error == nil || n.Error.Code != "status_unavailable" || n.Error.Message != api.NoStatus {
				t.Errorf("got %+v, want status_unavailable %q", n, api.NoStatus)
			}
		})
	}
}

// startReceiver starts a receiver that answers dossier.status from src and
// knows the room's unit; it returns its ingest URL and a channel of the
// seqs it acknowledges to the unit.
func startReceiver(t *testing.T, r *room, src receiver.DossierSource) (string, chan int64) {
	t.Helper()
	const token = "unit-token-0123456789"
	srv, err := receiver.Open(context.Background(), receiver.Options{Store: "sqlite:" + t.TempDir(),
		Tokens: map[string]string{token: r.d.Room.Config().Unit.ID}, Dossiers: src})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		srv.Close()
		ts.Close()
	})
	return "ws" + strings.TrimPrefix(ts.URL, "http") + "/ingest", make(chan int64, 64)
}

// startUplink runs the room's uplink client to url until the test ends.
// With acked, it waits until the receiver has acknowledged a ticket
// issued for it: the client is connected then.
func startUplink(t *testing.T, r *room, url string, acked chan int64) *uplink.Client {
	t.Helper()
	o := uplink.Options{URL: url, Token: "unit-token-0123456789", Unit: r.d.Room.Config().Unit.ID,
		BackoffMin: 10 * time.Millisecond, BackoffMax: 100 * time.Millisecond}
	if acked != nil {
		o.OnAck = func(seq int64) {
			select {
			case acked <- seq:
			default:
			}
		}
	}
	c := uplink.New(r.d.Log, r.d.Room, o)
	r.d.Subscribe(c.Notify)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("uplink: %v", err)
		}
	})
	if acked != nil {
		if a := r.req("POST", "/api/v1/tickets", r.tok["kiosk"], `{"service":"dat-dai"}`); a.status != http.StatusCreated {
			t.Fatalf("ticket: %d %s", a.status, a.body)
		}
		want := r.d.Log.Durable()
		for seq := range acked {
			if seq >= want {
				break
			}
		}
	}
	return c
}
