package config

import "strings"

// Rating is what the rating page asks ([rating]): a scale of labels, best
// first, and optionally a set of questions asked in turn. A score is the
// level's place counted from the worst: with n labels the first (best) is
// n and the last is 1. Without [rating] the page asks one question on the
// four levels of [DefaultScale].
type Rating struct {
	// Scale are the levels' labels, best first; 2 to 7 of them.
	Scale []string `toml:"scale" json:"scale"`
	// Questions are asked in this order, one tap each; none: one overall
	// question.
	Questions []string `toml:"questions" json:"questions"`
	// NotSatisfied is the highest score that counts as not satisfied
	// (flagged for follow-up); 0 takes the default: 1 for up to four
	// levels, 2 for more.
	NotSatisfied int `toml:"not_satisfied" json:"not_satisfied"`
}

// DefaultScale is the scale of a file without [rating] scale.
var DefaultScale = []string{"Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng"}

// Levels returns the scale's labels, best first.
func (r Rating) Levels() []string {
	if len(r.Scale) == 0 {
		return DefaultScale
	}
	return r.Scale
}

// Low returns the highest score that counts as not satisfied.
func (r Rating) Low() int {
	if r.NotSatisfied > 0 {
		return r.NotSatisfied
	}
	if len(r.Levels()) > 4 {
		return 2
	}
	return 1
}

// KeyScore returns the score on the configured scale of a rating
// keypad's key, which has four keys whatever the scale: key is the key's
// score on the four levels of [DefaultScale] (4 very satisfied, 3
// satisfied, 2 neutral, 1 dissatisfied; see [RatingPins]). The keys keep
// their meaning on another scale: very satisfied is the best level and
// dissatisfied the worst, satisfied the level below the best (the best
// itself on three levels or fewer), neutral the middle level (the upper
// one of two middles). On two levels the neutral key has no level: 0,
// and so for a key that is not 1 to 4.
func (r Rating) KeyScore(key int) int {
	n := len(r.Levels())
	switch key {
	case 4:
		return n
	case 3:
		if n >= 4 {
			return n - 1
		}
		return n
	case 2:
		if n >= 3 {
			return (n + 1) / 2
		}
	case 1:
		return 1
	}
	return 0
}

// maxQuestions is the most questions a set may have.
const maxQuestions = 12

func (c *Config) validateRating(d *decoder) {
	r := c.Rating
	if len(r.Scale) != 0 && (len(r.Scale) < 2 || len(r.Scale) > 7) {
		d.addf("rating.scale", "rating.scale has %d labels; give 2 to 7, best first, such as [\"Rất hài lòng\", \"Hài lòng\", \"Bình thường\", \"Không hài lòng\", \"Rất không hài lòng\"]", len(r.Scale))
	}
	for i, l := range r.Scale {
		if strings.TrimSpace(l) == "" || len(l) > 60 {
			d.addf("rating.scale", "rating.scale label %d is empty or longer than 60 bytes; each level needs a short label", i+1)
		}
	}
	if len(r.Questions) > maxQuestions {
		d.addf("rating.questions", "rating.questions has %d questions; at most %d, one tap each", len(r.Questions), maxQuestions)
	}
	for i, q := range r.Questions {
		if strings.TrimSpace(q) == "" || len(q) > 200 {
			d.addf("rating.questions", "rating question %d is empty or longer than 200 bytes", i+1)
		}
	}
	if n := len(r.Levels()); r.NotSatisfied < 0 || r.NotSatisfied >= n {
		d.addf("rating.not_satisfied", "rating.not_satisfied must be 0 (default) or a score from 1 to %d (below the best level)", n-1)
	}
}
