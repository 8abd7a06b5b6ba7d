package eventlog

import (
	"context"
	"fmt"
)

// Prune deletes the events up to seq upTo whose queue day is before
// beforeDay ("YYYY-MM-DD"), and returns how many it deleted. It never
// deletes an event of the current queue day (from the last day.started
// on), nor any event when the log has no day.started (then the daemon
// rebuilds its state from the whole log), nor the newest event (so that
// numbering goes on after a restart). The caller decides what may go:
// the uplink passes the acknowledged seq and the retention's first day.
func (l *Log) Prune(ctx context.Context, upTo int64, beforeDay string) (int64, error) {
	return l.deleteOld(ctx, upTo, beforeDay)
}

// DropOldest deletes at most n of the oldest events, acknowledged or
// not, under the same guard as [Log.Prune]: never the current queue
// day's. It returns the range it deleted (from > to when none). This is
// for a disk that is nearly full; the caller reports the loss.
func (l *Log) DropOldest(ctx context.Context, n int64) (from, to int64, err error) {
	first, err := l.First(ctx)
	if err != nil {
		return 1, 0, err
	}
	if first == 0 || n <= 0 {
		return 1, 0, nil
	}
	deleted, err := l.deleteOld(ctx, first+n-1, "")
	if err != nil || deleted == 0 {
		return 1, 0, err
	}
	return first, first + deleted - 1, nil
}

// deleteOld deletes events with seq <= upTo, before the current day's
// day.started and, when beforeDay is not empty, of a day before it. The
// events deleted are always the oldest ones: a range from the first.
func (l *Log) deleteOld(ctx context.Context, upTo int64, beforeDay string) (int64, error) {
	if err := l.usable(); err != nil {
		return 0, err
	}
	start, err := l.DayStart(ctx)
	if err != nil {
		return 0, err
	}
	if start <= 1 {
		return 0, nil
	}
	limit := min(upTo, start-1, l.Durable()-1)
	if beforeDay != "" {
		// The first event of a kept day bounds the range, so that what
		// is deleted stays a prefix of the log.
		var keep int64
		err := l.r.QueryRowContext(ctx, `SELECT COALESCE(MIN(seq), 0) FROM events WHERE day >= ? AND seq <= ?`, beforeDay, limit).Scan(&keep)
		if err != nil {
			return 0, fmt.Errorf("eventlog: prune: %w", err)
		}
		if keep > 0 {
			limit = min(limit, keep-1)
		}
	}
	if limit <= 0 {
		return 0, nil
	}
	res, err := l.w.ExecContext(ctx, `DELETE FROM events WHERE seq <= ?`, limit)
	if err != nil {
		return 0, fmt.Errorf("eventlog: prune: %w", err)
	}
	return res.RowsAffected()
}
