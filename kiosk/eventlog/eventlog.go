// Package eventlog is motcua's durable event log: every queue event, in
// sequence, in an SQLite database in the data directory.
//
// [Log.Append] returns only when the events are on disk: the database runs
// in WAL mode with synchronous=FULL, so each commit is one fsync of the
// write-ahead log. Appends from many goroutines are grouped into one
// transaction while a commit is in flight (group commit), so under load
// one sync serves many events.
//
// The data directory is locked with flock(2) while the log is open, so two
// daemons cannot share it. The database is a plain SQLite file: an IT
// officer can open it with the sqlite3 shell, and reports are SQL.
package eventlog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"motcua/kiosk/queue"
)

// FileName is the database's name in the data directory.
const FileName = "motcua.db"

// Errors.
var (
	ErrLocked = errors.New("eventlog: data directory is in use by another motcua")
	ErrClosed = errors.New("eventlog: log is closed")
	ErrGap    = errors.New("eventlog: events out of sequence")
)

// Record is one stored event: its sequence number and its JSON, exactly as
// it is sent on the websocket.
type Record struct {
	Seq  int64
	Data []byte
	// Event is the event itself when the record comes from a commit
	// (see [Log.OnCommit]); nil when read back from the database.
	Event *queue.Event
}

// Log is the durable event log. It is safe for concurrent use.
type Log struct {
	dir  string
	lock *os.File
	w    *sql.DB // one connection: every write goes through it
	r    *sql.DB // readers; WAL lets them run beside the writer

	mu      sync.Mutex
	cond    *sync.Cond
	pending []*request
	last    int64 // last seq handed to Append
	durable int64 // last seq committed
	failed  error // sticky: a failed commit makes the log unusable
	closed  bool
	done    chan struct{}
	inserts map[int]*sql.Stmt // by row count; the writer's own
	// OnCommit, if set before the first Append, is called by the writer
	// after each commit with the records committed, in order. It must
	// not block for long.
	OnCommit func([]Record)
}

type request struct {
	recs []row
	err  error
	done chan struct{}
}

type row struct {
	Record
	at, name, day, ticket string
	counter               int
}

const schema = `
CREATE TABLE IF NOT EXISTS events (
	seq     INTEGER PRIMARY KEY,
	at      TEXT NOT NULL,
	name    TEXT NOT NULL,
	day     TEXT NOT NULL,
	ticket  TEXT,
	counter INTEGER,
	data    TEXT NOT NULL -- the event as JSON
);
CREATE INDEX IF NOT EXISTS events_ticket ON events(ticket) WHERE ticket IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_name_day ON events(name, day);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`

// Open opens (creating if needed) the log in dir and locks the directory.
func Open(dir string) (*Log, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("eventlog: data directory: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, FileName)
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_txlock=immediate"
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("eventlog: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	version, err := identify(w, path)
	if err != nil {
		w.Close()
		lock.Close()
		return nil, err
	}
	if _, err := w.Exec(schema + printSchema); err != nil {
		w.Close()
		lock.Close()
		return nil, fmt.Errorf("eventlog: %s: %w (is the file a motcua database and the disk writable?)", path, err)
	}
	if err := migrate(w, path, version); err != nil {
		w.Close()
		lock.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&mode=ro")
	if err != nil {
		w.Close()
		lock.Close()
		return nil, fmt.Errorf("eventlog: open %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	l := &Log{dir: dir, lock: lock, w: w, r: r, done: make(chan struct{})}
	l.cond = sync.NewCond(&l.mu)
	if err := w.QueryRow(`SELECT COALESCE(MAX(seq), 0) FROM events`).Scan(&l.last); err != nil {
		l.closeDBs()
		return nil, fmt.Errorf("eventlog: %s: %w", path, err)
	}
	l.durable = l.last
	go l.writer()
	return l, nil
}

// lockFile is the data directory's lock, held by the daemon (and a
// restore) while it runs; it holds the holder's pid.
const lockFile = "motcua.lock"

// lockDir takes an exclusive lock on dir's lock file and writes our pid
// into it, so that the error a second daemon gets can name the first.
func lockDir(dir string) (*os.File, error) {
	path := filepath.Join(dir, lockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("eventlog: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		pid, _ := os.ReadFile(path)
		f.Close()
		return nil, fmt.Errorf("%w (%s, pid %s); stop it first or use another data_dir", ErrLocked, dir, string(pid))
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())), 0)
	}
	return f, nil
}

// Locked reports whether a daemon (or a restore) holds the lock of the
// data directory dir, and the pid written in the lock file.
func Locked(dir string) (pid string, locked bool) {
	path := filepath.Join(dir, lockFile)
	f, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		b, _ := os.ReadFile(path)
		return strings.TrimSpace(string(b)), errors.Is(err, syscall.EWOULDBLOCK)
	}
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return "", false
}

// Dir is the data directory.
func (l *Log) Dir() string { return l.dir }

// DB is the read-only database handle, for reports and other readers.
func (l *Log) DB() *sql.DB { return l.r }

// Last returns the sequence number of the last event handed to Append.
func (l *Log) Last() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.last
}

// Durable returns the sequence number of the last event on disk.
func (l *Log) Durable() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.durable
}

