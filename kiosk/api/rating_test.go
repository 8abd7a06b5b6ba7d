package api_test

import (
	"encoding/json"
	"testing"

	"motcua/kiosk/config"
	"motcua/kiosk/queue"
)

// TestRatingQuestionSet rates on a five-level scale with three questions:
// the set as the page reads it, partial answers, bad ones, and the
// not-satisfied ratings flagged for follow-up with their dossiers.
func TestRatingQuestionSet(t *testing.T) {
	r := newRoom(t, func(c *config.Config) {
		c.Rating = config.Rating{
			Scale:     []string{"Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng", "Rất không hài lòng"},
			Questions: []string{"Thái độ", "Hướng dẫn", "Thời gian"},
		}
	})
	var set config.Rating
	if a := r.req("GET", "/api/v1/rating", r.tok["kiosk"], ""); a.status != 200 || json.Unmarshal(a.body, &set) != nil ||
		len(set.Scale) != 5 || len(set.Questions) != 3 || set.NotSatisfied != 2 {
		t.Fatalf("GET /api/v1/rating: got %d %s, want 5 levels, 3 questions, not_satisfied 2", a.status, a.body)
	}
	// serve finishes one ticket at counter 1 with a dossier linked.
	r.req("POST", "/api/v1/counters/1/open", r.tok["counter1"], `{"officer":"Lý Văn E"}`)
	serve := func(dossier string) {
		t.Helper()
		r.req("POST", "/api/v1/tickets", r.tok["kiosk"], `{"service":"dat-dai"}`)
		if a := r.req("POST", "/api/v1/counters/1/next", r.tok["counter1"], ""); a.status != 200 {
			t.Fatalf("next: %d %s", a.status, a.body)
		}
		r.req("POST", "/api/v1/counters/1/dossier", r.tok["counter1"], `{"code":"`+dossier+`"}`)
		r.req("POST", "/api/v1/counters/1/done", r.tok["counter1"], "")
	}
	rate := func(body string) answer { return r.req("POST", "/api/v1/counters/1/rating", r.tok["kiosk"], body) }

	serve("000.00.12.H56-261203-0001")
	tests := []struct {
		name, body string
		status     int
		code       string
	}{
		{"more answers than questions", `{"answers":[5,5,5,5]}`, 400, "bad_score"},
		{"above the scale", `{"answers":[6]}`, 400, "bad_score"},
		{"negative", `{"answers":[-1,3]}`, 400, "bad_score"},
		{"nothing answered", `{"answers":[0,0]}`, 400, "bad_score"},
		{"overall score above the scale", `{"score":6}`, 400, "bad_score"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if a := rate(tt.body); a.status != tt.status || a.code() != tt.code {
				t.Errorf("got %d %s, want %d %s", a.status, a.body, tt.status, tt.code)
			}
		})
	}
	// Two of three answered, the second not satisfied: the score is 2.
	a := rate(`{"answers":[5,2],"reason":"Hướng dẫn chưa rõ"}`)
	var tk queue.Ticket
	if json.Unmarshal(a.body, &tk); a.status != 200 || tk.Rating != 2 {
		t.Fatalf("answers: got %d %s, want 200 with rating 2", a.status, a.body)
	}
	serve("000.00.12.H56-261203-0002")
	if a := rate(`{"answers":[4,0,5]}`); a.status != 200 {
		t.Fatalf("answers with a gap: got %d %s", a.status, a.body)
	}
	serve("000.00.12.H56-261203-0003")
	if a := rate(`{"score":1}`); a.status != 200 {
		t.Fatalf("overall score: got %d %s", a.status, a.body)
	}

	if a := r.req("GET", "/api/v1/ratings/follow-up", r.tok["counter1"], ""); a.status != 403 {
		t.Errorf("follow-up list for a counter token: got %d, want 403", a.status)
	}
	var fu struct {
		FollowUps []struct {
			Number   string
			Counter  int
			Officer  string
			Dossiers []string
			Score    int
			Answers  []queue.Answer
			Reason   string
		} `json:"follow_ups"`
	}
	a = r.req("GET", "/api/v1/ratings/follow-up", r.tok["admin"], "")
	if err := json.Unmarshal(a.body, &fu); err != nil || a.status != 200 {
		t.Fatalf("follow-up: got %d %s", a.status, a.body)
	}
	if len(fu.FollowUps) != 2 {
		t.Fatalf("follow-ups: got %+v, want the ratings of A001 (2) and A003 (1)", fu.FollowUps)
	}
	f := fu.FollowUps[0]
	if f.Number != "A001" || f.Counter != 1 || f.Officer != "Lý Văn E" || len(f.Dossiers) != 1 || f.Dossiers[0] != "000.00.12.H56-261203-0001" ||
		f.Score != 2 || f.Reason != "Hướng dẫn chưa rõ" || len(f.Answers) != 2 || f.Answers[1] != (queue.Answer{Question: "Hướng dẫn", Score: 2}) {
		t.Errorf("first follow-up: got %+v", f)
	}
	if g := fu.FollowUps[1]; g.Number != "A003" || g.Score != 1 || g.Answers != nil {
		t.Errorf("second follow-up: got %+v", g)
	}
}
