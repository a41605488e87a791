package cms

import "fmt"

// Limits bound what the BER reader accepts. The zero value of a field
// means its default.
type Limits struct {
	MaxSize     int // input bytes; default 64 MiB
	MaxDepth    int // nesting of constructed elements; default 64
	MaxElements int // total number of elements; default 1,000,000
}

// DefaultLimits are used by Parse.
var DefaultLimits = Limits{MaxSize: 64 << 20, MaxDepth: 64, MaxElements: 1_000_000}

func (l Limits) withDefaults() Limits {
	if l.MaxSize <= 0 {
		l.MaxSize = DefaultLimits.MaxSize
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultLimits.MaxDepth
	}
	if l.MaxElements <= 0 {
		l.MaxElements = DefaultLimits.MaxElements
	}
	return l
}

// ASN.1 classes and universal tags used here.
const (
	classUniversal   = 0
	classApplication = 1
	classContext     = 2

	tagBoolean     = 1
	tagInteger     = 2
	tagBitString   = 3
	tagOctetString = 4
	tagNull        = 5
	tagOID         = 6
	tagUTF8String  = 12
	tagSequence    = 16
	tagSet         = 17
	tagUTCTime     = 23
	tagGeneralized = 24
)

// node is one BER element. full is its whole encoding as received (header,
// contents and, for the indefinite form, the end-of-contents octets);
// content excludes the header and end-of-contents.
type node struct {
	class       int
	tag         int
	constructed bool
	indefinite  bool
	full        []byte
	content     []byte
	kids        []*node
}

type berReader struct {
	lim      Limits
	elements int
}

// parseBER reads exactly one element from b (no trailing data allowed).
func parseBER(b []byte, lim Limits) (*node, error) {
	lim = lim.withDefaults()
	if len(b) > lim.MaxSize {
		return nil, fmt.Errorf("%w: input of %d bytes exceeds %d", ErrLimit, len(b), lim.MaxSize)
	}
	r := &berReader{lim: lim}
	n, rest, err := r.read(b, 0, 1)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the outer element", ErrMalformed, len(rest))
	}
	return n, nil
}

