package metrics

import (
	"bufio"
	"compress/gzip"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Type is a metric family's type in the exposition format.
type Type string

// The types motcua exposes.
const (
	Counter   Type = "counter"
	Gauge     Type = "gauge"
	Histogram Type = "histogram"
	Summary   Type = "summary"
)

// Desc describes a metric family: its name, help text, type and the
// names of the labels each of its samples carries, in order.
type Desc struct {
	Name   string
	Help   string
	Type   Type
	Labels []string
}

// A Collector adds its current samples to a scrape. Collect may be
// called by several scrapes at once.
type Collector interface {
	Collect(s *Scrape)
}

// Scrape gathers the samples of one request to /metrics. It is not safe
// for concurrent use.
type Scrape struct {
	fams map[string]*family
}

type family struct {
	d       *Desc
	samples []sample
}

// sample is one labelled member of a family: for a counter or gauge one
// value, for a histogram its cumulative bucket counts, sum and count,
// for a summary its quantiles, sum and count.
type sample struct {
	labels []string // values of d.Labels
	value  float64
	bounds []float64 // histogram upper bounds, or summary quantiles
	counts []uint64  // histogram: cumulative count per bound
	quants []float64 // summary: value per quantile
	sum    float64
	count  uint64
}

func (s *Scrape) add(d *Desc, smp sample) {
	if s.fams == nil {
		s.fams = map[string]*family{}
	}
	f := s.fams[d.Name]
	if f == nil {
		f = &family{d: d}
		s.fams[d.Name] = f
	}
	f.samples = append(f.samples, smp)
}

// Add adds a counter's or a gauge's sample with the values of d.Labels.
func (s *Scrape) Add(d *Desc, v float64, labels ...string) {
	s.add(d, sample{labels: labels, value: v})
}

// addHistogram adds a histogram's sample: counts[i] observations at or
// under bounds[i] (cumulative), count in all (the +Inf bucket).
func (s *Scrape) addHistogram(d *Desc, bounds []float64, counts []uint64, sum float64, count uint64, labels ...string) {
	s.add(d, sample{labels: labels, bounds: bounds, counts: counts, sum: sum, count: count})
}

// addSummary adds a summary's sample: values[i] at quantile quants[i].
func (s *Scrape) addSummary(d *Desc, quants, values []float64, sum float64, count uint64, labels ...string) {
	s.add(d, sample{labels: labels, bounds: quants, quants: values, sum: sum, count: count})
}

// WriteTo writes the scrape in the Prometheus text exposition format
// (version 0.0.4): the families by name, each family's samples by their
// label values, values as Go's shortest float ('g').
func (s *Scrape) WriteTo(w io.Writer) (int64, error) {
	bw := bufio.NewWriter(w)
	cw := &countWriter{w: bw}
	names := make([]string, 0, len(s.fams))
	for n := range s.fams {
		names = append(names, n)
	}
	slices.Sort(names)
	var b []byte
	for _, n := range names {
		f := s.fams[n]
		slices.SortStableFunc(f.samples, func(a, b sample) int { return slices.Compare(a.labels, b.labels) })
		b = append(b[:0], "# HELP "...)
		b = append(b, n...)
		b = append(b, ' ')
		b = appendEscaped(b, f.d.Help, false)
		b = append(b, "\n# TYPE "...)
		b = append(b, n...)
		b = append(b, ' ')
		b = append(b, f.d.Type...)
		b = append(b, '\n')
		for _, smp := range f.samples {
			b = appendSample(b, f.d, smp)
		}
		if _, err := cw.Write(b); err != nil {
			return cw.n, err
		}
	}
	return cw.n, bw.Flush()
}

func appendSample(b []byte, d *Desc, s sample) []byte {
	switch d.Type {
	case Histogram:
		for i, bound := range s.bounds {
			b = appendLine(b, d.Name+"_bucket", d.Labels, s.labels, "le", formatFloat(bound), formatUint(s.counts[i]))
		}
		b = appendLine(b, d.Name+"_bucket", d.Labels, s.labels, "le", "+Inf", formatUint(s.count))
	case Summary:
		for i, q := range s.bounds {
			b = appendLine(b, d.Name, d.Labels, s.labels, "quantile", formatFloat(q), formatFloat(s.quants[i]))
		}
	default:
		return appendLine(b, d.Name, d.Labels, s.labels, "", "", formatFloat(s.value))
	}
	b = appendLine(b, d.Name+"_sum", d.Labels, s.labels, "", "", formatFloat(s.sum))
	return appendLine(b, d.Name+"_count", d.Labels, s.labels, "", "", formatUint(s.count))
}

// appendLine appends `name{label="value",...,extra="extraValue"} value`.
func appendLine(b []byte, name string, labels, values []string, extra, extraValue, value string) []byte {
	b = append(b, name...)
	if len(labels) > 0 || extra != "" {
		b = append(b, '{')
		for i, l := range labels {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, l...)
			b = append(b, `="`...)
			b = appendEscaped(b, values[i], true)
			b = append(b, '"')
		}
		if extra != "" {
			if len(labels) > 0 {
				b = append(b, ',')
			}
			b = append(b, extra...)
			b = append(b, `="`...)
			b = append(b, extraValue...)
			b = append(b, '"')
		}
		b = append(b, '}')
	}
	b = append(b, ' ')
	b = append(b, value...)
	return append(b, '\n')
}

// appendEscaped escapes a backslash and a newline (in HELP) and also a
// double quote (in a label value), as the format asks.
func appendEscaped(b []byte, s string, quote bool) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			b = append(b, `\\`...)
		case c == '\n':
			b = append(b, `\n`...)
		case c == '"' && quote:
			b = append(b, `\"`...)
		default:
			b = append(b, c)
		}
	}
	return b
}

// formatFloat writes a value as the format's reference implementation
// does: Go's shortest representation, +Inf, -Inf, NaN.
func formatFloat(f float64) string {
	switch {
	case f == 0:
		return "0" // -0 too
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	case math.IsNaN(f):
		return "NaN"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func formatUint(n uint64) string { return strconv.FormatUint(n, 10) }

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// contentType is what a Prometheus client library sends with the text
// format.
const contentType = "text/plain; version=0.0.4; charset=utf-8; escaping=underscores"

// serve answers a scrape: the text format, gzipped when the client
// accepts gzip.
func serve(w http.ResponseWriter, r *http.Request, s *Scrape) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Add("Vary", "Accept")
	h.Add("Vary", "Accept-Encoding")
	if !acceptsGzip(r.Header.Get("Accept-Encoding")) {
		s.WriteTo(w) //nolint:errcheck // the client went away: nothing to tell it
		return
	}
	h.Set("Content-Encoding", "gzip")
	gz := gzip.NewWriter(w)
	s.WriteTo(gz) //nolint:errcheck // as above
	gz.Close()
}

// acceptsGzip tells whether an Accept-Encoding header takes gzip (and
// not with q=0).
func acceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		q, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q=")
		if !ok {
			return true
		}
		v, err := strconv.ParseFloat(q, 64)
		return err == nil && v > 0
	}
	return false
}
