// Package pgsql is a database/sql driver for PostgreSQL on pgx's
// connection layer (github.com/jackc/pgx/v5/pgconn), which speaks the
// protocol, authenticates (SCRAM, MD5, TLS) and parses the URL. It
// stands in for pgx's own database/sql driver (pgx/v5/stdlib), whose type
// system (pgtype) made 3.6 MB of the Pi's 25.7 MB binary for the few
// types the receiver stores.
//
// Values: a parameter is sent as text (integers, floats, booleans,
// strings, times as RFC 3339) or, for a []byte, as raw bytes in binary
// format; the server's type of the parameter decides what it means. A
// []string, []int64 or [][]byte is a one-dimensional array of text,
// bigint or bytea (in binary format), for unnest($1::text[]) and the
// like. A
// column comes back as int64 (smallint, integer, bigint), float64 (real,
// double precision), bool, []byte (bytea), nil (NULL) or otherwise as
// the server's text of it (string; numeric included, which database/sql
// converts on Scan into an integer or a float).
//
// A statement with parameters, and every query, is prepared once per
// connection and kept (up to [maxCached] statements a connection); a
// statement without parameters run by Exec goes by the simple protocol,
// so that a script of several statements runs as one.
package pgsql

import (
	"context"
	"database/sql/driver"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// PostgreSQL type OIDs the driver decodes.
const (
	oidBool   = 16
	oidBytea  = 17
	oidInt8   = 20
	oidInt2   = 21
	oidInt4   = 23
	oidFloat4 = 700
	oidFloat8 = 701
	oidText   = 25
	formatBin = 1 // a parameter's or column's binary format; 0 is text
)

// maxCached is how many prepared statements a connection keeps.
const maxCached = 256

// ErrCommitRolledBack is returned by Commit when the server rolled the
// transaction back instead (a statement in it had failed).
var ErrCommitRolledBack = errors.New("pgsql: commit: the transaction was rolled back, as a statement in it had failed")

// Connector opens connections to one database; use it with
// [database/sql.OpenDB].
type Connector struct {
	cfg *pgconn.Config
}

// NewConnector parses a postgres:// URL (or a key=value string), as
// libpq and pgconn read them, environment variables included.
func NewConnector(dsn string) (*Connector, error) {
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("pgsql: %w", err)
	}
	return &Connector{cfg: cfg}, nil
}

// Connect implements [driver.Connector].
func (c *Connector) Connect(ctx context.Context) (driver.Conn, error) {
	pc, err := pgconn.ConnectConfig(ctx, c.cfg.Copy())
	if err != nil {
		return nil, err
	}
	return &conn{pc: pc, stmts: map[string]*pgconn.StatementDescription{}}, nil
}

// Driver implements [driver.Connector]; its Open takes a URL.
func (c *Connector) Driver() driver.Driver { return drv{} }

type drv struct{}

func (drv) Open(dsn string) (driver.Conn, error) {
	c, err := NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return c.Connect(context.Background())
}

// conn is one server connection; database/sql uses it from one
// goroutine at a time.
type conn struct {
	pc    *pgconn.PgConn
	stmts map[string]*pgconn.StatementDescription // by SQL
}

var (
	_ driver.ExecerContext      = (*conn)(nil)
	_ driver.QueryerContext     = (*conn)(nil)
	_ driver.ConnBeginTx        = (*conn)(nil)
	_ driver.ConnPrepareContext = (*conn)(nil)
	_ driver.Validator          = (*conn)(nil)
	_ driver.SessionResetter    = (*conn)(nil)
	_ driver.NamedValueChecker  = (*conn)(nil)
)

// CheckNamedValue lets the arrays [encode] takes through database/sql;
// other values get its default conversion.
func (c *conn) CheckNamedValue(nv *driver.NamedValue) error {
	switch nv.Value.(type) {
	case []string, []int64, [][]byte:
		return nil
	}
	v, err := driver.DefaultParameterConverter.ConvertValue(nv.Value)
	nv.Value = v
	return err
}

