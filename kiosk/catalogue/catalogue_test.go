package catalogue

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

var demoServices = []string{"dat-dai", "tu-phap-ho-tich", "kinh-doanh", "xay-dung", "chung-thuc"}

func TestDemoParses(t *testing.T) {
	f, err := Parse(DemoJSON, demoServices)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(f.Procedures); n < 25 || n > 40 {
		t.Errorf("got %d demo procedures, want about 30", n)
	}
	vneid := 0
	for _, p := range f.Procedures {
		if p.Fee == "" || p.TimeLimit == "" || len(p.Papers) == 0 {
			t.Errorf("%s %s: fee, time limit or papers missing", p.Code, p.Name)
		}
		for _, pp := range p.Papers {
			if pp.VNeID {
				vneid++
			}
		}
	}
	if vneid == 0 {
		t.Error("no demo paper is marked as available on VNeID")
	}
}

func TestParseProblems(t *testing.T) {
	ok := `{"code":"1.001193","name":"Đăng ký khai sinh","field":"Hộ tịch","service":"ho-tich","papers":[{"name":"Tờ khai","copies":1,"vneid":false}],"fee":"Miễn","time_limit":"Trong ngày"}`
	svcs := []string{"ho-tich", "dat-dai"}
	tests := []struct {
		name  string
		file  string
		index int
		field string
		msg   string // a part of the message
	}{
		{"unknown service", `{"version":"1","procedures":[` + ok + `,` + strings.Replace(ok, `"ho-tich"`, `"tu-phap"`, 1) + `]}`, 1, "service", `service "tu-phap" is not configured`},
		{"no name", `{"version":"1","procedures":[` + strings.Replace(ok, `"Đăng ký khai sinh"`, `""`, 1) + `]}`, 0, "name", `"name" is required`},
		{"duplicate code", `{"version":"1","procedures":[` + ok + `,` + ok + `,` + ok + `]}`, 1, "code", "also used by procedures[0]"},
		{"paper without name", `{"version":"1","procedures":[` + strings.Replace(ok, `"Tờ khai"`, `" "`, 1) + `]}`, 0, "papers[0].name", "required"},
		{"negative copies", `{"version":"1","procedures":[` + ok + `,` + strings.NewReplacer(`"copies":1`, `"copies":-2`, "1.001193", "1.000894").Replace(ok) + `]}`, 1, "papers[0].copies", "0 to 100"},
		{"wrong type", `{"version":"1","procedures":[` + strings.Replace(ok, `"copies":1`, `"copies":"một"`, 1) + `]}`, 0, "papers.copies", "a whole number"},
		{"unknown field", `{"version":"1","procedures":[` + ok + `,` + strings.Replace(ok, `"fee"`, `"phi"`, 1) + `]}`, 1, "phi", `unknown field "phi"`},
		{"bad url", `{"version":"1","procedures":[` + strings.Replace(ok, `"fee"`, `"online_url":"ftp://x","fee"`, 1) + `]}`, 0, "online_url", "http://"},
		{"no version", `{"procedures":[` + ok + `]}`, -1, "version", "required"},
		{"no procedures", `{"version":"1"}`, -1, "procedures", "required"},
		{"syntax", "{\"version\":\"1\",\n\"procedures\":[\n{\"code\":,}]}", -1, "file", "line 3, column 9"},
		{"not utf-8", "{\"version\":\"\xff\"}", -1, "file", "UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse([]byte(tt.file), svcs)
			if f != nil || !errors.Is(err, ErrInvalid) {
				t.Fatalf("got %v, %v; want the problems", f, err)
			}
			var ps Problems
			errors.As(err, &ps)
			p := ps[0]
			if p.Index != tt.index || p.Field != tt.field || !strings.Contains(p.Message, tt.msg) {
				t.Errorf("got %+v, want index %d field %q message with %q", p, tt.index, tt.field, tt.msg)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not say %q", err, tt.msg)
			}
		})
	}
}

func TestParseNormalises(t *testing.T) {
	f, err := Parse([]byte(`{"version":" v7 ","procedures":[{"code":"1.1","name":" Khai sinh ","field":"Hộ tịch","service":"s","papers":[{"name":"Tờ khai"}]}]}`), []string{"s"})
	if err != nil {
		t.Fatal(err)
	}
	p := f.Procedures[0]
	if f.Version != "v7" || p.Name != "Khai sinh" || p.Papers[0].Copies != 1 {
		t.Errorf("got version %q, name %q, copies %d; want v7, Khai sinh, 1", f.Version, p.Name, p.Papers[0].Copies)
	}
	if _, err := json.Marshal(f); err != nil {
		t.Fatal(err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(DemoJSON)
	f.Add([]byte(`{"version":"1","procedures":[{"code":"x"}]}`))
	f.Add([]byte(`{"version":"1","procedures":[null,{},[]]}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cat, err := Parse(data, demoServices)
		if (cat == nil) == (err == nil) {
			t.Fatalf("got %v and %v", cat, err)
		}
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v is not ErrInvalid", err)
			}
			return
		}
		// A valid file searches without panics.
		x := NewIndex(cat, Imported0)
		for _, p := range cat.Procedures {
			if _, ok := x.Procedure(p.Code); !ok {
				t.Fatalf("code %q not found", p.Code)
			}
			x.Search(p.Name, 5)
		}
	})
}
