package modbus

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"time"
)

// Parity of the serial character format.
type Parity int

// Parities. Modbus RTU requires even parity by default; many cheap RS-485
// modules use none.
const (
	ParityNone Parity = iota
	ParityEven
	ParityOdd
)

func (p Parity) String() string {
	switch p {
	case ParityNone:
		return "N"
	case ParityEven:
		return "E"
	case ParityOdd:
		return "O"
	}
	return fmt.Sprintf("Parity(%d)", int(p))
}

// Config describes the bus. Baud is required; zero values of the other fields
// have the meaning given on each.
type Config struct {
	// Name names the bus in errors and String, e.g. "/dev/ttyUSB0".
	Name string
	// Baud is the line speed in bits per second, e.g. 9600 or 115200.
	Baud int
	// Parity and StopBits give the character format; StopBits 0 means 1.
	// 8E1, 8O1 and 8N2 are 11 bits per character, 8N1 is 10.
	Parity   Parity
	StopBits int
	// Timeout is how long a slave may take to answer, counted from the moment
	// the request has left the wire to the last byte of the response.
	// 0 means 100 ms.
	Timeout time.Duration
	// Retries is how many times a request is repeated after a timeout, a CRC
	// error or a malformed answer. Exceptions are never retried.
	Retries int
	// Echo says the adapter hands back every byte it sends (an RS-485
	// transceiver whose receiver stays enabled while transmitting); the
	// master then reads and checks its own request before the answer.
	Echo bool
	// Silence overrides the inter-frame gap; 0 means 3.5 character times at
	// Baud. (The specification suggests a fixed 1.75 ms above 19200 baud;
	// set it here for slaves that need it.)
	Silence time.Duration
}

// CharBits returns the bits per character: start, 8 data, parity, stop.
func (c Config) CharBits() int {
	n := 1 + 8 + max(c.StopBits, 1)
	if c.Parity != ParityNone {
		n++
	}
	return n
}

// CharTime returns the time one character takes on the wire.
func (c Config) CharTime() time.Duration {
	if c.Baud <= 0 {
		return 0
	}
	return time.Duration(int64(c.CharBits()) * int64(time.Second) / int64(c.Baud))
}

// Gap returns the silent interval between frames: Silence, or 3.5
// character times.
func (c Config) Gap() time.Duration {
	if c.Silence > 0 {
		return c.Silence
	}
	if c.Baud <= 0 {
		return 0
	}
	return time.Duration(int64(c.CharBits()) * 7 * int64(time.Second) / (2 * int64(c.Baud)))
}

// Stats counts what a [Master] did since it was made.
type Stats struct {
	Transactions uint64 // requests answered correctly (exceptions included)
	Attempts     uint64 // requests put on the bus, retries included
	Timeouts     uint64
	CRCErrors    uint64
	FrameErrors  uint64
	Exceptions   uint64
	BytesOut     uint64
	BytesIn      uint64
}

type readDeadliner interface {
	SetReadDeadline(time.Time) error
}

type readTimeouter interface {
	SetReadTimeout(time.Duration) error
}

// Master is a Modbus RTU master on one bus. It is safe for concurrent use:
// transactions are queued in the order callers arrive and run one at a time.
type Master struct {
	rw  io.ReadWriter
	cfg Config
	sem chan struct{} // holds one token; whoever holds it owns the bus

	// Owned by the holder of sem.
	lastActivity time.Time // when the bus last carried a byte, as far as we know
	dirty        bool      // stale bytes may be waiting in the receive buffer
	rbuf         []byte

	mu    sync.Mutex
	stats Stats
}

// New returns a master that owns rw. rw must be able to time out reads: a
// go.bug.st/serial Port (SetReadTimeout), an *os.File that supports
// deadlines (serial devices and pseudo-terminals do) or a net.Conn.
func New(rw io.ReadWriter, cfg Config) (*Master, error) {
	if cfg.Baud <= 0 {
		return nil, fmt.Errorf("%w: baud %d; set the bus speed, e.g. 9600", ErrArgument, cfg.Baud)
	}
	if cfg.StopBits < 0 || cfg.StopBits > 2 {
		return nil, fmt.Errorf("%w: stop bits %d; use 1 or 2", ErrArgument, cfg.StopBits)
	}
	if cfg.Parity < ParityNone || cfg.Parity > ParityOdd {
		return nil, fmt.Errorf("%w: parity %d", ErrArgument, cfg.Parity)
	}
	switch rw.(type) {
	case readDeadliner, readTimeouter:
	default:
		return nil, fmt.Errorf("%w: %T", ErrTransport, rw)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 100 * time.Millisecond
	}
	if cfg.Retries < 0 {
		cfg.Retries = 0
	}
	if cfg.Name == "" {
		cfg.Name = "rtu"
	}
	m := &Master{rw: rw, cfg: cfg, sem: make(chan struct{}, 1), rbuf: make([]byte, 0, maxFrame), dirty: true}
	m.sem <- struct{}{}
	return m, nil
}

