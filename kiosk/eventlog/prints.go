package eventlog

import (
	"context"
	"fmt"
	"time"
)

// Print states of a ticket, kept beside the events: whether its paper
// ticket came out. A ticket.issued event without a print record is a print
// job that a crash interrupted.
const (
	PrintPrinted   = "printed"
	PrintUnprinted = "unprinted"
)

// PrintRecord is what became of a ticket's print job.
type PrintRecord struct {
	Ticket   string
	State    string // PrintPrinted or PrintUnprinted
	Detail   string // why it did not print
	Attempts int
	At       time.Time
}

const printSchema = `
CREATE TABLE IF NOT EXISTS prints (
	ticket   TEXT PRIMARY KEY,
	day      TEXT NOT NULL,
	state    TEXT NOT NULL,
	detail   TEXT NOT NULL DEFAULT '',
	attempts INTEGER NOT NULL DEFAULT 1,
	at       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS prints_day ON prints(day, state);
`

// SetPrint records, durably, what became of a ticket's print job.
func (l *Log) SetPrint(ctx context.Context, ticket, day, state, detail string, at time.Time) error {
	_, err := l.w.ExecContext(ctx, `INSERT INTO prints(ticket, day, state, detail, attempts, at) VALUES (?, ?, ?, ?, 1, ?)
		ON CONFLICT(ticket) DO UPDATE SET state = excluded.state, detail = excluded.detail,
		attempts = attempts + 1, at = excluded.at`, ticket, day, state, detail, at.Format(time.RFC3339Nano))
	if err != nil {
		return fmt.Errorf("eventlog: print record of %s: %w", ticket, err)
	}
	return nil
}

// Prints returns the print records of a day, by ticket id.
func (l *Log) Prints(ctx context.Context, day string) (map[string]PrintRecord, error) {
	rows, err := l.r.QueryContext(ctx, `SELECT ticket, state, detail, attempts, at FROM prints WHERE day = ?`, day)
	if err != nil {
		return nil, fmt.Errorf("eventlog: %w", err)
	}
	defer rows.Close()
	out := map[string]PrintRecord{}
	for rows.Next() {
		var r PrintRecord
		var at string
		if err := rows.Scan(&r.Ticket, &r.State, &r.Detail, &r.Attempts, &at); err != nil {
			return nil, fmt.Errorf("eventlog: %w", err)
		}
		r.At, _ = time.Parse(time.RFC3339Nano, at)
		out[r.Ticket] = r
	}
	return out, rows.Err()
}

// Issued returns the ids of the tickets issued on a day up to seq, in
// order.
func (l *Log) Issued(ctx context.Context, day string, seq int64) ([]string, error) {
	rows, err := l.r.QueryContext(ctx, `SELECT ticket FROM events WHERE name = 'ticket.issued' AND day = ? AND seq <= ? ORDER BY seq`, day, seq)
	if err != nil {
		return nil, fmt.Errorf("eventlog: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("eventlog: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
