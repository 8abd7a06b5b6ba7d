package receiver

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"motcua/uplinkproto"
)

// maxExportDays is the longest period one export covers.
const maxExportDays = 366

// RatingRow is one rating of one dossier, as the province gets it from
// GET /api/v1/export/ratings: a rating of a visit with two dossiers
// linked is two rows. Ratings of visits without a dossier are left out.
type RatingRow struct {
	Dossier string `json:"dossier"`
	Unit    string `json:"unit"`
	Ticket  string `json:"ticket"` // the ticket's id, unique in its unit
	Number  string `json:"number"`
	Service string `json:"service"`
	Counter int    `json:"counter"`
	Officer string `json:"officer"`
	// Score is the rating: 1 (the worst level) to the unit's number of
	// levels (4 by default); with a question set, the lowest answer.
	Score   int            `json:"score"`
	Answers []RatingAnswer `json:"answers"`
	RatedAt string         `json:"rated_at"` // RFC 3339, the unit's offset
	// FollowUp marks a "not satisfied" rating to follow up (phản ánh,
	// kiến nghị); Reason is what the citizen gave.
	FollowUp bool   `json:"follow_up"`
	Reason   string `json:"reason"`
}

// RatingAnswer is a question set's answer: the question as the unit's
// configuration asked it, and its score.
type RatingAnswer struct {
	Question string `json:"question"`
	Score    int    `json:"score"`
}

// RatingTotals sums an export: how many ratings (visits) and rows, how
// many distinct dossiers, how many rows to follow up, and the mean score
// of the rows (0 when none), rounded to 2 decimals.
type RatingTotals struct {
	Ratings  int     `json:"ratings"`
	Rows     int     `json:"rows"`
	Dossiers int     `json:"dossiers"`
	FollowUp int     `json:"follow_up"`
	Mean     float64 `json:"mean_score"`
}

// ratedEvent is what the export reads of a stored ticket.rated event.
type ratedEvent struct {
	At     string `json:"at"`
	Ticket *struct {
		ID       string   `json:"id"`
		Number   string   `json:"number"`
		Service  string   `json:"service"`
		Counter  *int     `json:"counter"`
		Officer  string   `json:"officer"`
		Dossiers []string `json:"dossiers"`
	} `json:"ticket"`
	Counter *struct {
		ID      int    `json:"id"`
		Officer string `json:"officer"`
	} `json:"counter"`
	Score    int            `json:"score"`
	Answers  []RatingAnswer `json:"answers"`
	FollowUp bool           `json:"follow_up"`
	Reason   string         `json:"reason"`
}