func (c *conn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	sd, err := c.prepare(ctx, query)
	if err != nil {
		return nil, err
	}
	return &stmt{c: c, sd: sd}, nil
}

// prepare returns the connection's prepared statement of query,
// preparing it on first use. Past maxCached statements it describes
// the query on the unnamed statement instead, which the next
// statement replaces.
func (c *conn) prepare(ctx context.Context, query string) (*pgconn.StatementDescription, error) {
	if sd, ok := c.stmts[query]; ok {
		return sd, nil
	}
	name := ""
	if len(c.stmts) < maxCached {
		name = "motcua_" + strconv.Itoa(len(c.stmts)+1)
	}
	sd, err := c.pc.Prepare(ctx, name, query, nil)
	if err != nil {
		return nil, c.fail(err)
	}
	if name != "" {
		c.stmts[query] = sd
	}
	return sd, nil
}

func (c *conn) Close() error { return c.pc.Close(context.Background()) }

func (c *conn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	q := "BEGIN"
	switch sql := isolation(opts.Isolation); {
	case sql == "":
		return nil, fmt.Errorf("pgsql: isolation level %d is not supported", opts.Isolation)
	case sql != "default":
		q += " ISOLATION LEVEL " + sql
	}
	if opts.ReadOnly {
		q += " READ ONLY"
	}
	if err := c.simple(ctx, q); err != nil {
		return nil, err
	}
	return tx{c: c}, nil
}

// isolation is the SQL of a database/sql isolation level, "default" for
// the server's own, "" for one PostgreSQL does not have.
func isolation(l driver.IsolationLevel) string {
	switch l {
	case 0: // sql.LevelDefault
		return "default"
	case 1: // sql.LevelReadUncommitted
		return "READ UNCOMMITTED"
	case 2: // sql.LevelReadCommitted
		return "READ COMMITTED"
	case 4: // sql.LevelRepeatableRead
		return "REPEATABLE READ"
	case 6: // sql.LevelSerializable
		return "SERIALIZABLE"
	}
	return ""
}

// simple runs statements without parameters by the simple protocol;
// simpleTag returns the last one's command tag.
func (c *conn) simple(ctx context.Context, query string) error {
	_, err := c.simpleTag(ctx, query)
	return err
}

func (c *conn) simpleTag(ctx context.Context, query string) (pgconn.CommandTag, error) {
	res, err := c.pc.Exec(ctx, query).ReadAll()
	if err != nil {
		return pgconn.CommandTag{}, c.fail(err)
	}
	if len(res) == 0 {
		return pgconn.CommandTag{}, nil
	}
	return res[len(res)-1].CommandTag, nil
}

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if len(args) == 0 {
		tag, err := c.simpleTag(ctx, query)
		if err != nil {
			return nil, err
		}
		return result(tag.RowsAffected()), nil
	}
	sd, err := c.prepare(ctx, query)
	if err != nil {
		return nil, err
	}
	return c.exec(ctx, sd, args)
}

func (c *conn) exec(ctx context.Context, sd *pgconn.StatementDescription, args []driver.NamedValue) (driver.Result, error) {
	vals, formats, err := encode(sd, args)
	if err != nil {
		return nil, err
	}
	tag, err := c.pc.ExecStatement(ctx, sd, vals, formats, nil).Close()
	if err != nil {
		return nil, c.fail(err)
	}
	return result(tag.RowsAffected()), nil
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	sd, err := c.prepare(ctx, query)
	if err != nil {
		return nil, err
	}
	return c.query(ctx, sd, args)
}

func (c *conn) query(ctx context.Context, sd *pgconn.StatementDescription, args []driver.NamedValue) (driver.Rows, error) {
	vals, formats, err := encode(sd, args)
	if err != nil {
		return nil, err
	}
	resFormats := make([]int16, len(sd.Fields))
	for i, f := range sd.Fields {
		if f.DataTypeOID == oidBytea {
			resFormats[i] = formatBin
		}
	}
	rr := c.pc.ExecStatement(ctx, sd, vals, formats, resFormats)
	r := &rows{c: c, rr: rr, fields: sd.Fields}
	// An error of the execution itself (a bad parameter, a failed
	// lock) comes before the first row: report it here, as
	// database/sql's callers expect of Query.
	if !rr.NextRow() {
		if _, err := rr.Close(); err != nil {
			return nil, c.fail(err)
		}
		r.done = true
	} else {
		r.pending = true
	}
	return r, nil
}

