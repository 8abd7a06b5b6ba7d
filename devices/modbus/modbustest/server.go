package modbustest

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"motcua/devices/modbus"
)

// Server answers Modbus RTU requests read from a line for the slaves added
// to it. Requests for other ids and requests with a bad CRC get no answer,
// as on a real bus.
type Server struct {
	rw       io.ReadWriter
	charTime time.Duration

	mu     sync.Mutex
	slaves map[byte]*Slave
	echo   bool
}

// SetEcho makes the line hand every request back to the master, as an
// RS-485 adapter whose receiver stays on while it transmits does.
func (s *Server) SetEcho(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.echo = on
}

// NewServer returns a server on rw. With charTime > 0 every answer is held
// back until it would have finished arriving on a real line: the request's
// bytes, a 3.5-character gap, then the answer's bytes, each charTime long,
// counted from the first byte of the request. Use modbus.Config.CharTime.
func NewServer(rw io.ReadWriter, charTime time.Duration) *Server {
	return &Server{rw: rw, charTime: charTime, slaves: map[byte]*Slave{}}
}

// Add adds a slave with the given id and returns it.
func (s *Server) Add(id byte) *Slave {
	s.mu.Lock()
	defer s.mu.Unlock()
	sl := &Slave{
		id:       id,
		holding:  map[uint16]uint16{},
		input:    map[uint16]uint16{},
		coils:    map[uint16]bool{},
		discrete: map[uint16]bool{},
	}
	s.slaves[id] = sl
	return sl
}

// Run reads and answers requests until ctx is done or the line fails. To
// return promptly when ctx ends, rw must support SetReadDeadline (as
// *os.File and net.Conn do); otherwise close it.
func (s *Server) Run(ctx context.Context) error {
	if d, ok := s.rw.(interface{ SetReadDeadline(time.Time) error }); ok {
		stop := context.AfterFunc(ctx, func() { _ = d.SetReadDeadline(time.Unix(1, 0)) })
		defer stop()
	}
	buf := make([]byte, 0, 512)
	var first time.Time
	chunk := make([]byte, 256)
	for {
		n, err := s.rw.Read(chunk)
		if n > 0 {
			if len(buf) == 0 {
				first = time.Now()
			}
			buf = append(buf, chunk[:n]...)
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if errors.Is(err, os.ErrDeadlineExceeded) {
				continue
			}
			return fmt.Errorf("modbustest: read: %w", err)
		}
		for {
			l, ok := requestLen(buf)
			if !ok || len(buf) > 300 {
				buf = buf[:0] // garbage: wait for the next frame
				break
			}
			if l == 0 || len(buf) < l {
				break
			}
			req := append([]byte(nil), buf[:l]...)
			buf = append(buf[:0], buf[l:]...)
			if err := s.handle(req, first); err != nil {
				return err
			}
			first = time.Now()
		}
	}
}

// requestLen returns the length of the request that starts buf, 0 when more
// bytes are needed, or ok false for a function it does not know.
func requestLen(buf []byte) (n int, ok bool) {
	if len(buf) < 2 {
		return 0, true
	}
	switch buf[1] {
	case 0x01, 0x02, 0x03, 0x04, 0x05, 0x06:
		return 8, true
	case 0x0F, 0x10:
		if len(buf) < 7 {
			return 0, true
		}
		return 9 + int(buf[6]), true
	}
	return 0, false
}

func (s *Server) handle(req []byte, first time.Time) error {
	s.mu.Lock()
	echo := s.echo
	s.mu.Unlock()
	if echo {
		if _, err := s.rw.Write(req); err != nil {
			return fmt.Errorf("modbustest: echo: %w", err)
		}
	}
	c := modbus.CRC(req[:len(req)-2])
	if req[len(req)-2] != byte(c) || req[len(req)-1] != byte(c>>8) {
		return nil
	}
	s.mu.Lock()
	sl := s.slaves[req[0]]
	s.mu.Unlock()
	if sl == nil {
		return nil
	}
	resp, delay, corrupt, hook := sl.answer(req)
	if resp == nil {
		return nil
	}
	resp = modbus.AppendCRC(resp)
	if corrupt {
		resp[len(resp)-1] ^= 0xFF
	}
	if delay > 0 {
		time.Sleep(delay) // the slave's own latency, part of what is emulated
	}
	if s.charTime > 0 {
		chars := time.Duration(len(req))*s.charTime + s.charTime*7/2 + time.Duration(len(resp))*s.charTime
		time.Sleep(time.Until(first.Add(chars))) // the wire time of the request and the answer
	}
	if _, err := s.rw.Write(resp); err != nil {
		return fmt.Errorf("modbustest: write: %w", err)
	}
	if hook != nil {
		hook(resp)
	}
	return nil
}

// Slave is one emulated device. Its methods are safe for concurrent use.
type Slave struct {
	id byte

	mu         sync.Mutex
	holding    map[uint16]uint16
	input      map[uint16]uint16
	coils      map[uint16]bool
	discrete   map[uint16]bool
	silent     bool
	delay      time.Duration
	corrupt    int
	exception  byte
	requests   int
	last       []byte
	onWrite    func(addr uint16, values []uint16)
	onAnswered func(frame []byte)
}

// SetHolding sets holding registers from addr on.
func (sl *Slave) SetHolding(addr uint16, values ...uint16) {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	for i, v := range values {
		sl.holding[addr+uint16(i)] = v
	}
}

