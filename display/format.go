package display

import (
	"strconv"
	"strings"
)

// Format lays c out on a display of width characters: the number
// right-aligned; the counter id left-aligned when id, a space and the
// number fit, else only the number. A number longer than width keeps its
// last width characters. The result has exactly width characters; Format of
// a blank Content is all spaces.
//
// Examples at width 8: {1, "A023"} → "1   A023"; at width 4: "A023".
func Format(c Content, width int) string {
	if width <= 0 {
		return ""
	}
	text := []rune(strings.ToUpper(c.Text))
	if len(text) > width {
		text = text[len(text)-width:]
	}
	var id []rune
	if c.Counter > 0 {
		id = []rune(strconv.Itoa(c.Counter))
		if len(id)+1+len(text) > width || len(text) == 0 {
			id = nil
		}
	}
	out := make([]rune, width)
	for i := range out {
		out[i] = ' '
	}
	copy(out, id)
	copy(out[width-len(text):], text)
	return string(out)
}