// String returns e.g. "modbus /dev/ttyUSB0 9600 8E1".
func (m *Master) String() string {
	stop := max(m.cfg.StopBits, 1)
	return fmt.Sprintf("modbus %s %d 8%s%d", m.cfg.Name, m.cfg.Baud, m.cfg.Parity, stop)
}

// Config returns the configuration with defaults filled in.
func (m *Master) Config() Config { return m.cfg }

// Halt waits for the transaction in progress, if any, and returns. The master
// sends nothing by itself, so there is nothing to stop; closing the port is
// up to whoever opened it.
func (m *Master) Halt() error {
	<-m.sem
	m.sem <- struct{}{}
	return nil
}

// Stats returns a copy of the counters.
func (m *Master) Stats() Stats {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.stats
}

func (m *Master) count(f func(*Stats)) {
	m.mu.Lock()
	f(&m.stats)
	m.mu.Unlock()
}

// ReadHoldingRegisters reads qty registers from addr with function 03.
func (m *Master) ReadHoldingRegisters(ctx context.Context, slave byte, addr, qty uint16) ([]uint16, error) {
	return m.readRegisters(ctx, slave, FuncReadHoldingRegisters, addr, qty)
}

// ReadInputRegisters reads qty registers from addr with function 04.
func (m *Master) ReadInputRegisters(ctx context.Context, slave byte, addr, qty uint16) ([]uint16, error) {
	return m.readRegisters(ctx, slave, FuncReadInputRegisters, addr, qty)
}

// ReadCoils reads qty coils from addr with function 01.
func (m *Master) ReadCoils(ctx context.Context, slave byte, addr, qty uint16) ([]bool, error) {
	return m.readBits(ctx, slave, FuncReadCoils, addr, qty)
}

// ReadDiscreteInputs reads qty inputs from addr with function 02.
func (m *Master) ReadDiscreteInputs(ctx context.Context, slave byte, addr, qty uint16) ([]bool, error) {
	return m.readBits(ctx, slave, FuncReadDiscreteInputs, addr, qty)
}

// WriteSingleRegister writes value to register addr with function 06.
func (m *Master) WriteSingleRegister(ctx context.Context, slave byte, addr, value uint16) error {
	if err := checkSlave(slave); err != nil {
		return err
	}
	_, err := m.transact(ctx, writeSingleRequest(slave, addr, value))
	return err
}

// WriteMultipleRegisters writes values to registers from addr on with
// function 16 (at most 123 registers).
func (m *Master) WriteMultipleRegisters(ctx context.Context, slave byte, addr uint16, values []uint16) error {
	if err := checkSlave(slave); err != nil {
		return err
	}
	if len(values) == 0 || len(values) > maxWriteRegisters {
		return fmt.Errorf("%w: %d registers; write 1 to %d", ErrArgument, len(values), maxWriteRegisters)
	}
	_, err := m.transact(ctx, writeMultipleRequest(slave, addr, values))
	return err
}

func checkSlave(slave byte) error {
	if slave < 1 || slave > 247 {
		return fmt.Errorf("%w: slave id %d; use 1 to 247", ErrArgument, slave)
	}
	return nil
}

func (m *Master) readRegisters(ctx context.Context, slave, fn byte, addr, qty uint16) ([]uint16, error) {
	if err := checkSlave(slave); err != nil {
		return nil, err
	}
	if qty == 0 || qty > maxReadRegisters {
		return nil, fmt.Errorf("%w: %d registers; read 1 to %d", ErrArgument, qty, maxReadRegisters)
	}
	data, err := m.transact(ctx, readRequest(slave, fn, addr, qty))
	if err != nil {
		return nil, err
	}
	out := make([]uint16, qty)
	for i := range out {
		out[i] = binary.BigEndian.Uint16(data[2*i:])
	}
	return out, nil
}

