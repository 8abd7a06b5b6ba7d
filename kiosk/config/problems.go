package config

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing wrong in a configuration file.
type Problem struct {
	File string // as given to [Parse]
	Line int    // 1-based line of the offending key; 0 when it has none
	Msg  string // what is wrong and what to do
}

// String formats p as "FILE:LINE: message", or "FILE: message" when p
// has no line; FILE is "config" when p has no file.
func (p Problem) String() string {
	file := p.File
	if file == "" {
		file = "config"
	}
	if p.Line <= 0 {
		return fmt.Sprintf("%s: %s", file, p.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", file, p.Line, p.Msg)
}

// Problems is every problem found in a configuration, sorted by line.
// [Parse], [Load] and [Config.Validate] return it as an error of type
// *Problems; find it with errors.As.
type Problems []Problem

// Error returns one line per problem.
func (ps *Problems) Error() string {
	lines := make([]string, len(*ps))
	for i, p := range *ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// sort orders the problems by line, then message, so that the output
// does not depend on map order.
func (ps Problems) sort() {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Line != ps[j].Line {
			return ps[i].Line < ps[j].Line
		}
		return ps[i].Msg < ps[j].Msg
	})
}