// Err returns the error that made the log unusable, or nil.
func (l *Log) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.failed
}

// Enqueue hands events to the writer without waiting for them to be
// durable; wait for that with the returned function. Events must follow
// the last one without a gap. Enqueue is how an owner that must keep the
// order of events (it holds its own lock while producing them) releases
// that lock before the commit.
func (l *Log) Enqueue(evs []queue.Event) (wait func() error) {
	req := &request{done: make(chan struct{})}
	for i := range evs {
		ev := &evs[i]
		data, err := json.Marshal(ev)
		if err != nil {
			return func() error { return fmt.Errorf("eventlog: %w", err) }
		}
		// at is the "at" of the JSON, as json_extract(data, '$.at') reads it.
		r := row{Record: Record{Seq: ev.Seq, Data: data, Event: ev}, at: ev.At.Format(time.RFC3339Nano), name: ev.Name, day: ev.Day}
		if ev.Ticket != nil {
			r.ticket = ev.Ticket.ID
		}
		if ev.Counter != nil {
			r.counter = ev.Counter.ID
		} else if ev.Ticket != nil && ev.Ticket.Counter != nil {
			r.counter = *ev.Ticket.Counter
		}
		req.recs = append(req.recs, r)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.closed:
		return func() error { return ErrClosed }
	case l.failed != nil:
		return func() error { return l.failed }
	}
	for _, r := range req.recs {
		if r.Seq != l.last+1 {
			return func() error { return fmt.Errorf("%w: %d after %d", ErrGap, r.Seq, l.last) }
		}
		l.last = r.Seq
	}
	l.pending = append(l.pending, req)
	l.cond.Signal()
	return func() error {
		<-req.done
		return req.err
	}
}

// Append writes events and returns when they are durable.
func (l *Log) Append(evs []queue.Event) error {
	return l.Enqueue(evs)()
}

// WaitDurable waits until every event up to seq is on disk.
func (l *Log) WaitDurable(seq int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for l.durable < seq && l.failed == nil && !l.closed {
		l.cond.Wait()
	}
	if l.durable >= seq {
		return nil
	}
	if l.failed != nil {
		return l.failed
	}
	return ErrClosed
}

// writer commits pending requests, all that wait in one transaction.
func (l *Log) writer() {
	defer close(l.done)
	for {
		l.mu.Lock()
		for len(l.pending) == 0 && !l.closed {
			l.cond.Wait()
		}
		if len(l.pending) == 0 {
			l.mu.Unlock()
			return
		}
		batch := l.pending
		l.pending = nil
		failed := l.failed
		l.mu.Unlock()

		err := failed
		if err == nil {
			err = l.commit(batch)
		}
		var recs []Record
		l.mu.Lock()
		if err != nil {
			if l.failed == nil {
				l.failed = fmt.Errorf("eventlog: write failed, the daemon must restart: %w", err)
			}
			err = l.failed
		} else {
			for _, req := range batch {
				for _, r := range req.recs {
					recs = append(recs, r.Record)
				}
			}
			l.durable = recs[len(recs)-1].Seq
		}
		l.cond.Broadcast()
		l.mu.Unlock()
		if err == nil && l.OnCommit != nil {
			l.OnCommit(recs)
		}
		for _, req := range batch {
			req.err = err
			close(req.done)
		}
	}
}

// maxRows is the most rows one INSERT statement takes (7 parameters
// each); a bigger batch is several statements in one transaction.
const maxRows = 32