func (m *Master) readBits(ctx context.Context, slave, fn byte, addr, qty uint16) ([]bool, error) {
	if err := checkSlave(slave); err != nil {
		return nil, err
	}
	if qty == 0 || qty > maxReadBits {
		return nil, fmt.Errorf("%w: %d bits; read 1 to %d", ErrArgument, qty, maxReadBits)
	}
	data, err := m.transact(ctx, readRequest(slave, fn, addr, qty))
	if err != nil {
		return nil, err
	}
	out := make([]bool, qty)
	for i := range out {
		out[i] = data[i/8]&(1<<(i%8)) != 0
	}
	return out, nil
}

// transact runs one request with retries and returns the response payload.
func (m *Master) transact(ctx context.Context, req []byte) ([]byte, error) {
	select {
	case <-m.sem:
	case <-ctx.Done():
		return nil, fmt.Errorf("modbus: waiting for the bus: %w", ctx.Err())
	}
	defer func() { m.sem <- struct{}{} }()

	var err error
	for attempt := 0; attempt <= m.cfg.Retries; attempt++ {
		var data []byte
		data, err = m.once(ctx, req)
		if err == nil {
			m.count(func(s *Stats) { s.Transactions++ })
			return data, nil
		}
		if errors.Is(err, ErrException) {
			m.count(func(s *Stats) { s.Transactions++; s.Exceptions++ })
			return nil, err
		}
		if ctx.Err() != nil || !(errors.Is(err, ErrTimeout) || errors.Is(err, ErrCRC) || errors.Is(err, ErrFrame)) {
			break
		}
	}
	return nil, fmt.Errorf("%w (slave %d, function %#02x)", err, req[0], req[1])
}

