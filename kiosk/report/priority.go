package report

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
)

// CategoryCount is how many priority tickets of one category were issued.
// Code "" counts priority tickets issued without a category (the kiosk's
// old check box, a long press of a button).
type CategoryCount struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Issued int    `json:"issued"`
}

// Bookings counts the appointments booked for the range's dates, by how
// they ended.
type Bookings struct {
	Booked    int `json:"booked"` // all bookings for these dates, cancelled ones too
	CheckedIn int `json:"checked_in"`
	Cancelled int `json:"cancelled"`
	Expired   int `json:"expired"`
}

// priorityAndBookings counts the priority tickets by category and the
// bookings of the queue days from..to, straight from the log: a few
// grouped queries on the events of those names.
func (r *Reporter) priorityAndBookings(ctx context.Context, from, to string) ([]CategoryCount, Bookings, error) {
	var out []CategoryCount
	var b Bookings
	rows, err := r.db.QueryContext(ctx, `SELECT COALESCE(json_extract(data, '$.ticket.category'), ''), COUNT(*) FROM events
		WHERE name = 'ticket.issued' AND day BETWEEN ? AND ? AND json_extract(data, '$.ticket.priority') = 1 GROUP BY 1`, from, to)
	if err != nil {
		return nil, b, fmt.Errorf("report: priority categories: %w", err)
	}
	counts := map[string]int{}
	for rows.Next() {
		var code string
		var n int
		if err := rows.Scan(&code, &n); err != nil {
			rows.Close()
			return nil, b, fmt.Errorf("report: priority categories: %w", err)
		}
		counts[code] = n
	}
	if err := rows.Close(); err != nil {
		return nil, b, err
	}
	// Every configured category has a line, in the configuration's order;
	// then codes no longer configured, and those without a category.
	for _, p := range r.cfg.Priorities {
		out = append(out, CategoryCount{Code: p.Code, Name: p.Name, Issued: counts[p.Code]})
		delete(counts, p.Code)
	}
	var rest []string
	for code := range counts {
		rest = append(rest, code)
	}
	slices.Sort(rest)
	for _, code := range rest {
		name := code
		if code == "" {
			name = "Ưu tiên (không ghi diện)"
		}
		out = append(out, CategoryCount{Code: code, Name: name, Issued: counts[code]})
	}
	one := func(q string, dst *int, args ...any) error {
		var n sql.NullInt64
		if err := r.db.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			return fmt.Errorf("report: bookings: %w", err)
		}
		*dst = int(n.Int64)
		return nil
	}
	byDate := `SELECT COUNT(*) FROM events WHERE name = ? AND json_extract(data, '$.appointment.date') BETWEEN ? AND ?`
	for _, c := range []struct {
		name string
		dst  *int
	}{{"appointment.booked", &b.Booked}, {"appointment.cancelled", &b.Cancelled}, {"appointment.expired", &b.Expired}} {
		if err := one(byDate, c.dst, c.name, from, to); err != nil {
			return nil, b, err
		}
	}
	err = one(`SELECT COUNT(*) FROM events WHERE name = 'ticket.issued' AND day BETWEEN ? AND ?
		AND COALESCE(json_extract(data, '$.ticket.appointment'), '') != ''`, &b.CheckedIn, from, to)
	return out, b, err
}
