package report

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// LogFile and CacheFile are the names of the event log and of the report
// cache in the data directory.
const (
	LogFile   = "motcua.db"
	CacheFile = "reports.db"
)

// cacheVersion changes whenever [daySummary] or the way it is computed
// changes; cached days of another version are computed again. Version 3
// holds durations (from the engine's monotonic wait_ms and service_ms)
// instead of event times; a day of version 2 whose events the log no
// longer holds is still read (see [decodeDay]).
const cacheVersion = 3

// oldCacheVersion is the previous version still read for days the log no
// longer holds.
const oldCacheVersion = 2

// OpenLog opens the event log in dataDir read-only. It does not take the
// data directory's lock, so it works beside a running daemon: the log is
// in WAL mode, and readers never block its writer.
func OpenLog(dataDir string) (*sql.DB, error) {
	path := filepath.Join(dataDir, LogFile)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("report: event log: %w; is server.data_dir right?", err)
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, fmt.Errorf("report: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(4)
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'events'`).Scan(&n); err != nil {
		db.Close()
		return nil, fmt.Errorf("report: %s: %w", path, err)
	}
	if n == 0 {
		db.Close()
		return nil, fmt.Errorf("report: %s has no events table; it is not a motcua event log", path)
	}
	return db, nil
}

// Cache keeps the summaries of days that are over in a separate SQLite
// file, so that a report over a long range reads one row per day instead
// of every event. A day is over once the log holds the day.started event
// of a later day: no event of it can be added after that, so its summary
// never changes. Each cached day records the range of seqs it was computed
// from, and is computed again when the log's range differs (or the time
// zone or the cache version changed). Days whose events were removed from
// the log (uplink retention) stay in the cache and keep being reported.
// A Cache is safe for concurrent use, also by several processes.
type Cache struct {
	db *sql.DB
}

const cacheSchema = `
CREATE TABLE IF NOT EXISTS days (
	day       TEXT PRIMARY KEY,
	version   INTEGER NOT NULL,
	tz        TEXT NOT NULL,
	first_seq INTEGER NOT NULL,
	last_seq  INTEGER NOT NULL,
	summary   BLOB NOT NULL
);`

// OpenCache opens (creating if needed) the cache file at path, normally
// DATA_DIR/reports.db.
func OpenCache(path string) (*Cache, error) {
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(10000)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("report: cache %s: %w", path, err)
	}
	db.SetMaxOpenConns(2)
	if _, err := db.Exec(cacheSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("report: cache %s: %w (delete the file to rebuild it)", path, err)
	}
	return &Cache{db: db}, nil
}

// Close closes the cache file.
func (c *Cache) Close() error { return c.db.Close() }

type cachedDay struct {
	version     int
	tz          string
	first, last int64
}

// index lists the cached days from..to.
func (c *Cache) index(ctx context.Context, from, to string) (map[string]cachedDay, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT day, version, tz, first_seq, last_seq FROM days WHERE day BETWEEN ? AND ?`, from, to)
	if err != nil {
		return nil, fmt.Errorf("report: cache: %w", err)
	}
	defer rows.Close()
	out := map[string]cachedDay{}
	for rows.Next() {
		var day string
		var d cachedDay
		if err := rows.Scan(&day, &d.version, &d.tz, &d.first, &d.last); err != nil {
			return nil, fmt.Errorf("report: cache: %w", err)
		}
		out[day] = d
	}
	return out, rows.Err()
}

func (c *Cache) load(ctx context.Context, day string) (*daySummary, error) {
	var blob []byte
	var version int
	if err := c.db.QueryRowContext(ctx, `SELECT version, summary FROM days WHERE day = ?`, day).Scan(&version, &blob); err != nil {
		return nil, fmt.Errorf("report: cache: day %s: %w", day, err)
	}
	s, err := decodeDay(day, version, blob)
	if err != nil {
		return nil, fmt.Errorf("report: cache: day %s: %w (delete %s to rebuild it)", day, err, CacheFile)
	}
	return s, nil
}

func (c *Cache) store(ctx context.Context, tz string, s *daySummary) error {
	_, err := c.db.ExecContext(ctx, `INSERT OR REPLACE INTO days(day, version, tz, first_seq, last_seq, summary) VALUES (?, ?, ?, ?, ?, ?)`,
		s.Day, cacheVersion, tz, s.FirstSeq, s.LastSeq, encodeDay(s))
	if err != nil {
		return fmt.Errorf("report: cache: %w", err)
	}
	return nil
}

// span is the seqs of one queue day in the log.
type span struct {
	day         string
	first, last int64
	over        bool  // a later day has started
	end         int64 // Unix ms: when the day's counters stop being accounted
	partial     bool  // the log lost the day's beginning
}

