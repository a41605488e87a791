package cms

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"time"
)

func expect(n *node, class, tag int, what string) error {
	if n == nil {
		return fmt.Errorf("%w: %s missing", ErrMalformed, what)
	}
	if !n.is(class, tag) {
		return fmt.Errorf("%w: %s: unexpected %s", ErrMalformed, what, n.describe())
	}
	return nil
}

func expectSeq(n *node, what string) error {
	if err := expect(n, classUniversal, tagSequence, what); err != nil {
		return err
	}
	if !n.constructed {
		return fmt.Errorf("%w: %s: primitive SEQUENCE", ErrMalformed, what)
	}
	return nil
}

func parseOID(n *node, what string) (asn1.ObjectIdentifier, error) {
	if err := expect(n, classUniversal, tagOID, what); err != nil {
		return nil, err
	}
	if n.constructed || len(n.content) == 0 || len(n.content) > 256 {
		return nil, fmt.Errorf("%w: %s: bad OBJECT IDENTIFIER", ErrMalformed, what)
	}
	var arcs []int
	v := 0
	for i, c := range n.content {
		if v == 0 && c == 0x80 {
			return nil, fmt.Errorf("%w: %s: non-minimal OID arc", ErrMalformed, what)
		}
		if v > 1<<24 {
			return nil, fmt.Errorf("%w: %s: OID arc too large", ErrMalformed, what)
		}
		v = v<<7 | int(c&0x7f)
		if c&0x80 == 0 {
			if len(arcs) == 0 {
				switch {
				case v < 40:
					arcs = append(arcs, 0, v)
				case v < 80:
					arcs = append(arcs, 1, v-40)
				default:
					arcs = append(arcs, 2, v-80)
				}
			} else {
				arcs = append(arcs, v)
			}
			v = 0
		} else if i == len(n.content)-1 {
			return nil, fmt.Errorf("%w: %s: truncated OID", ErrMalformed, what)
		}
	}
	return asn1.ObjectIdentifier(arcs), nil
}

// parseInteger reads an INTEGER as a signed (two's complement) number:
// negative serial numbers are kept.
func parseInteger(n *node, what string) (*big.Int, error) {
	if err := expect(n, classUniversal, tagInteger, what); err != nil {
		return nil, err
	}
	return integerValue(n, what)
}

func integerValue(n *node, what string) (*big.Int, error) {
	if n.constructed || len(n.content) == 0 {
		return nil, fmt.Errorf("%w: %s: bad INTEGER", ErrMalformed, what)
	}
	v := new(big.Int).SetBytes(n.content)
	if n.content[0]&0x80 != 0 {
		v.Sub(v, new(big.Int).Lsh(big.NewInt(1), uint(8*len(n.content))))
	}
	return v, nil
}

func parseSmallInt(n *node, what string) (int, error) {
	v, err := parseInteger(n, what)
	if err != nil {
		return 0, err
	}
	if !v.IsInt64() || v.Int64() < 0 || v.Int64() > 1<<20 {
		return 0, fmt.Errorf("%w: %s out of range", ErrMalformed, what)
	}
	return int(v.Int64()), nil
}

// parseAlgID reads an AlgorithmIdentifier; Parameters.FullBytes is the
// parameter element as received.
func parseAlgID(n *node, what string) (pkix.AlgorithmIdentifier, error) {
	if err := expectSeq(n, what); err != nil {
		return pkix.AlgorithmIdentifier{}, err
	}
	if len(n.kids) < 1 || len(n.kids) > 2 {
		return pkix.AlgorithmIdentifier{}, fmt.Errorf("%w: %s: %d fields", ErrMalformed, what, len(n.kids))
	}
	oid, err := parseOID(n.kids[0], what)
	if err != nil {
		return pkix.AlgorithmIdentifier{}, err
	}
	a := pkix.AlgorithmIdentifier{Algorithm: oid}
	if len(n.kids) == 2 {
		a.Parameters = rawValue(n.kids[1])
	}
	return a, nil
}

func rawValue(n *node) asn1.RawValue {
	return asn1.RawValue{Class: n.class, Tag: n.tag, IsCompound: n.constructed, Bytes: n.content, FullBytes: n.full}
}

// parseTime reads UTCTime or GeneralizedTime (RFC 5652 §11.3 Time).
func parseTime(n *node) (time.Time, error) {
	if n.constructed || !(n.universal(tagUTCTime) || n.universal(tagGeneralized)) {
		return time.Time{}, fmt.Errorf("%w: time is %s", ErrMalformed, n.describe())
	}
	var t time.Time
	var err error
	if n.tag == tagUTCTime {
		_, err = asn1.UnmarshalWithParams(derTLV(tagUTCTime, n.content), &t, "utc")
	} else {
		t, err = parseGeneralizedTime(string(n.content))
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: time %q: %v", ErrMalformed, n.content, err)
	}
	return t, nil
}

// parseGeneralizedTime accepts YYYYMMDDHHMMSS[.fff]Z as RFC 3161 §2.4.2 and
// RFC 5280 use it.
func parseGeneralizedTime(s string) (time.Time, error) {
	for _, layout := range []string{"20060102150405Z0700", "20060102150405.999999999Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("not a GeneralizedTime")
}

func derTLV(tag int, content []byte) []byte {
	b := []byte{byte(tag)}
	l := len(content)
	switch {
	case l < 0x80:
		b = append(b, byte(l))
	case l < 0x100:
		b = append(b, 0x81, byte(l))
	case l < 0x10000:
		b = append(b, 0x82, byte(l>>8), byte(l))
	default:
		b = append(b, 0x83, byte(l>>16), byte(l>>8), byte(l))
	}
	return append(b, content...)
}
