package queue

import (
	"errors"
	"slices"
	"testing"

	"motcua/kiosk/config"
)

// FuzzRateAnswers rates with any answers on a five-level, three-question
// set: an answer set that does not fit is refused with ErrBadScore and
// changes nothing; one that fits is rated with the lowest answer, and the
// event keeps exactly the answered questions.
func FuzzRateAnswers(f *testing.F) {
	f.Add([]byte{5, 2, 0})
	f.Add([]byte{0, 0, 0})
	f.Add([]byte{6})
	f.Add([]byte{1, 1, 1, 1})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, raw []byte) {
		cfg := testConfig()
		cfg.Rating = config.Rating{Scale: []string{"5", "4", "3", "2", "1"}, Questions: []string{"a", "b", "c"}}
		e := New(cfg, newClock("2026-12-03 08:00:00"))
		e.Issue("dat-dai", false)
		e.Open(1, "X")
		e.Next(1)
		e.Done(1)
		answers := make([]int, len(raw))
		for i, b := range raw {
			answers[i] = int(int8(b))
		}
		seq := e.Seq()
		evs, err := e.RateAnswers(1, answers, "")
		var want []Answer
		fits := len(answers) <= 3
		for i, a := range answers {
			if a < 0 || a > 5 {
				fits = false
			} else if a > 0 && i < 3 {
				want = append(want, Answer{Question: cfg.Rating.Questions[i], Score: a})
			}
		}
		fits = fits && len(want) > 0
		if !fits {
			if !errors.Is(err, ErrBadScore) || e.Seq() != seq {
				t.Fatalf("answers %v: got %v with seq %d→%d, want ErrBadScore and nothing changed", answers, err, seq, e.Seq())
			}
			return
		}
		if err != nil || len(evs) != 1 {
			t.Fatalf("answers %v: got %v, %d events", answers, err, len(evs))
		}
		low := slices.MinFunc(want, func(a, b Answer) int { return a.Score - b.Score }).Score
		ev := evs[0]
		if !slices.Equal(ev.Answers, want) || ev.Score != low || ev.FollowUp != (low <= 2) {
			t.Fatalf("answers %v: got %+v score %d follow_up %v, want %+v score %d", answers, ev.Answers, ev.Score, ev.FollowUp, want, low)
		}
	})
}
