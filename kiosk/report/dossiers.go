package report

import (
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"motcua/kiosk/report/xlsx"
)

// Dossiers are the figures of the dossiers (mã hồ sơ) linked to visits at
// the counters: how many visits were linked, and the citizens' ratings per
// dossier and per officer.
type Dossiers struct {
	// Visits are the tickets served (ended done); Linked those of them
	// with at least one dossier; LinkedShare is Linked / Visits (0 when
	// there are no visits).
	Visits      int     `json:"visits"`
	Linked      int     `json:"linked"`
	LinkedShare float64 `json:"linked_share"`
	// Days are the same per queue day, in order.
	Days []DossierDay `json:"days"`
	// Ratings are the ratings of linked visits per dossier, by code.
	Ratings []DossierRating `json:"ratings"`
	// Officers are the ratings of linked visits per officer, by name.
	Officers []OfficerRating `json:"officers"`
	// Dissatisfied lists each dossier of a rating flagged not satisfied,
	// in the order rated.
	Dissatisfied []Dissatisfied `json:"dissatisfied"`
}

// DossierDay is the visits of one queue day.
type DossierDay struct {
	Day         string  `json:"day"`
	Visits      int     `json:"visits"`
	Linked      int     `json:"linked"`
	LinkedShare float64 `json:"linked_share"`
}

// DossierRating is the ratings of the visits linked to one dossier.
type DossierRating struct {
	Code         string  `json:"code"`
	Ratings      int     `json:"ratings"`
	Mean         float64 `json:"mean_score"`
	Dissatisfied int     `json:"dissatisfied"`
}

// OfficerRating is the ratings of one officer's linked visits.
type OfficerRating struct {
	Officer      string  `json:"officer"`
	Ratings      int     `json:"ratings"`
	Mean         float64 `json:"mean_score"`
	Dissatisfied int     `json:"dissatisfied"`
}

// Dissatisfied is one dossier of a rating that was not satisfied.
type Dissatisfied struct {
	Day     string `json:"day"`
	At      string `json:"at"` // HH:MM, the unit's time
	Code    string `json:"code"`
	Number  string `json:"number"`
	Counter int    `json:"counter"`
	Officer string `json:"officer"`
	Score   int    `json:"score"`
	Reason  string `json:"reason"`
}

// dossierEvent is what the dossier figures read of an event.
type dossierEvent struct {
	Name     string    `json:"event"`
	At       time.Time `json:"at"`
	Score    int       `json:"score"`
	Reason   string    `json:"reason"`
	FollowUp bool      `json:"follow_up"`
	Ticket   struct {
		Number   string   `json:"number"`
		Counter  *int     `json:"counter"`
		Officer  string   `json:"officer"`
		Dossiers []string `json:"dossiers"`
	} `json:"ticket"`
}

