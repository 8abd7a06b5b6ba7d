package config

import (
	"slices"
	"testing"
)

// TestKeyScore maps the four keys of a rating keypad onto scales of 2 to
// 7 levels; the four-level default keeps the keys' own scores.
func TestKeyScore(t *testing.T) {
	five := []string{"Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng", "Rất không hài lòng"}
	tests := []struct {
		name  string
		scale []string
		want  []int // very satisfied, satisfied, neutral, dissatisfied
	}{
		{"default", nil, []int{4, 3, 2, 1}},
		{"two", []string{"Hài lòng", "Không hài lòng"}, []int{2, 2, 0, 1}},
		{"three", []string{"Hài lòng", "Bình thường", "Không hài lòng"}, []int{3, 3, 2, 1}},
		{"four", DefaultScale, []int{4, 3, 2, 1}},
		{"five", five, []int{5, 4, 3, 1}},
		{"six", []string{"1", "2", "3", "4", "5", "6"}, []int{6, 5, 3, 1}},
		{"seven", []string{"1", "2", "3", "4", "5", "6", "7"}, []int{7, 6, 4, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Rating{Scale: tt.scale}
			var got []int
			for key := 4; key >= 1; key-- {
				got = append(got, r.KeyScore(key))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			// On five levels "Bình thường" is the neutral key's level.
			if tt.name == "five" && r.Levels()[len(five)-r.KeyScore(2)] != "Bình thường" {
				t.Errorf("neutral key on five levels: got %q", r.Levels()[len(five)-r.KeyScore(2)])
			}
			for _, key := range []int{0, 5, -1} {
				if s := r.KeyScore(key); s != 0 {
					t.Errorf("key %d: got %d, want 0", key, s)
				}
			}
		})
	}
}
