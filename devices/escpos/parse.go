package escpos

import (
	"errors"
	"fmt"
)

// Errors returned by [Parse]. A stream cut in the middle of a command
// gives ErrShort (which also matches ErrParse): the caller may wait for more.
var (
	ErrParse = errors.New("escpos: cannot parse stream")
	ErrShort = fmt.Errorf("%w: truncated command", ErrParse)
)

// Op is one command of a parsed stream.
type Op struct {
	Off  int    // offset of the command in the stream
	End  int    // offset just after it
	Cmd  string // e.g. "ESC @", "GS v 0", "GS ( k", "LF", or "text"
	Args []byte // parameter bytes after the command bytes (for GS ( k: cn fn m)
	Data []byte // printed text, image rows, QR or barcode data
}

func (o Op) String() string {
	if o.Cmd == "text" {
		return fmt.Sprintf("text %q", o.Data)
	}
	if len(o.Data) > 0 {
		return fmt.Sprintf("%s % x +%dB", o.Cmd, o.Args, len(o.Data))
	}
	if len(o.Args) == 0 {
		return o.Cmd
	}
	return fmt.Sprintf("%s % x", o.Cmd, o.Args)
}

// Parse splits a stream of the commands this package emits into ops. It is
// meant for our own output (the simulated printer, tests), and fails on a
// command it does not know rather than guessing its length.
func Parse(p []byte) ([]Op, error) {
	var ops []Op
	i := 0
	need := func(n int) error {
		if i+n > len(p) {
			return fmt.Errorf("%w at %d", ErrShort, i)
		}
		return nil
	}
	for i < len(p) {
		start, first := i, len(ops)
		b := p[i]
		switch {
		case b == LF:
			ops = append(ops, Op{Off: i, Cmd: "LF"})
			i++
		case b == ESC:
			if err := need(2); err != nil {
				return ops, err
			}
			c := p[i+1]
			switch c {
			case '@':
				ops = append(ops, Op{Off: i, Cmd: "ESC @"})
				i += 2
			case 'a', 'E', 'M', 't', 'd', 'J', '!', '2', '3', 'R', '-':
				if err := need(3); err != nil {
					return ops, err
				}
				ops = append(ops, Op{Off: i, Cmd: "ESC " + string(c), Args: []byte{p[i+2]}})
				i += 3
			default:
				return ops, fmt.Errorf("%w: ESC %#x at %d", ErrParse, c, i)
			}
		case b == GS:
			if err := need(2); err != nil {
				return ops, err
			}
			c := p[i+1]
			switch c {
			case '!', 'h', 'w', 'H', 'a', 'B', 'f':
				if err := need(3); err != nil {
					return ops, err
				}
				ops = append(ops, Op{Off: i, Cmd: "GS " + string(c), Args: []byte{p[i+2]}})
				i += 3
			case 'V':
				if err := need(3); err != nil {
					return ops, err
				}
				m := p[i+2]
				if m >= 65 {
					if err := need(4); err != nil {
						return ops, err
					}
					ops = append(ops, Op{Off: i, Cmd: "GS V", Args: []byte{m, p[i+3]}})
					i += 4
				} else {
					ops = append(ops, Op{Off: i, Cmd: "GS V", Args: []byte{m}})
					i += 3
				}
			case 'v':
				if err := need(8); err != nil {
					return ops, err
				}
				if p[i+2] != '0' {
					return ops, fmt.Errorf("%w: GS v %#x at %d", ErrParse, p[i+2], i)
				}
				xb := int(p[i+4]) | int(p[i+5])<<8
				h := int(p[i+6]) | int(p[i+7])<<8
				if err := need(8 + xb*h); err != nil {
					return ops, err
				}
				ops = append(ops, Op{Off: i, Cmd: "GS v 0", Args: append([]byte(nil), p[i+3:i+8]...), Data: p[i+8 : i+8+xb*h]})
				i += 8 + xb*h
			case '(':
				if err := need(5); err != nil {
					return ops, err
				}
				fn := p[i+2]
				n := int(p[i+3]) | int(p[i+4])<<8
				if err := need(5 + n); err != nil {
					return ops, err
				}
				body := p[i+5 : i+5+n]
				op := Op{Off: i, Cmd: "GS ( " + string(fn)}
				if fn == 'k' && n >= 3 && body[1] == 'P' {
					op.Args, op.Data = body[:3], body[3:]
				} else {
					op.Args = body
				}
				ops = append(ops, op)
				i += 5 + n
			case 'k':
				if err := need(3); err != nil {
					return ops, err
				}
				m := p[i+2]
				if m >= 65 {
					if err := need(4); err != nil {
						return ops, err
					}
					n := int(p[i+3])
					if err := need(4 + n); err != nil {
						return ops, err
					}
					ops = append(ops, Op{Off: i, Cmd: "GS k", Args: []byte{m, p[i+3]}, Data: p[i+4 : i+4+n]})
					i += 4 + n
				} else {
					j := i + 3
					for j < len(p) && p[j] != 0 {
						j++
					}
					if j >= len(p) {
						return ops, fmt.Errorf("%w: unterminated GS k at %d", ErrShort, i)
					}
					ops = append(ops, Op{Off: i, Cmd: "GS k", Args: []byte{m}, Data: p[i+3 : j]})
					i = j + 1
				}
			default:
				return ops, fmt.Errorf("%w: GS %#x at %d", ErrParse, c, i)
			}
		case b == DLE:
			if err := need(3); err != nil {
				return ops, err
			}
			if p[i+1] != EOT {
				return ops, fmt.Errorf("%w: DLE %#x at %d", ErrParse, p[i+1], i)
			}
			ops = append(ops, Op{Off: i, Cmd: "DLE EOT", Args: []byte{p[i+2]}})
			i += 3
		case b < 0x20:
			return ops, fmt.Errorf("%w: control byte %#x at %d", ErrParse, b, i)
		default:
			for i < len(p) && p[i] >= 0x20 {
				i++
			}
			ops = append(ops, Op{Off: start, Cmd: "text", Data: p[start:i]})
		}
		for k := first; k < len(ops); k++ {
			ops[k].End = i
		}
	}
	return ops, nil
}
