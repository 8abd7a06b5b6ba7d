package catalogue

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// bigIndex is the demo catalogue grown to n procedures: each demo
// procedure again under new codes, with a district word added to the name
// so that names differ.
func bigIndex(b testing.TB, n int) *Index {
	demo, err := Parse(DemoJSON, demoServices)
	if err != nil {
		b.Fatal(err)
	}
	places := []string{"Quỳnh Hải", "Kiến Xương", "Thái Thụy", "Đông Hưng", "Vũ Thư", "Hưng Hà", "Tiền Hải"}
	f := &File{Version: "bench"}
	for i := 0; len(f.Procedures) < n; i++ {
		p := demo.Procedures[i%len(demo.Procedures)]
		p.Code = fmt.Sprintf("9.%06d", i)
		p.Name = fmt.Sprintf("%s (mẫu %d, %s)", p.Name, i, places[i%len(places)])
		f.Procedures = append(f.Procedures, p)
	}
	return NewIndex(f, Imported0)
}

var benchQueries = []string{
	"dang ky khai sinh", "Đăng ký kết hôn", "ddawng kys", "chung thuc ban sao",
	"giay phep xay dung nha o", "ho kinh doanh", "xasc nhaanj tinhf trangj", "khai t",
	"đất đai", "9.001193", "quyen su dung dat", "di chuc", "k", "xyzzy",
}

// BenchmarkSearch2000 searches 2,000 procedures with a mix of queries
// (plain, accented, Telex, prefixes, codes, misses) and reports the 99th
// percentile of one search.
func BenchmarkSearch2000(b *testing.B) {
	x := bigIndex(b, 2000)
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		x.Search(benchQueries[i%len(benchQueries)], 50)
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(times)
	p99 := times[len(times)*99/100]
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
}

func TestBigIndexSearches(t *testing.T) {
	x := bigIndex(t, 2000)
	if x.Len() != 2000 {
		t.Fatalf("got %d procedures", x.Len())
	}
	if got := x.Search("ddawng kys khai sinh", 0); len(got) < 2000/31 {
		t.Errorf("got %d birth registrations among 2,000, want at least %d", len(got), 2000/31)
	}
}
