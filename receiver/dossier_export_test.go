package receiver

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// rated is a ticket.rated event of a unit at seq, as a unit sends it.
func rated(seq int64, at, id, number, officer string, counter, score int, dossiers []string, answers, extra string) string {
	ds, _ := json.Marshal(dossiers)
	return fmt.Sprintf(`{"type":"event","seq":%d,"at":%q,"event":"ticket.rated","day":%q,`+
		`"ticket":{"id":%q,"number":%q,"service":"dat-dai","priority":false,"status":"done","counter":%d,"calls":1,"officer":%q,"dossiers":%s},`+
		`"counter":{"id":%d,"name":"Quầy %d","state":"open","officer":%q},"score":%d,"answers":%s%s}`,
		seq, at, at[:10], id, number, counter, officer, ds, counter, counter, officer, score, answers, extra)
}

// TestExportRatings stores the ratings of two units and exports them per
// dossier; the rows and totals are those worked out by hand below.
func TestExportRatings(t *testing.T) {
	e := newEnv(t)
	a, _ := e.connect(tokenA, unitA, 0, 0)
	a.send(
		rated(1, "2026-11-26T09:00:00+07:00", "20261126-A001", "A001", "Phạm Thị D", 2, 4,
			[]string{"000.00.12.H56-261126-0001", "000.00.12.H56-261126-0002"},
			`[{"question":"Thái độ","score":4},{"question":"Thời gian","score":4}]`, ``),
		rated(2, "2026-11-26T10:00:00+07:00", "20261126-A002", "A002", "Phạm Thị D", 2, 1,
			[]string{"000.00.12.H56-261126-0003"},
			`[{"question":"Thái độ","score":3},{"question":"Thời gian","score":1}]`, `,"follow_up":true,"reason":"=HYPERLINK(\"http://x\")"`),
		rated(3, "2026-11-26T11:00:00+07:00", "20261126-A003", "A003", "Võ Văn E", 1, 2, nil, `[]`, ``),
		event(4, `,"ticket":{"id":"20261126-A004","status":"called"},"dossier":"000.00.12.H56-261126-0009"`),
		rated(5, "2026-11-27T08:00:00+07:00", "20261127-A001", "A001", "Võ Văn E", 1, 3,
			[]string{"000.00.12.H56-261127-0004"}, `[]`, ``),
	)
	a.waitAck(5)
	b, _ := e.connect(tokenB, unitB, 0, 0)
	b.send(rated(1, "2026-11-26T09:30:00+07:00", "20261126-B001", "B001", "-Lê Thị G", 3, 2,
		[]string{"000.00.12.H57-261126-0005"}, `[]`, ``))
	b.waitAck(1)

	// By hand, 2026-11-26: A001 gives two rows of 4, A002 one of 1 (to
	// follow up), A003 none (no dossier), the link at seq 4 none, B001
	// one of 2: 4 rows of 3 ratings, 4 dossiers, mean (4+4+1+2)/4 = 2.75.
	// With 2026-11-27: one row of 3 more, mean 14/5 = 2.8. Unit B alone:
	// 1 row, mean 2.
	type export struct {
		From, To string
		Ratings  []RatingRow
		Totals   RatingTotals
	}
	get := func(query string) export {
		t.Helper()
		resp, body := e.do("GET", "/api/v1/export/ratings?format=json&"+query, "", asOperator...)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", query, resp.StatusCode, body)
		}
		var x export
		if err := json.Unmarshal([]byte(body), &x); err != nil {
			t.Fatalf("%s: %v in %s", query, err, body)
		}
		return x
	}
	tests := []struct {
		query   string
		dossier []string
		totals  RatingTotals
	}{
		{"from=2026-11-26", []string{"000.00.12.H56-261126-0001", "000.00.12.H56-261126-0002", "000.00.12.H56-261126-0003", "000.00.12.H57-261126-0005"},
			RatingTotals{Ratings: 3, Rows: 4, Dossiers: 4, FollowUp: 1, Mean: 2.75}},
		{"from=2026-11-26&to=2026-11-27", []string{"000.00.12.H56-261126-0001", "000.00.12.H56-261126-0002", "000.00.12.H56-261126-0003", "000.00.12.H56-261127-0004", "000.00.12.H57-261126-0005"},
			RatingTotals{Ratings: 4, Rows: 5, Dossiers: 5, FollowUp: 1, Mean: 2.8}},
		{"from=2026-11-26&to=2026-11-27&unit=" + unitB, []string{"000.00.12.H57-261126-0005"},
			RatingTotals{Ratings: 1, Rows: 1, Dossiers: 1, Mean: 2}},
		{"from=2026-11-28", nil, RatingTotals{}},
	}
	for _, tt := range tests {
		x := get(tt.query)
		var got []string
		for _, r := range x.Ratings {
			got = append(got, r.Dossier)
		}
		if !slices.Equal(got, tt.dossier) || x.Totals != tt.totals {
			t.Errorf("%s: got dossiers %v totals %+v, want %v %+v", tt.query, got, x.Totals, tt.dossier, tt.totals)
		}
	}
	x := get("from=2026-11-26")
	want := RatingRow{Dossier: "000.00.12.H56-261126-0003", Unit: unitA, Ticket: "20261126-A002", Number: "A002", Service: "dat-dai",
		Counter: 2, Officer: "Phạm Thị D", Score: 1, Answers: []RatingAnswer{{"Thái độ", 3}, {"Thời gian", 1}},
		RatedAt: "2026-11-26T10:00:00+07:00", FollowUp: true, Reason: `=HYPERLINK("http://x")`}
	if got := x.Ratings[2]; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("row 3: got %+v, want %+v", got, want)
	}

	// The CSV: the same rows, formulas neutralised.
	resp, body := e.do("GET", "/api/v1/export/ratings?from=2026-11-26&format=csv", "", asOperator...)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	wantCSV := [][]string{
		ratingColumns,
		{"000.00.12.H56-261126-0001", unitA, "20261126-A001", "A001", "dat-dai", "2", "Phạm Thị D", "4", "Thái độ: 4 | Thời gian: 4", "2026-11-26T09:00:00+07:00", "false", ""},
		{"000.00.12.H56-261126-0002", unitA, "20261126-A001", "A001", "dat-dai", "2", "Phạm Thị D", "4", "Thái độ: 4 | Thời gian: 4", "2026-11-26T09:00:00+07:00", "false", ""},
		{"000.00.12.H56-261126-0003", unitA, "20261126-A002", "A002", "dat-dai", "2", "Phạm Thị D", "1", "Thái độ: 3 | Thời gian: 1", "2026-11-26T10:00:00+07:00", "true", `'=HYPERLINK("http://x")`},
		{"000.00.12.H57-261126-0005", unitB, "20261126-B001", "B001", "dat-dai", "3", "'-Lê Thị G", "2", "", "2026-11-26T09:30:00+07:00", "false", ""},
	}
	if fmt.Sprint(recs) != fmt.Sprint(wantCSV) {
		t.Errorf("csv:\ngot  %q\nwant %q", recs, wantCSV)
	}

	for _, q := range []string{"", "from=26/11/2026", "from=2026-11-27&to=2026-11-26", "from=2025-01-01&to=2026-01-02", "from=2026-11-26&format=xlsx", "from=2026-11-26&unit=Bad%20Unit"} {
		if resp, body := e.do("GET", "/api/v1/export/ratings?"+q, "", asOperator...); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%q: got %d %s, want 400", q, resp.StatusCode, body)
		}
	}
	if resp, _ := e.do("GET", "/api/v1/export/ratings?from=2026-11-26", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("without a token: got %d, want 401", resp.StatusCode)
	}
}