// dossiers counts the dossier figures of the queue days from..to from the
// log's ticket.done and ticket.rated events.
func (r *Reporter) dossiers(ctx context.Context, from, to string) (*Dossiers, error) {
	rows, err := r.db.QueryContext(ctx, `SELECT day, data FROM events
		WHERE name IN ('ticket.done', 'ticket.rated') AND day BETWEEN ? AND ? ORDER BY seq`, from, to)
	if err != nil {
		return nil, fmt.Errorf("report: dossiers: %w", err)
	}
	defer rows.Close()
	out := &Dossiers{}
	days := map[string]*DossierDay{}
	type sum struct{ n, total, low int }
	perCode, perOfficer := map[string]*sum{}, map[string]*sum{}
	add := func(m map[string]*sum, k string, score int, low bool) {
		s := m[k]
		if s == nil {
			s = &sum{}
			m[k] = s
		}
		s.n++
		s.total += score
		if low {
			s.low++
		}
	}
	for rows.Next() {
		var day string
		var data []byte
		if err := rows.Scan(&day, &data); err != nil {
			return nil, fmt.Errorf("report: dossiers: %w", err)
		}
		var ev dossierEvent
		if err := json.Unmarshal(data, &ev); err != nil {
			return nil, fmt.Errorf("report: dossiers: damaged event of %s: %w", day, err)
		}
		linked := len(ev.Ticket.Dossiers) > 0
		if ev.Name == "ticket.done" {
			d := days[day]
			if d == nil {
				d = &DossierDay{Day: day}
				days[day] = d
			}
			d.Visits++
			out.Visits++
			if linked {
				d.Linked++
				out.Linked++
			}
			continue
		}
		if !linked || ev.Score <= 0 {
			continue
		}
		for _, c := range ev.Ticket.Dossiers {
			add(perCode, c, ev.Score, ev.FollowUp)
		}
		add(perOfficer, officerName(ev.Ticket.Officer), ev.Score, ev.FollowUp)
		if ev.FollowUp {
			counter := 0
			if ev.Ticket.Counter != nil {
				counter = *ev.Ticket.Counter
			}
			at := ev.At
			if r.cfg.Location != nil {
				at = at.In(r.cfg.Location)
			}
			for _, c := range ev.Ticket.Dossiers {
				out.Dissatisfied = append(out.Dissatisfied, Dissatisfied{Day: day, At: at.Format("15:04"), Code: c, Number: ev.Ticket.Number,
					Counter: counter, Officer: officerName(ev.Ticket.Officer), Score: ev.Score, Reason: ev.Reason})
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report: dossiers: %w", err)
	}
	out.LinkedShare = ratio(out.Linked, out.Visits)
	for _, d := range days {
		d.LinkedShare = ratio(d.Linked, d.Visits)
		out.Days = append(out.Days, *d)
	}
	slices.SortFunc(out.Days, func(a, b DossierDay) int { return cmp.Compare(a.Day, b.Day) })
	for code, s := range perCode {
		out.Ratings = append(out.Ratings, DossierRating{Code: code, Ratings: s.n, Mean: mean(s.total, s.n), Dissatisfied: s.low})
	}
	slices.SortFunc(out.Ratings, func(a, b DossierRating) int { return cmp.Compare(a.Code, b.Code) })
	for name, s := range perOfficer {
		out.Officers = append(out.Officers, OfficerRating{Officer: name, Ratings: s.n, Mean: mean(s.total, s.n), Dissatisfied: s.low})
	}
	slices.SortFunc(out.Officers, func(a, b OfficerRating) int { return cmp.Compare(a.Officer, b.Officer) })
	return out, nil
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// mean is total / n rounded to two decimals.
func mean(total, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(total*100/n) / 100
}

// WriteDossiersCSV writes the ratings per dossier: UTF-8 with a byte
// order mark, one header line (code, ratings, mean_score, dissatisfied,
// reasons), the reasons of its not-satisfied ratings joined by "; ".
func (r *Report) WriteDossiersCSV(w io.Writer) error {
	if _, err := io.WriteString(w, bom); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"code", "ratings", "mean_score", "dissatisfied", "reasons"})
	for _, d := range r.Dossiers.Ratings {
		var reasons []string
		for _, x := range r.Dossiers.Dissatisfied {
			if x.Code == d.Code && x.Reason != "" {
				reasons = append(reasons, x.Reason)
			}
		}
		cw.Write([]string{neutralise(d.Code), strconv.Itoa(d.Ratings), strconv.FormatFloat(d.Mean, 'f', -1, 64),
			strconv.Itoa(d.Dissatisfied), neutralise(strings.Join(reasons, "; "))})
	}
	cw.Flush()
	return cw.Error()
}

// SheetDossiers is the XLSX sheet of the dossier figures.
const SheetDossiers = "Hồ sơ"

// dossierSheet writes the dossier figures into their sheet of wb.
func (r *Report) dossierSheet(wb *xlsx.Workbook) error {
	s, err := wb.Sheet(SheetDossiers)
	if err != nil {
		return err
	}
	d := r.Dossiers
	y := 1
	line := func(style xlsx.Style, cells ...any) error {
		for i, c := range cells {
			if err := s.Set(i+1, y, c, style); err != nil {
				return err
			}
		}
		y++
		return nil
	}
	if err := line(xlsx.Bold, fmt.Sprintf("Lượt phục vụ có mã hồ sơ: %d / %d", d.Linked, d.Visits)); err != nil {
		return err
	}
	if err := line(xlsx.Header, "Ngày", "Lượt phục vụ", "Có mã hồ sơ", "Tỉ lệ"); err != nil {
		return err
	}
	for _, x := range d.Days {
		if err := line(xlsx.Plain, x.Day, x.Visits, x.Linked, x.LinkedShare); err != nil {
			return err
		}
	}
	y++
	if err := line(xlsx.Header, "Mã hồ sơ", "Lượt đánh giá", "Điểm trung bình", "Chưa hài lòng"); err != nil {
		return err
	}
	for _, x := range d.Ratings {
		if err := line(xlsx.Plain, x.Code, x.Ratings, x.Mean, x.Dissatisfied); err != nil {
			return err
		}
	}
	y++
	if err := line(xlsx.Header, "Cán bộ", "Lượt đánh giá (có hồ sơ)", "Điểm trung bình", "Chưa hài lòng"); err != nil {
		return err
	}
	for _, x := range d.Officers {
		if err := line(xlsx.Plain, x.Officer, x.Ratings, x.Mean, x.Dissatisfied); err != nil {
			return err
		}
	}
	y++
	if err := line(xlsx.Header, "Ngày", "Giờ", "Mã hồ sơ", "Số", "Quầy", "Cán bộ", "Điểm", "Lý do"); err != nil {
		return err
	}
	for _, x := range d.Dissatisfied {
		if err := line(xlsx.Plain, x.Day, x.At, x.Code, x.Number, x.Counter, x.Officer, x.Score, x.Reason); err != nil {
			return err
		}
	}
	s.Width(1, 1, 28)
	s.Width(2, 8, 14)
	return nil
}