// ExportRatings calls fn with each rating row of the ticket.rated events
// stored with a time from day from to day to (YYYY-MM-DD, the units' own
// dates), of unit only unless it is "", by unit and seq. An event that
// does not parse is skipped.
func (s *Server) ExportRatings(ctx context.Context, from, to, unit string, fn func(RatingRow) error) error {
	q := `SELECT unit, data FROM events WHERE name = ? AND substr(at, 1, 10) >= ? AND substr(at, 1, 10) <= ?`
	args := []any{"ticket.rated", from, to}
	if unit != "" {
		q += ` AND unit = ?`
		args = append(args, unit)
	}
	q += ` ORDER BY unit, seq`
	rows, err := s.st.db.QueryContext(ctx, s.st.q(q), args...)
	if err != nil {
		return fmt.Errorf("receiver: %s: %w", s.st.name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var u string
		var data []byte
		if err := rows.Scan(&u, &data); err != nil {
			return fmt.Errorf("receiver: %s: %w", s.st.name, err)
		}
		var ev ratedEvent
		if json.Unmarshal(data, &ev) != nil || ev.Ticket == nil {
			continue
		}
		t := ev.Ticket
		r := RatingRow{Unit: u, Ticket: t.ID, Number: t.Number, Service: t.Service, Officer: t.Officer,
			Score: ev.Score, Answers: ev.Answers, RatedAt: ev.At, FollowUp: ev.FollowUp, Reason: ev.Reason}
		if r.Answers == nil {
			r.Answers = []RatingAnswer{}
		}
		switch {
		case ev.Counter != nil:
			r.Counter = ev.Counter.ID
		case t.Counter != nil:
			r.Counter = *t.Counter
		}
		for _, d := range t.Dossiers {
			r.Dossier = d
			if err := fn(r); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("receiver: %s: %w", s.st.name, err)
	}
	return nil
}

// totaller sums rows into [RatingTotals].
type totaller struct {
	t        RatingTotals
	sum      int
	dossiers map[string]bool
	last     string // unit and ticket of the last row: a rating's rows follow each other
}

func (a *totaller) add(r RatingRow) {
	if a.dossiers == nil {
		a.dossiers = map[string]bool{}
	}
	if k := r.Unit + "\x00" + r.Ticket + "\x00" + r.RatedAt; k != a.last {
		a.t.Ratings++
		a.last = k
	}
	a.t.Rows++
	a.sum += r.Score
	a.dossiers[r.Dossier] = true
	if r.FollowUp {
		a.t.FollowUp++
	}
}

func (a *totaller) totals() RatingTotals {
	t := a.t
	t.Dossiers = len(a.dossiers)
	if t.Rows > 0 {
		t.Mean = math.Round(float64(a.sum)/float64(t.Rows)*100) / 100
	}
	return t
}

// ratingColumns are the CSV export's columns.
var ratingColumns = []string{"dossier", "unit", "ticket", "number", "service", "counter", "officer", "score", "answers", "rated_at", "follow_up", "reason"}

// formulaStart holds the first characters that make a spreadsheet read a
// CSV cell as a formula (OWASP "CSV Injection"), as in kiosk/report.
const formulaStart = "=+-@\t\r"

// csvText makes a text cell safe to open in a spreadsheet: one that
// begins with a formula character gets a leading apostrophe.
func csvText(s string) string {
	if s != "" && strings.IndexByte(formulaStart, s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// apiExportRatings answers GET /api/v1/export/ratings?from=&to=&format=
// csv|json&unit=: the ratings per dossier over a period, for operators.
func (s *Server) apiExportRatings(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, to, format, unit := q.Get("from"), q.Get("to"), q.Get("format"), q.Get("unit")
	if to == "" {
		to = from
	}
	if format == "" {
		format = "csv"
	}
	f, errF := time.Parse(time.DateOnly, from)
	t, errT := time.Parse(time.DateOnly, to)
	switch {
	case errF != nil || errT != nil:
		apiError(w, http.StatusBadRequest, "bad_request", "from and to are days YYYY-MM-DD (to defaults to from)")
		return
	case t.Before(f):
		apiError(w, http.StatusBadRequest, "bad_request", "to is before from")
		return
	case t.Sub(f) >= maxExportDays*24*time.Hour:
		apiError(w, http.StatusBadRequest, "bad_request", fmt.Sprintf("at most %d days at once; export the period in parts", maxExportDays))
		return
	case format != "csv" && format != "json":
		apiError(w, http.StatusBadRequest, "bad_request", "format is csv or json")
		return
	case unit != "" && !uplinkproto.ValidUnit(unit):
		apiError(w, http.StatusBadRequest, "bad_request", "unit is a unit id, [a-z0-9-]+")
		return
	}
	name := "danh-gia-ho-so_" + from + "_" + to + "." + format
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	if format == "csv" {
		s.exportCSV(w, r, from, to, unit)
		return
	}
	s.exportJSON(w, r, from, to, unit)
}

// exportCSV streams the rows as CSV: UTF-8 with a byte order mark (for
// spreadsheets), the header line, the answers as "question: score"
// joined by " | ". A failure after the first row cuts the file short
// (the header is sent by then): the last line is then "# error: ...".
func (s *Server) exportCSV(w http.ResponseWriter, r *http.Request, from, to, unit string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	io.WriteString(w, "\ufeff")
	cw := csv.NewWriter(w)
	cw.Write(ratingColumns)
	err := s.ExportRatings(r.Context(), from, to, unit, func(row RatingRow) error {
		ans := make([]string, len(row.Answers))
		for i, a := range row.Answers {
			ans[i] = a.Question + ": " + strconv.Itoa(a.Score)
		}
		cw.Write([]string{csvText(row.Dossier), csvText(row.Unit), csvText(row.Ticket), csvText(row.Number),
			csvText(row.Service), strconv.Itoa(row.Counter), csvText(row.Officer), strconv.Itoa(row.Score),
			csvText(strings.Join(ans, " | ")), csvText(row.RatedAt), strconv.FormatBool(row.FollowUp), csvText(row.Reason)})
		return cw.Error()
	})
	cw.Flush()
	if err != nil {
		s.lg.Error("receiver: rating export", "err", err)
		io.WriteString(w, "# error: the export was cut short; try again\n")
	}
}

// exportJSON streams {"from","to","ratings":[rows],"totals":{...}}.
func (s *Server) exportJSON(w http.ResponseWriter, r *http.Request, from, to, unit string) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"from":%q,"to":%q,"ratings":[`, from, to)
	var sum totaller
	enc := json.NewEncoder(w)
	err := s.ExportRatings(r.Context(), from, to, unit, func(row RatingRow) error {
		if sum.t.Rows > 0 {
			io.WriteString(w, ",")
		}
		sum.add(row)
		return enc.Encode(row)
	})
	if err != nil {
		// Not valid JSON on purpose: a reader must not take a part for
		// the whole.
		s.lg.Error("receiver: rating export", "err", err)
		io.WriteString(w, `]} error: the export was cut short; try again`)
		return
	}
	tot, _ := json.Marshal(sum.totals())
	fmt.Fprintf(w, `],"totals":%s}`+"\n", tot)
}
