package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"motcua/kiosk/uplink"
	"motcua/receiver"
)

// TestDossierRatingReachesReceiver is the link and rating path end to
// end: the officer links a dossier on the counter page in Chromium, marks
// the visit done, the citizen rates it low on the rating page and says
// why, and the unit's uplink brings the rating with the dossier, the
// counter, the officer and the reason to a real receiver, whose export
// for the province lists it for follow-up.
func TestDossierRatingReachesReceiver(t *testing.T) {
	const (
		code     = "000.00.12.H56-261203-0031"
		unitTok  = "unit-token-0123456789"
		operator = "operator-token-0123456789"
	)
	r := newRoom(t)
	unit := r.d.Room.Config().Unit.ID
	srv, err := receiver.Open(context.Background(), receiver.Options{Store: "sqlite:" + t.TempDir(),
		Tokens: map[string]string{unitTok: unit}, Operators: map[string]string{operator: "tỉnh"}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		srv.Close()
		ts.Close()
	})
	acked := make(chan int64, 256)
	c := uplink.New(r.d.Log, r.d.Room, uplink.Options{URL: "ws" + strings.TrimPrefix(ts.URL, "http") + "/ingest", Token: unitTok, Unit: unit,
		BackoffMin: 10 * time.Millisecond, BackoffMax: 100 * time.Millisecond,
		OnAck: func(seq int64) {
			select {
			case acked <- seq:
			default:
			}
		}})
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

	r.must(t, 201, "POST", "/api/v1/tickets", map[string]any{"service": "dat-dai"})
	r.must(t, 200, "POST", "/api/v1/counters/1/open", map[string]any{"officer": "Trần Thị B"})
	citizen := tab(t, 1280, 800)
	open(t, citizen, r.url+"/rate/1?token="+kioskTok)
	waitJS(t, citizen, `document.body.dataset.live === "1"`)

	officer := tab(t, 360, 800)
	open(t, officer, r.url+"/counter/1?token="+counterTok)
	waitJS(t, officer, `!document.querySelector("#work").hidden`)
	pressKey(t, officer, "n")
	waitJS(t, officer, `document.querySelector("#s-number").textContent === "A001"`)
	waitJS(t, officer, `!document.querySelector("#dossier-form").hidden`)
	click(t, officer, "#dossier-code")
	if err := sendKeys(officer, "#dossier-code", strings.ToLower(code)+"\r"); err != nil {
		t.Fatal(err)
	}
	waitJS(t, officer, `document.querySelector("#dossier-list").textContent === "`+code+`"`)
	click(t, officer, "#b-done")

	waitJS(t, citizen, `!document.querySelector("#ask").hidden`)
	click(t, citizen, `.lv[data-score="1"]`)
	waitJS(t, citizen, `!document.querySelector("#why").hidden`)
	click(t, citizen, `.rs[data-reason="Phải chờ lâu"]`)
	waitJS(t, citizen, `!document.querySelector("#thanks").hidden`)

	// The rating is durable once the page is thanked; wait for the
	// receiver to acknowledge it.
	want := r.d.Log.Durable()
	deadline := time.After(30 * time.Second)
	for got := int64(0); got < want; {
		select {
		case got = <-acked:
		case <-deadline:
			t.Fatalf("the receiver acknowledged up to %d, want %d", got, want)
		}
	}
	day := time.Now().In(r.d.Room.Config().Location).Format(time.DateOnly)
	req, _ := http.NewRequest("GET", ts.URL+"/api/v1/export/ratings?format=json&from="+day, nil)
	req.Header.Set("Authorization", "Bearer "+operator)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var x struct{ Ratings []receiver.RatingRow }
	if err := json.NewDecoder(resp.Body).Decode(&x); err != nil || resp.StatusCode != 200 {
		t.Fatalf("export: %d %v", resp.StatusCode, err)
	}
	if len(x.Ratings) != 1 {
		t.Fatalf("export: got %+v, want one row", x.Ratings)
	}
	if g := x.Ratings[0]; g.Dossier != code || g.Unit != unit || g.Number != "A001" || g.Counter != 1 || g.Officer != "Trần Thị B" || g.Score != 1 ||
		!g.FollowUp || g.Reason != "Phải chờ lâu" {
		t.Errorf("at the receiver: got %+v, want dossier %s, A001, counter 1, Trần Thị B, score 1 to follow up for Phải chờ lâu", g, code)
	}
}
