package pdf

import (
	"bytes"
	"fmt"
	"strconv"
)

func isWhite(c byte) bool {
	return c == 0 || c == 9 || c == 10 || c == 12 || c == 13 || c == 32
}

func isDelim(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

func isRegular(c byte) bool { return !isWhite(c) && !isDelim(c) }

// parser reads objects from b; base is the file offset of b[0] (-1 when b
// is not the file, e.g. a decompressed object stream).
type parser struct {
	b     []byte
	pos   int
	base  int64
	lim   *Limits
	elems int
}

// keyword is a bare token such as obj, endobj, stream, R, xref, trailer.
type keyword string

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: at offset %d: %s", ErrSyntax, p.off(p.pos), fmt.Sprintf(format, args...))
}

func (p *parser) off(i int) int64 {
	if p.base < 0 {
		return -1
	}
	return p.base + int64(i)
}

func (p *parser) skipWS() {
	for p.pos < len(p.b) {
		c := p.b[p.pos]
		switch {
		case isWhite(c):
			p.pos++
		case c == '%':
			for p.pos < len(p.b) && p.b[p.pos] != '\n' && p.b[p.pos] != '\r' {
				p.pos++
			}
		default:
			return
		}
	}
}

// token reads a regular-character token (number, keyword).
func (p *parser) token() []byte {
	s := p.pos
	for p.pos < len(p.b) && isRegular(p.b[p.pos]) {
		p.pos++
	}
	return p.b[s:p.pos]
}

// readInt reads an unsigned decimal integer token; ok false (position
// restored) when the next token is not one.
func (p *parser) readInt() (int64, bool) {
	save := p.pos
	p.skipWS()
	t := p.token()
	if len(t) == 0 || len(t) > 18 {
		p.pos = save
		return 0, false
	}
	for _, c := range t {
		if c < '0' || c > '9' {
			p.pos = save
			return 0, false
		}
	}
	n, _ := strconv.ParseInt(string(t), 10, 64)
	return n, true
}

// expectKeyword consumes kw when it is the next token.
func (p *parser) expectKeyword(kw string) bool {
	save := p.pos
	p.skipWS()
	if t := p.token(); string(t) == kw {
		return true
	}
	p.pos = save
	return false
}

// object reads one object (no "stream" handling: that belongs to indirect
// objects).
func (p *parser) object(depth int) (Object, error) {
	if depth > p.lim.MaxDepth {
		return nil, fmt.Errorf("%w: objects nested deeper than %d", ErrLimit, p.lim.MaxDepth)
	}
	p.elems++
	if p.elems > p.lim.MaxElements {
		return nil, fmt.Errorf("%w: more than %d elements in one object", ErrLimit, p.lim.MaxElements)
	}
	p.skipWS()
	if p.pos >= len(p.b) {
		return nil, p.errorf("unexpected end of data")
	}
	c := p.b[p.pos]
	switch c {
	case '/':
		p.pos++
		return p.name(), nil
	case '(':
		return p.literalString()
	case '<':
		if p.pos+1 < len(p.b) && p.b[p.pos+1] == '<' {
			p.pos += 2
			return p.dict(depth)
		}
		return p.hexString()
	case '[':
		p.pos++
		var arr Array
		for {
			p.skipWS()
			if p.pos >= len(p.b) {
				return nil, p.errorf("unterminated array")
			}
			if p.b[p.pos] == ']' {
				p.pos++
				if arr == nil {
					arr = Array{}
				}
				return arr, nil
			}
			o, err := p.object(depth + 1)
			if err != nil {
				return nil, err
			}
			if k, ok := o.(keyword); ok {
				return nil, p.errorf("unexpected keyword %q in array", string(k))
			}
			arr = append(arr, o)
		}
	case ')', '>', ']', '{', '}':
		return nil, p.errorf("unexpected %q", c)
	}
	start := p.pos
	t := p.token()
	if len(t) == 0 {
		p.pos++
		return nil, p.errorf("unexpected byte %q", c)
	}
	switch string(t) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "null":
		return nil, nil
	}
	if c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9') {
		if i, err := strconv.ParseInt(string(t), 10, 64); err == nil {
			// "N G R"?
			if i >= 0 && c != '+' && c != '-' {
				save := p.pos
				if g, ok := p.readInt(); ok && p.expectKeyword("R") {
					if i > int64(p.lim.MaxObjects) || g > 65535 {
						return nil, p.errorf("reference %d %d R out of range", i, g)
					}
					return Ref{Num: int(i), Gen: int(g)}, nil
				}
				p.pos = save
			}
			return i, nil
		}
		if f, err := strconv.ParseFloat(string(t), 64); err == nil {
			return f, nil
		}
		// Tolerate malformed reals such as "--1" or "1.2.3" as 0.
		_ = start
		return float64(0), nil
	}
	return keyword(t), nil
}

