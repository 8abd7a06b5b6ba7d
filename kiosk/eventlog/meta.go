package eventlog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Meta returns the value stored under key in the meta table, and whether
// there is one.
func (l *Log) Meta(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := l.r.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("eventlog: meta %s: %w", key, err)
	}
	return v, true, nil
}

// SetMeta stores value under key, durably (the write is synced like an
// event's). It shares the writer connection with [Log.Append], so keep
// such writes rare: a few a second at most.
func (l *Log) SetMeta(ctx context.Context, key, value string) error {
	if err := l.usable(); err != nil {
		return err
	}
	_, err := l.w.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("eventlog: meta %s: %w", key, err)
	}
	return nil
}

// usable returns ErrClosed or the log's failure, or nil.
func (l *Log) usable() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	return l.failed
}
