package cms

import (
	"bytes"
	"fmt"
	"sort"
)

// toDER re-encodes a parsed BER element in DER (X.690 §10): definite
// minimal lengths, constructed OCTET STRINGs joined, SET OF elements
// sorted by their encodings. Used only as the fallback of
// verifySignedAttrs (see there), never for what is hashed first.
func toDER(n *node) ([]byte, error) {
	var content []byte
	switch {
	case !n.constructed:
		content = n.content
	case n.universal(tagOctetString):
		v, err := n.octets()
		if err != nil {
			return nil, err
		}
		return derHeader(n.class, n.tag, false, v), nil
	default:
		kids := make([][]byte, 0, len(n.kids))
		for _, k := range n.kids {
			b, err := toDER(k)
			if err != nil {
				return nil, err
			}
			kids = append(kids, b)
		}
		if n.universal(tagSet) {
			sort.Slice(kids, func(i, j int) bool { return bytes.Compare(kids[i], kids[j]) < 0 })
		}
		content = bytes.Join(kids, nil)
	}
	return derHeader(n.class, n.tag, n.constructed, content), nil
}

func derHeader(class, tag int, constructed bool, content []byte) []byte {
	var b []byte
	first := byte(class << 6)
	if constructed {
		first |= 0x20
	}
	if tag < 0x1f {
		b = append(b, first|byte(tag))
	} else {
		b = append(b, first|0x1f)
		var t []byte
		for v := tag; v > 0; v >>= 7 {
			t = append([]byte{byte(v&0x7f) | 0x80}, t...)
		}
		t[len(t)-1] &^= 0x80
		b = append(b, t...)
	}
	l := len(content)
	switch {
	case l < 0x80:
		b = append(b, byte(l))
	default:
		var lb []byte
		for v := l; v > 0; v >>= 8 {
			lb = append([]byte{byte(v)}, lb...)
		}
		b = append(b, 0x80|byte(len(lb)))
		b = append(b, lb...)
	}
	return append(b, content...)
}

// DERSignedAttrs returns the DER encoding (SET OF, sorted, definite
// lengths) of the signed attributes, which RFC 5652 §5.4 says is what a
// signer signs. Verify tries RawSignedAttrs (as received) first and this
// second, as DSS/BouncyCastle do (DSS issue 667: some signers sign the DER
// form and transmit another order).
func (si *SignerInfo) DERSignedAttrs() ([]byte, error) {
	if si.RawSignedAttrs == nil {
		return nil, fmt.Errorf("%w: no signed attributes", ErrMissingAttribute)
	}
	n, err := parseBER(si.RawSignedAttrs, DefaultLimits)
	if err != nil {
		return nil, err
	}
	return toDER(n)
}