// fail turns an error that closed the connection into
// [driver.ErrBadConn]'s kind where nothing was sent, so that
// database/sql retries on another connection; otherwise it is returned
// as it is (a *pgconn.PgError from the server).
func (c *conn) fail(err error) error {
	if c.pc.IsClosed() && pgconn.SafeToRetry(err) {
		return fmt.Errorf("%w: %w", driver.ErrBadConn, err)
	}
	return err
}

func (c *conn) IsValid() bool { return !c.pc.IsClosed() }

func (c *conn) ResetSession(context.Context) error {
	if c.pc.IsClosed() {
		return driver.ErrBadConn
	}
	return nil
}

// encode turns arguments into the parameters of a prepared statement.
func encode(sd *pgconn.StatementDescription, args []driver.NamedValue) ([][]byte, []int16, error) {
	if len(args) != len(sd.ParamOIDs) {
		return nil, nil, fmt.Errorf("pgsql: %d arguments for %d parameters", len(args), len(sd.ParamOIDs))
	}
	vals := make([][]byte, len(args))
	formats := make([]int16, len(args))
	for i, a := range args {
		if a.Name != "" {
			return nil, nil, fmt.Errorf("pgsql: named argument %s: use the positional $1, $2 of PostgreSQL", a.Name)
		}
		switch v := a.Value.(type) {
		case nil:
			// NULL: a nil value
		case int64:
			vals[i] = strconv.AppendInt(nil, v, 10)
		case float64:
			vals[i] = appendFloat(v)
		case bool:
			vals[i] = strconv.AppendBool(nil, v)
		case string:
			vals[i] = []byte(v)
		case []byte:
			if v == nil {
				break
			}
			vals[i] = v
			if sd.ParamOIDs[i] == oidBytea {
				formats[i] = formatBin
			}
		case time.Time:
			vals[i] = v.AppendFormat(nil, time.RFC3339Nano)
		case []string:
			vals[i], formats[i] = array(oidText, len(v), func(j int) []byte { return []byte(v[j]) }), formatBin
		case []int64:
			vals[i], formats[i] = array(oidInt8, len(v), func(j int) []byte { return binary.BigEndian.AppendUint64(nil, uint64(v[j])) }), formatBin
		case [][]byte:
			vals[i], formats[i] = array(oidBytea, len(v), func(j int) []byte { return v[j] }), formatBin
		default:
			return nil, nil, fmt.Errorf("pgsql: argument $%d: unsupported type %T", i+1, a.Value)
		}
	}
	return vals, formats, nil
}

// array is a one-dimensional array of n elements of type elem in
// PostgreSQL's binary format: dimensions, whether it holds a NULL, the
// element type, the length and lower bound (1), then each element's
// length and bytes (el(i); nil is NULL).
func array(elem uint32, n int, el func(i int) []byte) []byte {
	els := make([][]byte, n)
	size, null := 20, uint32(0)
	for i := range els {
		els[i] = el(i)
		size += 4 + len(els[i])
		if els[i] == nil {
			null = 1
		}
	}
	b := make([]byte, 0, size)
	if n == 0 {
		b = binary.BigEndian.AppendUint32(b, 0) // no dimension
		b = binary.BigEndian.AppendUint32(b, 0)
		return binary.BigEndian.AppendUint32(b, elem)
	}
	b = binary.BigEndian.AppendUint32(b, 1)
	b = binary.BigEndian.AppendUint32(b, null)
	b = binary.BigEndian.AppendUint32(b, elem)
	b = binary.BigEndian.AppendUint32(b, uint32(n))
	b = binary.BigEndian.AppendUint32(b, 1)
	for _, e := range els {
		if e == nil {
			b = binary.BigEndian.AppendUint32(b, math.MaxUint32) // -1: NULL
			continue
		}
		b = binary.BigEndian.AppendUint32(b, uint32(len(e)))
		b = append(b, e...)
	}
	return b
}