func (p *parser) name() Name {
	s := p.pos
	for p.pos < len(p.b) && isRegular(p.b[p.pos]) {
		p.pos++
	}
	raw := p.b[s:p.pos]
	if bytes.IndexByte(raw, '#') < 0 {
		return Name(raw)
	}
	var out []byte
	for i := 0; i < len(raw); i++ {
		if raw[i] == '#' && i+2 < len(raw) {
			if v, err := strconv.ParseUint(string(raw[i+1:i+3]), 16, 8); err == nil {
				out = append(out, byte(v))
				i += 2
				continue
			}
		}
		out = append(out, raw[i])
	}
	return Name(out)
}

func (p *parser) dict(depth int) (Object, error) {
	d := Dict{}
	for {
		p.skipWS()
		if p.pos >= len(p.b) {
			return nil, p.errorf("unterminated dictionary")
		}
		if p.b[p.pos] == '>' {
			if p.pos+1 < len(p.b) && p.b[p.pos+1] == '>' {
				p.pos += 2
				return d, nil
			}
			return nil, p.errorf("unexpected '>' in dictionary")
		}
		if p.b[p.pos] != '/' {
			return nil, p.errorf("dictionary key is not a name")
		}
		p.pos++
		k := p.name()
		v, err := p.object(depth + 1)
		if err != nil {
			return nil, err
		}
		if kw, ok := v.(keyword); ok {
			return nil, p.errorf("unexpected keyword %q as value of /%s", string(kw), k)
		}
		// ISO 32000-1 §7.3.7: a null value is the same as no entry.
		if v == nil {
			delete(d, k)
			continue
		}
		d[k] = v // a repeated key: the last one wins, as in most readers
	}
}

func (p *parser) hexString() (Object, error) {
	start := p.pos
	p.pos++
	end := bytes.IndexByte(p.b[p.pos:], '>')
	if end < 0 {
		return nil, p.errorf("unterminated hex string")
	}
	raw := p.b[p.pos : p.pos+end]
	p.pos += end + 1
	out := make([]byte, 0, len(raw)/2+1)
	var hi byte
	half := false
	for _, c := range raw {
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		case isWhite(c):
			continue
		default:
			return nil, p.errorf("invalid character %q in hex string", c)
		}
		if half {
			out = append(out, hi<<4|v)
			half = false
		} else {
			hi, half = v, true
		}
	}
	if half {
		out = append(out, hi<<4)
	}
	return String{Value: out, Hex: true, Start: p.off(start), End: p.off(p.pos)}, nil
}

func (p *parser) literalString() (Object, error) {
	start := p.pos
	p.pos++
	var out []byte
	nest := 0
	for p.pos < len(p.b) {
		c := p.b[p.pos]
		p.pos++
		switch c {
		case '(':
			nest++
			out = append(out, c)
		case ')':
			if nest == 0 {
				return String{Value: out, Start: p.off(start), End: p.off(p.pos)}, nil
			}
			nest--
			out = append(out, c)
		case '\\':
			if p.pos >= len(p.b) {
				return nil, p.errorf("unterminated string")
			}
			e := p.b[p.pos]
			p.pos++
			switch e {
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case '\r':
				if p.pos < len(p.b) && p.b[p.pos] == '\n' {
					p.pos++
				}
			case '\n':
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for k := 0; k < 2 && p.pos < len(p.b) && p.b[p.pos] >= '0' && p.b[p.pos] <= '7'; k++ {
						v = v*8 + int(p.b[p.pos]-'0')
						p.pos++
					}
					out = append(out, byte(v))
				} else {
					out = append(out, e)
				}
			}
		default:
			out = append(out, c)
		}
	}
	return nil, p.errorf("unterminated string")
}