// read parses one element at the start of b; off is b's offset in the
// input (for messages), depth the nesting level.
func (r *berReader) read(b []byte, off, depth int) (*node, []byte, error) {
	if depth > r.lim.MaxDepth {
		return nil, nil, fmt.Errorf("%w: nesting deeper than %d at offset %d", ErrLimit, r.lim.MaxDepth, off)
	}
	r.elements++
	if r.elements > r.lim.MaxElements {
		return nil, nil, fmt.Errorf("%w: more than %d elements", ErrLimit, r.lim.MaxElements)
	}
	if len(b) < 2 {
		return nil, nil, fmt.Errorf("%w: truncated element at offset %d", ErrMalformed, off)
	}
	n := &node{class: int(b[0] >> 6), constructed: b[0]&0x20 != 0, tag: int(b[0] & 0x1f)}
	i := 1
	if n.tag == 0x1f { // high tag number form, X.690 §8.1.2.4
		n.tag = 0
		for {
			if i >= len(b) {
				return nil, nil, fmt.Errorf("%w: truncated tag at offset %d", ErrMalformed, off)
			}
			c := b[i]
			i++
			if n.tag == 0 && c == 0x80 {
				return nil, nil, fmt.Errorf("%w: non-minimal high tag at offset %d", ErrMalformed, off)
			}
			if n.tag >= 1<<23 {
				return nil, nil, fmt.Errorf("%w: tag number too large at offset %d", ErrMalformed, off)
			}
			n.tag = n.tag<<7 | int(c&0x7f)
			if c&0x80 == 0 {
				break
			}
		}
		if n.tag < 0x1f {
			return nil, nil, fmt.Errorf("%w: high tag form for low tag %d at offset %d", ErrMalformed, n.tag, off)
		}
	}
	if i >= len(b) {
		return nil, nil, fmt.Errorf("%w: truncated length at offset %d", ErrMalformed, off)
	}
	lb := b[i]
	i++
	switch {
	case lb == 0x80:
		if !n.constructed {
			return nil, nil, fmt.Errorf("%w: indefinite length on a primitive element at offset %d", ErrMalformed, off)
		}
		n.indefinite = true
		rest := b[i:]
		for {
			if len(rest) >= 2 && rest[0] == 0 && rest[1] == 0 {
				consumed := len(b) - len(rest)
				n.content = b[i:consumed]
				n.full = b[:consumed+2]
				return n, rest[2:], nil
			}
			if len(rest) == 0 {
				return nil, nil, fmt.Errorf("%w: missing end-of-contents for element at offset %d", ErrMalformed, off)
			}
			kid, next, err := r.read(rest, off+len(b)-len(rest), depth+1)
			if err != nil {
				return nil, nil, err
			}
			n.kids = append(n.kids, kid)
			rest = next
		}
	case lb == 0xff:
		return nil, nil, fmt.Errorf("%w: reserved length octet at offset %d", ErrMalformed, off)
	}
	length := int(lb)
	if lb > 0x80 {
		nb := int(lb & 0x7f)
		if nb > 4 {
			return nil, nil, fmt.Errorf("%w: length of %d octets at offset %d", ErrLimit, nb, off)
		}
		if i+nb > len(b) {
			return nil, nil, fmt.Errorf("%w: truncated length at offset %d", ErrMalformed, off)
		}
		length = 0
		for _, c := range b[i : i+nb] {
			length = length<<8 | int(c)
		}
		i += nb
	}
	if length < 0 || length > len(b)-i {
		return nil, nil, fmt.Errorf("%w: element at offset %d claims %d bytes, %d remain", ErrMalformed, off, length, len(b)-i)
	}
	n.content = b[i : i+length]
	n.full = b[:i+length]
	if n.constructed {
		rest := n.content
		for len(rest) > 0 {
			kid, next, err := r.read(rest, off+i+len(n.content)-len(rest), depth+1)
			if err != nil {
				return nil, nil, err
			}
			n.kids = append(n.kids, kid)
			rest = next
		}
	}
	return n, b[i+length:], nil
}

func (n *node) is(class, tag int) bool { return n != nil && n.class == class && n.tag == tag }

func (n *node) universal(tag int) bool { return n.is(classUniversal, tag) }

func (n *node) context(tag int) bool { return n.is(classContext, tag) }

func (n *node) describe() string {
	if n == nil {
		return "nothing"
	}
	cl := [...]string{"UNIVERSAL", "APPLICATION", "CONTEXT", "PRIVATE"}[n.class&3]
	return fmt.Sprintf("[%s %d]", cl, n.tag)
}

// octets returns the value of an OCTET STRING (or an element implicitly
// tagged as one), concatenating the segments of the constructed form
// (X.690 §8.7.3).
func (n *node) octets() ([]byte, error) {
	if !n.constructed {
		return n.content, nil
	}
	var out []byte
	for _, k := range n.kids {
		if !k.universal(tagOctetString) {
			return nil, fmt.Errorf("%w: constructed OCTET STRING holds %s", ErrMalformed, k.describe())
		}
		v, err := k.octets()
		if err != nil {
			return nil, err
		}
		out = append(out, v...)
	}
	if out == nil {
		out = []byte{}
	}
	return out, nil
}

// FirstElement returns the first BER element of data (definite or
// indefinite length) and what follows it, within DefaultLimits. PAdES
// /Contents are zero-padded: callers check that rest is all zeros.
func FirstElement(data []byte) (elem, rest []byte, err error) {
	if len(data) > DefaultLimits.MaxSize {
		return nil, nil, fmt.Errorf("%w: input of %d bytes", ErrLimit, len(data))
	}
	r := &berReader{lim: DefaultLimits}
	n, rest, err := r.read(data, 0, 1)
	if err != nil {
		return nil, nil, err
	}
	return n.full, rest, nil
}
