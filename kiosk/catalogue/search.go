package catalogue

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Index is one version of the catalogue, ready to search. It is never
// changed once built, so it is safe for concurrent use.
type Index struct {
	version  string
	imported time.Time
	entries  []entry // in field, then name order
	byCode   map[string]int
	fields   []FieldCount
}

// FieldCount is a field (lĩnh vực) and how many procedures it has.
type FieldCount struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

type entry struct {
	p      *Procedure
	name   []string // the folded words of the name
	other  []string // the folded words of the code and the field
	folded string   // the folded name, for phrase matches
}

// NewIndex builds the index of f, imported at the given time.
func NewIndex(f *File, imported time.Time) *Index {
	x := &Index{version: f.Version, imported: imported, byCode: map[string]int{}}
	ps := slices.Clone(f.Procedures)
	slices.SortStableFunc(ps, func(a, b Procedure) int {
		return cmp.Or(strings.Compare(Fold(a.Field), Fold(b.Field)), strings.Compare(Fold(a.Name), Fold(b.Name)))
	})
	x.entries = make([]entry, len(ps))
	for i := range ps {
		p := &ps[i]
		fn := Fold(p.Name)
		x.entries[i] = entry{p: p, name: words(fn), other: append(words(Fold(p.Code)), words(Fold(p.Field))...), folded: " " + strings.Join(words(fn), " ") + " "}
		x.byCode[p.Code] = i
		if n := len(x.fields); n > 0 && x.fields[n-1].Name == p.Field {
			x.fields[n-1].Count++
		} else {
			x.fields = append(x.fields, FieldCount{Name: p.Field, Count: 1})
		}
	}
	return x
}

// Version is the catalogue's version, "" for an empty index.
func (x *Index) Version() string { return x.version }

// Imported is when the catalogue was imported.
func (x *Index) Imported() time.Time { return x.imported }

// Len is the number of procedures.
func (x *Index) Len() int { return len(x.entries) }

// Fields are the fields with their procedure counts, in order.
func (x *Index) Fields() []FieldCount { return slices.Clone(x.fields) }

// Procedure returns the procedure of a code.
func (x *Index) Procedure(code string) (Procedure, bool) {
	i, ok := x.byCode[code]
	if !ok {
		return Procedure{}, false
	}
	return *x.entries[i].p, true
}

// All returns the procedures of a field (every one for ""), in name order.
func (x *Index) All(field string) []Procedure {
	out := []Procedure{}
	for _, e := range x.entries {
		if field == "" || e.p.Field == field {
			out = append(out, *e.p)
		}
	}
	return out
}

// Search returns the procedures that match every word of q, best first,
// at most limit of them (limit ≤ 0: all). A query word matches a word of a
// procedure's name, code or field that starts with it, with case,
// diacritics and Telex keystrokes ignored: "dang ky khai sinh",
// "ĐĂNG KÝ" and "ddawng kys" all find "Đăng ký khai sinh". Procedures
// whose name has every word come before those that need the field or the
// code; then those whose name has the query as a phrase; then shorter
// names. A query of no words matches nothing.
func (x *Index) Search(q string, limit int) []Procedure {
	qs := query(q)
	if len(qs) == 0 {
		return []Procedure{}
	}
	plain, telex := make([]string, len(qs)), make([]string, len(qs))
	for i, w := range qs {
		plain[i], telex[i] = w.plain, w.telex
	}
	ph, pt := " "+strings.Join(plain, " "), " "+strings.Join(telex, " ")
	type hit struct {
		i     int
		score int
	}
	var hits []hit
	for i := range x.entries {
		e := &x.entries[i]
		score, ok := 0, true
		for _, w := range qs {
			switch {
			case w.in(e.name):
				score += 2
			case w.in(e.other):
				score++
			default:
				ok = false
			}
			if !ok {
				break
			}
		}
		if !ok {
			continue
		}
		for _, p := range [...]string{ph, pt} {
			if strings.Contains(e.folded, p) {
				score += 2 * len(qs)
				if strings.HasPrefix(e.folded, p) {
					score++
				}
				break
			}
		}
		hits = append(hits, hit{i, score})
	}
	slices.SortStableFunc(hits, func(a, b hit) int {
		return cmp.Or(b.score-a.score, len(x.entries[a.i].name)-len(x.entries[b.i].name))
	})
	if limit > 0 && len(hits) > limit {
		hits = hits[:limit]
	}
	out := make([]Procedure, len(hits))
	for i, h := range hits {
		out[i] = *x.entries[h.i].p
	}
	return out
}

// qword is one query word, folded plainly and as Telex.
type qword struct{ plain, telex string }

func query(q string) []qword {
	if len(q) > 500 {
		q = q[:500]
	}
	ws := words(Fold(q))
	out := make([]qword, 0, len(ws))
	for _, w := range ws {
		out = append(out, qword{plain: w, telex: FoldTelex(w)})
	}
	return out
}

func (w qword) in(ws []string) bool {
	for _, s := range ws {
		if strings.HasPrefix(s, w.plain) || strings.HasPrefix(s, w.telex) {
			return true
		}
	}
	return false
}
