package web_test

import (
	"context"
	"testing"

	"motcua/kiosk/config"
	"motcua/kiosk/queue"
)

// TestRateQuestionSet asks a five-level, three-question set on /rate/3:
// one tap per question in order; a citizen who leaves after two answers
// still has them recorded (after the page's wait), the low one asks why,
// and the rating is flagged for follow-up with the dossier linked.
func TestRateQuestionSet(t *testing.T) {
	r := newRoomOpts(t, roomOpts{edit: func(c *config.Config) {
		c.Rating = config.Rating{
			Scale:     []string{"Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng", "Rất không hài lòng"},
			Questions: []string{"Thái độ tiếp đón của cán bộ", "Hướng dẫn hồ sơ", "Thời gian giải quyết"},
		}
	}})
	ctx := fastTab(t, 1280, 800)
	open(t, ctx, r.url+"/rate/3?token="+kioskTok)
	goWait(t, ctx, `document.body.dataset.live === "1"`)
	r.must(t, 200, "POST", "/api/v1/counters/3/open", map[string]any{"officer": "Lê Minh Châu"})
	tk := r.must(t, 201, "POST", "/api/v1/tickets", map[string]any{"service": "chung-thuc"})
	r.must(t, 200, "POST", "/api/v1/counters/3/next", nil)
	r.must(t, 200, "POST", "/api/v1/counters/3/dossier", map[string]any{"code": "000.00.12.H56-261203-0009"})
	r.must(t, 200, "POST", "/api/v1/counters/3/done", nil)

	goWait(t, ctx, `!document.querySelector("#qset").hidden`)
	if got := evalJS[string](t, ctx, `document.querySelector("#qs-text").textContent + "|" + [...document.querySelectorAll("#qs-levels .ql")].map(b => b.textContent + b.dataset.score).join(",")`); got !=
		"Thái độ tiếp đón của cán bộ|Rất hài lòng5,Hài lòng4,Bình thường3,Không hài lòng2,Rất không hài lòng1" {
		t.Errorf("first question: got %q", got)
	}
	click(t, ctx, `#qs-levels .ql[data-score="5"]`)
	goWait(t, ctx, `document.querySelector("#qs-text").textContent === "Hướng dẫn hồ sơ" && document.querySelector("#qs-step").textContent === "Câu 2/3"`)
	click(t, ctx, `#qs-levels .ql[data-score="2"]`)
	goWait(t, ctx, `document.querySelector("#qs-text").textContent === "Thời gian giải quyết"`)
	// The citizen leaves: after the wait (60 s, here 0.6 s) the low
	// answer asks why; the reason is chosen.
	goWait(t, ctx, `!document.querySelector("#why").hidden`)
	click(t, ctx, `.rs[data-reason="Hướng dẫn chưa rõ"]`)
	goWait(t, ctx, `!document.querySelector("#thanks").hidden`)

	ev, err := r.d.Log.Ticket(context.Background(), tk["id"].(string))
	if err != nil || ev == nil || ev.Name != queue.TicketRated {
		t.Fatalf("no ticket.rated: %v %+v", err, ev)
	}
	want := []queue.Answer{{Question: "Thái độ tiếp đón của cán bộ", Score: 5}, {Question: "Hướng dẫn hồ sơ", Score: 2}}
	if len(ev.Answers) != 2 || ev.Answers[0] != want[0] || ev.Answers[1] != want[1] || ev.Score != 2 ||
		ev.Reason != "Hướng dẫn chưa rõ" || !ev.FollowUp || len(ev.Ticket.Dossiers) != 1 {
		t.Errorf("ticket.rated: got answers %+v score %d reason %q follow_up %v dossiers %v", ev.Answers, ev.Score, ev.Reason, ev.FollowUp, ev.Ticket.Dossiers)
	}

	// The admin page lists it for follow-up, with the dossier and reason.
	admin := tab(t, 1280, 800)
	open(t, admin, r.url+"/admin?token="+adminTok)
	waitJS(t, admin, `document.querySelectorAll("#follow-ups tr").length === 1 && document.querySelector("#follow-ups tr").children.length === 6`)
	row := evalJS[string](t, admin, `[...document.querySelector("#follow-ups tr").children].slice(1).map(td => td.textContent).join("|")`)
	if want := "E001|Quầy 3 · Lê Minh Châu|000.00.12.H56-261203-0009|2 (Thái độ tiếp đón của cán bộ: 5; Hướng dẫn hồ sơ: 2)|Hướng dẫn chưa rõ"; row != want {
		t.Errorf("admin follow-up row: got %q, want %q", row, want)
	}
}