// Holding returns n holding registers from addr on.
func (sl *Slave) Holding(addr uint16, n int) []uint16 {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	out := make([]uint16, n)
	for i := range out {
		out[i] = sl.holding[addr+uint16(i)]
	}
	return out
}

// SetInput sets input registers from addr on.
func (sl *Slave) SetInput(addr uint16, values ...uint16) {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	for i, v := range values {
		sl.input[addr+uint16(i)] = v
	}
}

// AddInput adds delta to input register addr (wrapping), as a keypad does to
// its press counters.
func (sl *Slave) AddInput(addr, delta uint16) {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	sl.input[addr] += delta
}

// SetCoils sets coils from addr on.
func (sl *Slave) SetCoils(addr uint16, values ...bool) {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	for i, v := range values {
		sl.coils[addr+uint16(i)] = v
	}
}

// SetDiscrete sets discrete inputs from addr on.
func (sl *Slave) SetDiscrete(addr uint16, values ...bool) {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	for i, v := range values {
		sl.discrete[addr+uint16(i)] = v
	}
}

// SetSilent makes the slave ignore every request (unplugged) or answer again.
func (sl *Slave) SetSilent(silent bool) {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	sl.silent = silent
}

// SetDelay makes the slave wait d before each answer.
func (sl *Slave) SetDelay(d time.Duration) {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	sl.delay = d
}

// CorruptNext makes the next n answers carry a wrong CRC.
func (sl *Slave) CorruptNext(n int) {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	sl.corrupt = n
}

// SetException makes the slave answer every request with exception code
// (e.g. 4, slave device failure); 0 makes it answer normally again.
func (sl *Slave) SetException(code byte) {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	sl.exception = code
}

// Requests returns how many well-formed requests were addressed to the slave.
func (sl *Slave) Requests() int {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	return sl.requests
}

// LastRequest returns the bytes of the last well-formed request addressed
// to the slave, CRC included.
func (sl *Slave) LastRequest() []byte {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	return append([]byte(nil), sl.last...)
}

// OnWrite sets a function called, on the server's goroutine, after each
// write of registers (function 06 or 16) and before the answer is sent.
func (sl *Slave) OnWrite(f func(addr uint16, values []uint16)) {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	sl.onWrite = f
}

// OnAnswered sets a function called, on the server's goroutine, after each
// answer has been written to the line.
func (sl *Slave) OnAnswered(f func(frame []byte)) {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	sl.onAnswered = f
}

// answer builds the answer to req without CRC, or nil for none, and calls
// the OnWrite hook without holding the lock.
func (sl *Slave) answer(req []byte) (resp []byte, delay time.Duration, corrupt bool, hook func([]byte)) {
	var wroteAt uint16
	var wrote []uint16
	sl.mu.Lock()
	onWrite := sl.onWrite
	resp, delay, corrupt, hook = sl.answerLocked(req, &wroteAt, &wrote)
	sl.mu.Unlock()
	if wrote != nil && onWrite != nil {
		onWrite(wroteAt, wrote)
	}
	return resp, delay, corrupt, hook
}

func (sl *Slave) answerLocked(req []byte, wroteAt *uint16, wrote *[]uint16) (resp []byte, delay time.Duration, corrupt bool, hook func([]byte)) {
	sl.requests++
	sl.last = append(sl.last[:0], req...)
	if sl.silent {
		return nil, 0, false, nil
	}
	if sl.corrupt > 0 {
		sl.corrupt--
		corrupt = true
	}
	delay, hook = sl.delay, sl.onAnswered
	id, fn := req[0], req[1]
	exc := func(code byte) []byte { return []byte{id, fn | 0x80, code} }
	if sl.exception != 0 {
		return exc(sl.exception), delay, corrupt, hook
	}
	addr := binary.BigEndian.Uint16(req[2:])
	qty := binary.BigEndian.Uint16(req[4:])
	switch fn {
	case 0x01, 0x02:
		if qty == 0 || qty > 2000 {
			return exc(3), delay, corrupt, hook
		}
		bits := sl.coils
		if fn == 0x02 {
			bits = sl.discrete
		}
		data := make([]byte, (qty+7)/8)
		for i := range qty {
			if bits[addr+i] {
				data[i/8] |= 1 << (i % 8)
			}
		}
		return append([]byte{id, fn, byte(len(data))}, data...), delay, corrupt, hook
	case 0x03, 0x04:
		if qty == 0 || qty > 125 {
			return exc(3), delay, corrupt, hook
		}
		regs := sl.holding
		if fn == 0x04 {
			regs = sl.input
		}
		out := []byte{id, fn, byte(2 * qty)}
		for i := range qty {
			out = binary.BigEndian.AppendUint16(out, regs[addr+i])
		}
		return out, delay, corrupt, hook
	case 0x06:
		sl.holding[addr] = qty
		*wroteAt, *wrote = addr, []uint16{qty}
		return append([]byte(nil), req[:6]...), delay, corrupt, hook
	case 0x10:
		if qty == 0 || qty > 123 || int(req[6]) != 2*int(qty) {
			return exc(3), delay, corrupt, hook
		}
		vals := make([]uint16, qty)
		for i := range vals {
			vals[i] = binary.BigEndian.Uint16(req[7+2*i:])
			sl.holding[addr+uint16(i)] = vals[i]
		}
		*wroteAt, *wrote = addr, vals
		return append([]byte(nil), req[:6]...), delay, corrupt, hook
	}
	return exc(1), delay, corrupt, hook
}
