package queue

import (
	"fmt"
	"slices"
)

// Answer is the score given to one question of the configured set.
type Answer struct {
	Question string `json:"question"`
	Score    int    `json:"score"`
}

// RateAnswers records a citizen's answers to the configured question set
// (config.Rating.Questions) for the ticket last served at counter id:
// answers[i] is the score of question i, 0 when it was not answered, and
// may stop early. At least one question must be answered. The rating's
// score is the lowest answer, so that a visit counts as not satisfied when
// any answer is.
func (e *Engine) RateAnswers(id int, answers []int, reason string) ([]Event, error) {
	qs := e.cfg.Rating.Questions
	n := len(e.cfg.Rating.Levels())
	if len(answers) > len(qs) {
		return nil, fmt.Errorf("%w: %d answers for %d questions", ErrBadScore, len(answers), len(qs))
	}
	var out []Answer
	for i, a := range answers {
		if a < 0 || a > n {
			return nil, fmt.Errorf("%w (1 to %d, or 0 for no answer)", ErrBadScore, n)
		}
		if a > 0 {
			out = append(out, Answer{Question: qs[i], Score: a})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no question answered", ErrBadScore)
	}
	low := slices.MinFunc(out, func(a, b Answer) int { return a.Score - b.Score }).Score
	return e.rate(id, low, out, reason)
}