// spans finds the queue days from..to in the log from their day.started
// events, through the index on (name, day): a day's events are the seqs
// from its day.started up to the next one, since days only move forward.
func spans(ctx context.Context, db *sql.DB, from, to string, loc *time.Location, now time.Time) ([]span, error) {
	var minSeq, maxSeq int64
	// Two subqueries: SQLite reads MIN and MAX of the key in one step
	// each, but scans the table for both in one query.
	if err := db.QueryRowContext(ctx, `SELECT COALESCE((SELECT MIN(seq) FROM events), 0), COALESCE((SELECT MAX(seq) FROM events), 0)`).Scan(&minSeq, &maxSeq); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	if maxSeq == 0 {
		return nil, nil
	}
	type start struct {
		seq int64
		day string
		at  time.Time
	}
	var starts []start
	add := func(q string, args ...any) error {
		rows, err := db.QueryContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var s start
			var at string
			if err := rows.Scan(&s.seq, &s.day, &at); err != nil {
				return fmt.Errorf("report: %w", err)
			}
			if s.at, err = time.Parse(time.RFC3339Nano, at); err != nil {
				return fmt.Errorf("report: day.started %d: %w", s.seq, err)
			}
			starts = append(starts, s)
		}
		return rows.Err()
	}
	if err := add(`SELECT seq, day, at FROM events WHERE name = 'day.started' AND day BETWEEN ? AND ? ORDER BY seq`, from, to); err != nil {
		return nil, err
	}
	if err := add(`SELECT seq, day, at FROM events WHERE name = 'day.started' AND day > ? ORDER BY day, seq LIMIT 1`, to); err != nil {
		return nil, err
	}
	var out []span
	// Events before the oldest day.started kept: the log was trimmed in
	// the middle of a day.
	var firstStart int64
	var firstAt sql.NullString
	if err := db.QueryRowContext(ctx, `SELECT seq, at FROM events WHERE name = 'day.started' ORDER BY seq LIMIT 1`).Scan(&firstStart, &firstAt); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("report: %w", err)
	}
	if firstStart == 0 {
		firstStart = maxSeq + 1
	}
	if minSeq < firstStart {
		var day string
		if err := db.QueryRowContext(ctx, `SELECT day FROM events WHERE seq = ?`, minSeq).Scan(&day); err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		if day >= from && day <= to {
			sp := span{day: day, first: minSeq, last: firstStart - 1, over: firstStart <= maxSeq, partial: true}
			var next *time.Time
			if at, err := time.Parse(time.RFC3339Nano, firstAt.String); err == nil {
				next = &at
			}
			sp.end = dayEnd(day, loc, now, next)
			out = append(out, sp)
		}
	}
	for i, s := range starts {
		if s.day > to {
			break
		}
		sp := span{day: s.day, first: s.seq, last: maxSeq}
		var next *time.Time
		if i+1 < len(starts) {
			sp.last, sp.over = starts[i+1].seq-1, true
			next = &starts[i+1].at
		}
		sp.end = dayEnd(s.day, loc, now, next)
		out = append(out, sp)
	}
	return out, nil
}

// dayEnd is when counters still open on day stop being accounted: at the
// next day's start, or now for the current day, and never after midnight.
func dayEnd(day string, loc *time.Location, now time.Time, next *time.Time) int64 {
	end := now
	if next != nil {
		end = *next
	}
	if d, err := time.ParseInLocation(time.DateOnly, day, loc); err == nil {
		if midnight := d.AddDate(0, 0, 1); end.After(midnight) {
			end = midnight
		}
	}
	return end.UnixMilli()
}

// eachDay calls fn with the summary of every queue day from..to (in no
// particular order: the figures do not depend on it). It reads cached
// summaries where they are valid, and caches the days that are over and
// were computed (cache may be nil). Days are read by a few workers at
// once; fn runs on the caller's goroutine.
//
// With warm set, eachDay only computes and caches the finished days the
// cache lacks, and calls fn with those.
func eachDay(ctx context.Context, db *sql.DB, cache *Cache, from, to string, loc *time.Location, now time.Time, warm bool, fn func(*daySummary)) error {
	sps, err := spans(ctx, db, from, to, loc, now)
	if err != nil {
		return err
	}
	var cached map[string]cachedDay
	if cache != nil {
		if cached, err = cache.index(ctx, from, to); err != nil {
			return err
		}
	}
	tz := loc.String()
	// valid tells whether day's cached summary may stand for it: one of
	// this version; or, when the log lost the day's events (whole is
	// false), one of the previous version too: it is all there is.
	valid := func(day string, whole bool) (cachedDay, bool) {
		c, ok := cached[day]
		if !ok || c.tz != tz {
			return c, false
		}
		return c, c.version == cacheVersion || (!whole && c.version == oldCacheVersion)
	}
	type job struct {
		sp     span
		cached bool
	}
	var jobs []job
	inLog := map[string]bool{}
	for _, sp := range sps {
		inLog[sp.day] = true
		c, ok := valid(sp.day, !sp.partial)
		// A partial day in the cache was seen whole before the log was
		// trimmed; a finished day is valid if made from the same events.
		use := ok && (sp.partial || (sp.over && c.first == sp.first && c.last == sp.last))
		if warm && (use || !sp.over || sp.partial) {
			continue
		}
		jobs = append(jobs, job{sp: sp, cached: use})
	}
	// Days the log no longer holds.
	for day := range cached {
		if _, ok := valid(day, false); ok && !inLog[day] && !warm {
			jobs = append(jobs, job{sp: span{day: day}, cached: true})
		}
	}
	run := func(j job) (*daySummary, error) {
		if j.cached {
			return cache.load(ctx, j.sp.day)
		}
		s, err := summarise(ctx, db, j.sp.day, j.sp.first, j.sp.last, j.sp.end)
		if err != nil {
			return nil, err
		}
		if cache != nil && j.sp.over && !j.sp.partial {
			if err := cache.store(ctx, tz, s); err != nil {
				return nil, err
			}
		}
		return s, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	todo := make(chan job)
	type result struct {
		s   *daySummary
		err error
	}
	results := make(chan result, workers())
	var wg sync.WaitGroup
	for range min(workers(), len(jobs)) {
		wg.Go(func() {
			for j := range todo {
				s, err := run(j)
				results <- result{s, err}
			}
		})
	}
	go func() {
		defer close(todo)
		for _, j := range jobs {
			select {
			case todo <- j:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	var first error
	for r := range results {
		switch {
		case first != nil:
		case r.err != nil:
			first = r.err
			cancel()
		default:
			fn(r.s)
		}
	}
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// workers is how many days are read at once.
func workers() int { return max(1, min(runtime.GOMAXPROCS(0), 4)) }