// appendFloat is v as PostgreSQL reads it: Go's "+Inf" is "Infinity".
func appendFloat(v float64) []byte {
	switch {
	case math.IsInf(v, 1):
		return []byte("Infinity")
	case math.IsInf(v, -1):
		return []byte("-Infinity")
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64)
}

// decode is the Go value of a column's text (or, for bytea, binary)
// value; nil is NULL.
func decode(f pgconn.FieldDescription, b []byte) (driver.Value, error) {
	if b == nil {
		return nil, nil
	}
	switch f.DataTypeOID {
	case oidInt2, oidInt4, oidInt8:
		return strconv.ParseInt(string(b), 10, 64)
	case oidFloat4, oidFloat8:
		return strconv.ParseFloat(string(b), 64)
	case oidBool:
		return len(b) == 1 && b[0] == 't', nil
	case oidBytea:
		if f.Format == formatBin {
			return append([]byte{}, b...), nil
		}
		s, ok := strings.CutPrefix(string(b), `\x`)
		if !ok {
			return nil, fmt.Errorf("pgsql: bytea column %s: not in hex output (bytea_output = hex)", f.Name)
		}
		return hex.DecodeString(s)
	}
	return string(b), nil
}

type stmt struct {
	c  *conn
	sd *pgconn.StatementDescription
}

var (
	_ driver.StmtExecContext  = (*stmt)(nil)
	_ driver.StmtQueryContext = (*stmt)(nil)
)

// Close keeps the statement prepared on its connection for the next use
// of the same SQL.
func (s *stmt) Close() error  { return nil }
func (s *stmt) NumInput() int { return len(s.sd.ParamOIDs) }

func (s *stmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), named(args))
}

func (s *stmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), named(args))
}

func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.c.exec(ctx, s.sd, args)
}

func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.c.query(ctx, s.sd, args)
}

func named(args []driver.Value) []driver.NamedValue {
	nv := make([]driver.NamedValue, len(args))
	for i, v := range args {
		nv[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return nv
}

type rows struct {
	c       *conn
	rr      *pgconn.ResultReader
	fields  []pgconn.FieldDescription
	pending bool // the reader holds a row Next has not returned
	done    bool
}

func (r *rows) Columns() []string {
	cols := make([]string, len(r.fields))
	for i, f := range r.fields {
		cols[i] = f.Name
	}
	return cols
}

func (r *rows) Close() error {
	if r.done {
		return nil
	}
	r.done = true
	_, err := r.rr.Close()
	if err != nil {
		return r.c.fail(err)
	}
	return nil
}

func (r *rows) Next(dest []driver.Value) error {
	if r.done {
		return io.EOF
	}
	if !r.pending && !r.rr.NextRow() {
		r.done = true
		if _, err := r.rr.Close(); err != nil {
			return r.c.fail(err)
		}
		return io.EOF
	}
	r.pending = false
	fields := r.rr.FieldDescriptions()
	for i, b := range r.rr.Values() {
		v, err := decode(fields[i], b)
		if err != nil {
			return err
		}
		dest[i] = v
	}
	return nil
}

type tx struct{ c *conn }

func (t tx) Commit() error {
	tag, err := t.c.simpleTag(context.Background(), "COMMIT")
	if err != nil {
		return err
	}
	if tag.String() == "ROLLBACK" {
		return ErrCommitRolledBack
	}
	return nil
}

func (t tx) Rollback() error {
	if t.c.pc.IsClosed() {
		return driver.ErrBadConn
	}
	return t.c.simple(context.Background(), "ROLLBACK")
}

type result int64

func (r result) LastInsertId() (int64, error) {
	return 0, errors.New("pgsql: no LastInsertId in PostgreSQL; use INSERT ... RETURNING")
}

func (r result) RowsAffected() (int64, error) { return int64(r), nil }