// commit writes a batch. A batch of up to maxRows events is one
// multi-row INSERT, its own transaction: one statement, prepared once,
// with no BEGIN and COMMIT to parse, which is most of what a commit costs
// besides the sync.
func (l *Log) commit(batch []*request) error {
	var args []any
	rows := 0
	for _, req := range batch {
		for _, r := range req.recs {
			var ticket, counter any
			if r.ticket != "" {
				ticket = r.ticket
			}
			if r.counter != 0 {
				counter = r.counter
			}
			args = append(args, r.Seq, r.at, r.name, r.day, ticket, counter, string(r.Data))
			rows++
		}
	}
	if rows <= maxRows {
		st, err := l.insert(rows)
		if err != nil {
			return err
		}
		_, err = st.Exec(args...)
		return err
	}
	// Prepare before Begin: the transaction holds the only connection, and
	// a Prepare on the pool would wait for it forever.
	for _, n := range []int{maxRows, rows % maxRows} {
		if n > 0 {
			if _, err := l.insert(n); err != nil {
				return err
			}
		}
	}
	tx, err := l.w.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for len(args) > 0 {
		n := min(rows, maxRows)
		st, err := l.insert(n)
		if err != nil {
			return err
		}
		if _, err := tx.Stmt(st).Exec(args[:7*n]...); err != nil {
			return err
		}
		args, rows = args[7*n:], rows-n
	}
	return tx.Commit()
}

// insert returns the INSERT of n rows, prepared on first use. Only the
// writer calls it.
func (l *Log) insert(n int) (*sql.Stmt, error) {
	if st := l.inserts[n]; st != nil {
		return st, nil
	}
	q := `INSERT INTO events(seq, at, name, day, ticket, counter, data) VALUES ` +
		strings.TrimSuffix(strings.Repeat(`(?, ?, ?, ?, ?, ?, ?),`, n), ",")
	st, err := l.w.Prepare(q)
	if err != nil {
		return nil, err
	}
	if l.inserts == nil {
		l.inserts = map[int]*sql.Stmt{}
	}
	l.inserts[n] = st
	return st, nil
}

// Since calls fn for each stored event after seq, in order, at most limit
// of them (limit <= 0: all). It returns the last seq it passed to fn.
func (l *Log) Since(ctx context.Context, seq int64, limit int, fn func(Record) error) (int64, error) {
	q := `SELECT seq, data FROM events WHERE seq > ? ORDER BY seq`
	args := []any{seq}
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := l.r.QueryContext(ctx, q, args...)
	if err != nil {
		return seq, fmt.Errorf("eventlog: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r Record
		if err := rows.Scan(&r.Seq, &r.Data); err != nil {
			return seq, fmt.Errorf("eventlog: %w", err)
		}
		if err := fn(r); err != nil {
			return seq, err
		}
		seq = r.Seq
	}
	return seq, rows.Err()
}

// First returns the sequence number of the oldest event still kept, or 0
// when the log is empty.
func (l *Log) First(ctx context.Context) (int64, error) {
	var first int64
	err := l.r.QueryRowContext(ctx, `SELECT COALESCE(MIN(seq), 0) FROM events`).Scan(&first)
	if err != nil {
		return 0, fmt.Errorf("eventlog: %w", err)
	}
	return first, nil
}

// DayStart returns the seq of the last day.started event, or 0.
func (l *Log) DayStart(ctx context.Context) (int64, error) {
	var seq int64
	err := l.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM events WHERE name = ?`, queue.DayStarted).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("eventlog: %w", err)
	}
	return seq, nil
}

// Ticket returns the newest event about ticket id, or nil.
func (l *Log) Ticket(ctx context.Context, id string) (*queue.Event, error) {
	var data []byte
	err := l.r.QueryRowContext(ctx, `SELECT data FROM events WHERE ticket = ? ORDER BY seq DESC LIMIT 1`, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("eventlog: %w", err)
	}
	var ev queue.Event
	if err := json.Unmarshal(data, &ev); err != nil {
		return nil, fmt.Errorf("eventlog: event of ticket %s: %w", id, err)
	}
	return &ev, nil
}

// Check reports whether the database answers, for health checks.
func (l *Log) Check(ctx context.Context) error {
	if err := l.Err(); err != nil {
		return err
	}
	var one int
	return l.r.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
}

// Close waits for pending writes, closes the database and unlocks the
// directory.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.cond.Broadcast()
	l.mu.Unlock()
	<-l.done
	return l.closeDBs()
}

func (l *Log) closeDBs() error {
	var err error
	for _, st := range l.inserts {
		err = errors.Join(err, st.Close())
	}
	err = errors.Join(err, l.r.Close(), l.w.Close())
	return errors.Join(err, l.lock.Close())
}
