package config

import (
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// keyLines walks the syntax tree of a TOML document and returns the line
// of every key path it defines. A path joins keys with "." and marks
// array elements with "[i]": "service[1].prefix", "counter[0].services[2]".
// Tables and array tables map to the line of their header. The document
// must already be known to be valid TOML; keyLines stops quietly at a
// syntax error.
func keyLines(data []byte) map[string]int {
	w := lineWalker{lines: map[string]int{}, counts: map[string]int{}}
	w.p.Reset(data)
	cur := ""
	for w.p.NextExpression() {
		e := w.p.Expression()
		switch e.Kind {
		case unstable.Table:
			keys, line := w.keys(e)
			cur = w.resolve(keys)
			w.lines[cur] = line
		case unstable.ArrayTable:
			keys, line := w.keys(e)
			if len(keys) == 0 {
				continue
			}
			base := joinKey(w.resolve(keys[:len(keys)-1]), keys[len(keys)-1])
			n := w.counts[base]
			w.counts[base] = n + 1
			cur = base + "[" + strconv.Itoa(n) + "]"
			w.lines[cur] = line
			w.setOnce(base, line)
		case unstable.KeyValue:
			w.keyValue(cur, e)
		}
	}
	return w.lines
}

type lineWalker struct {
	p      unstable.Parser
	lines  map[string]int
	counts map[string]int // array table path -> elements so far
}

// keys returns the parts of the key of a table header or key/value, and
// the line of its first part.
func (w *lineWalker) keys(n *unstable.Node) ([]string, int) {
	var keys []string
	line := 0
	it := n.Key()
	for it.Next() {
		k := it.Node()
		if line == 0 {
			line = w.line(k)
		}
		keys = append(keys, string(k.Data))
	}
	return keys, line
}

// resolve turns table keys into a path, entering the last element of
// every array table on the way ([keypad.pins] after [[keypad]]).
func (w *lineWalker) resolve(keys []string) string {
	path := ""
	for _, k := range keys {
		path = joinKey(path, k)
		if n := w.counts[path]; n > 0 {
			path += "[" + strconv.Itoa(n-1) + "]"
		}
	}
	return path
}

func (w *lineWalker) keyValue(prefix string, kv *unstable.Node) {
	keys, line := w.keys(kv)
	path := prefix
	for _, k := range keys {
		path = joinKey(path, k)
		w.setOnce(path, line)
	}
	w.lines[path] = line
	w.value(path, kv.Value())
}

func (w *lineWalker) value(path string, v *unstable.Node) {
	switch v.Kind {
	case unstable.InlineTable:
		it := v.Children()
		for it.Next() {
			if c := it.Node(); c.Kind == unstable.KeyValue {
				w.keyValue(path, c)
			}
		}
	case unstable.Array:
		i := 0
		it := v.Children()
		for it.Next() {
			c := it.Node()
			if c.Kind == unstable.Comment {
				continue
			}
			elem := path + "[" + strconv.Itoa(i) + "]"
			if line := w.line(c); line > 0 {
				w.lines[elem] = line
			}
			w.value(elem, c)
			i++
		}
	}
}

// line returns the line where n starts, or 0 when the parser keeps no
// position for it (arrays: then the line of their first element).
func (w *lineWalker) line(n *unstable.Node) int {
	switch n.Kind {
	case unstable.Array:
		it := n.Children()
		for it.Next() {
			if c := it.Node(); c.Kind != unstable.Comment {
				return w.line(c)
			}
		}
		return 0
	case unstable.KeyValue, unstable.Table, unstable.ArrayTable:
		return 0
	}
	return w.p.Shape(n.Raw).Start.Line
}

func (w *lineWalker) setOnce(path string, line int) {
	if _, ok := w.lines[path]; !ok {
		w.lines[path] = line
	}
}

func joinKey(prefix, k string) string {
	if prefix == "" {
		return k
	}
	return prefix + "." + k
}

// lineOf returns the line of key path, or of the nearest enclosing table
// that the file writes. A path inside an array element that the file
// does not have (a token added with [Config.AddToken]) has line 0; any
// other path falls back to line 1, the file as a whole.
func lineOf(lines map[string]int, path string) int {
	if lines == nil {
		return 0
	}
	for path != "" {
		if l, ok := lines[path]; ok && l > 0 {
			return l
		}
		if strings.HasSuffix(path, "]") {
			return 0
		}
		i := strings.LastIndexByte(path, '.')
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 1
}