// once puts req on the bus and reads its answer. Only the holder of m.sem
// calls it.
func (m *Master) once(ctx context.Context, req []byte) ([]byte, error) {
	if err := m.waitSilence(ctx); err != nil {
		return nil, err
	}
	if m.dirty {
		if err := m.drain(); err != nil {
			return nil, err
		}
	}
	start := time.Now()
	if _, err := m.rw.Write(req); err != nil {
		m.dirty = true
		return nil, fmt.Errorf("modbus: %s: write: %w", m.cfg.Name, err)
	}
	ct := m.cfg.CharTime()
	txEnd := start.Add(time.Duration(len(req)) * ct)
	m.lastActivity = txEnd
	m.count(func(s *Stats) { s.Attempts++; s.BytesOut += uint64(len(req)) })

	deadline := txEnd.Add(m.cfg.Timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if m.cfg.Echo {
		if err := m.readEcho(req, deadline); err != nil {
			return nil, err
		}
	}
	for {
		resp, err := m.readFrame(deadline)
		if err != nil {
			switch {
			case errors.Is(err, ErrTimeout):
				m.count(func(s *Stats) { s.Timeouts++ })
			case errors.Is(err, ErrFrame):
				m.count(func(s *Stats) { s.FrameErrors++ })
			}
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, err
		}
		if resp[0] != req[0] && checkCRC(resp) {
			// A late answer from another slave: skip it and keep waiting.
			continue
		}
		data, err := parseResponse(req, resp)
		switch {
		case errors.Is(err, ErrCRC):
			m.dirty = true
			m.count(func(s *Stats) { s.CRCErrors++ })
		case errors.Is(err, ErrFrame):
			m.dirty = true
			m.count(func(s *Stats) { s.FrameErrors++ })
		}
		return data, err
	}
}

// readFrame reads one response frame, using its function code and byte count
// to know where it ends. Bytes after the frame stay in m.rbuf.
func (m *Master) readFrame(deadline time.Time) ([]byte, error) {
	need := 3
	for {
		if len(m.rbuf) >= need {
			n, ok := responseLen(m.rbuf)
			if !ok {
				fn := m.rbuf[1]
				m.dirty = true
				m.rbuf = m.rbuf[:0]
				return nil, fmt.Errorf("%w: unknown function %#02x", ErrFrame, fn)
			}
			if n <= len(m.rbuf) {
				frame := append([]byte(nil), m.rbuf[:n]...)
				m.rbuf = append(m.rbuf[:0], m.rbuf[n:]...)
				if len(m.rbuf) > 0 {
					m.dirty = true // trailing bytes: drain them before the next request
				}
				return frame, nil
			}
			need = n
		}
		if cap(m.rbuf)-len(m.rbuf) == 0 {
			m.rbuf = m.rbuf[:0]
			m.dirty = true
			return nil, fmt.Errorf("%w: frame longer than %d bytes", ErrFrame, maxFrame)
		}
		k, err := m.read(m.rbuf[len(m.rbuf):cap(m.rbuf)], deadline)
		if k > 0 {
			m.rbuf = m.rbuf[:len(m.rbuf)+k]
			m.lastActivity = time.Now()
			m.count(func(s *Stats) { s.BytesIn += uint64(k) })
		}
		if err != nil {
			m.dirty = true
			return nil, err
		}
	}
}

// readEcho reads back the request from an echoing adapter.
func (m *Master) readEcho(req []byte, deadline time.Time) error {
	for len(m.rbuf) < len(req) {
		k, err := m.read(m.rbuf[len(m.rbuf):cap(m.rbuf)], deadline)
		m.rbuf = m.rbuf[:len(m.rbuf)+k]
		if err != nil {
			m.dirty = true
			return fmt.Errorf("modbus: %s: no echo of the request; is Echo set for an adapter that does not echo? %w", m.cfg.Name, err)
		}
	}
	if string(m.rbuf[:len(req)]) != string(req) {
		m.dirty = true
		m.rbuf = m.rbuf[:0]
		return fmt.Errorf("%w: echo differs from the request: collision on the bus or wrong baud", ErrFrame)
	}
	m.rbuf = append(m.rbuf[:0], m.rbuf[len(req):]...)
	return nil
}

// read reads into p, giving up at deadline with ErrTimeout.
func (m *Master) read(p []byte, deadline time.Time) (int, error) {
	switch rw := m.rw.(type) {
	case readDeadliner:
		if err := rw.SetReadDeadline(deadline); err != nil {
			return 0, fmt.Errorf("modbus: %s: %w", m.cfg.Name, err)
		}
		n, err := m.rw.Read(p)
		if err != nil {
			var te interface{ Timeout() bool }
			if errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &te) && te.Timeout()) {
				return n, ErrTimeout
			}
			return n, fmt.Errorf("modbus: %s: read: %w", m.cfg.Name, err)
		}
		return n, nil
	case readTimeouter:
		d := time.Until(deadline)
		if d <= 0 {
			return 0, ErrTimeout
		}
		if err := rw.SetReadTimeout(d); err != nil {
			return 0, fmt.Errorf("modbus: %s: %w", m.cfg.Name, err)
		}
		n, err := m.rw.Read(p)
		if err != nil {
			return n, fmt.Errorf("modbus: %s: read: %w", m.cfg.Name, err)
		}
		if n == 0 {
			return 0, ErrTimeout
		}
		return n, nil
	}
	return 0, ErrTransport
}

// drain discards whatever arrives until the bus has been silent for one
// inter-frame gap (at least 2 ms, as user space cannot see shorter gaps).
func (m *Master) drain() error {
	m.rbuf = m.rbuf[:0]
	gap := max(m.cfg.Gap(), 2*time.Millisecond)
	var junk [64]byte
	for {
		n, err := m.read(junk[:], time.Now().Add(gap))
		if n > 0 {
			m.lastActivity = time.Now()
			m.count(func(s *Stats) { s.BytesIn += uint64(n) })
		}
		if errors.Is(err, ErrTimeout) {
			m.dirty = false
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// waitSilence waits until the bus has been idle for one inter-frame gap.
func (m *Master) waitSilence(ctx context.Context) error {
	return sleepUntil(ctx, m.lastActivity.Add(m.cfg.Gap()))
}

// spinBelow is how much of a wait sleepUntil spends spinning rather than
// sleeping: kernel timers may wake a millisecond late, which is longer than
// the whole 3.5-character gap at 115200 baud.
const spinBelow = time.Millisecond

// sleepUntil waits until t or until ctx is done. It sleeps through all but
// the last millisecond and yields the processor in a loop for the rest, so
// that sub-millisecond gaps are kept to within a few microseconds.
func sleepUntil(ctx context.Context, t time.Time) error {
	rem := time.Until(t)
	if rem <= 0 {
		return ctx.Err()
	}
	if rem > spinBelow {
		timer := time.NewTimer(rem - spinBelow)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		}
	}
	for time.Now().Before(t) {
		if err := ctx.Err(); err != nil {
			return err
		}
		runtime.Gosched()
	}
	return ctx.Err()
}
