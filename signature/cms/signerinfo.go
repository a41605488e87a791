package cms

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"

	"github.com/sigintake/sigintake/signature/algo"
)

// Attribute is a CMS Attribute (RFC 5652 §5.3); Values are as received.
type Attribute struct {
	Type   asn1.ObjectIdentifier
	Values []asn1.RawValue
	Raw    []byte
}

// IssuerAndSerial identifies a certificate by issuer name and serial.
type IssuerAndSerial struct {
	RawIssuer []byte   // the issuer Name element as received
	Serial    *big.Int // may be negative (seen in real certificates)
}

// SignerIdentifier is the sid of a SignerInfo: exactly one of
// IssuerAndSerial or SubjectKeyIdentifier is set.
type SignerIdentifier struct {
	IssuerAndSerial      *IssuerAndSerial
	SubjectKeyIdentifier []byte
}

// SignerInfo is an RFC 5652 §5.3 SignerInfo.
type SignerInfo struct {
	Version         int
	SID             SignerIdentifier
	DigestAlgorithm pkix.AlgorithmIdentifier
	SignedAttrs     []Attribute
	// RawSignedAttrs is the signedAttrs element exactly as received with
	// its first octet replaced by 0x31 (SET OF), the input to the
	// signature per RFC 5652 §5.4. Nil without signed attributes.
	RawSignedAttrs     []byte
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
	UnsignedAttrs      []Attribute
	Raw                []byte // the SignerInfo as received
	hasSignedAttrs     bool
}

// Algorithm identifies the signature algorithm from signatureAlgorithm and
// digestAlgorithm.
func (si *SignerInfo) Algorithm() (algo.Signature, error) {
	return algo.ParseAlgorithm(si.SignatureAlgorithm, &si.DigestAlgorithm)
}

func parseSignerInfo(n *node) (*SignerInfo, error) {
	if err := expectSeq(n, "SignerInfo"); err != nil {
		return nil, err
	}
	k := n.kids
	if len(k) < 5 {
		return nil, fmt.Errorf("%w: SignerInfo has %d fields", ErrMalformed, len(k))
	}
	si := &SignerInfo{Raw: n.full}
	var err error
	if si.Version, err = parseSmallInt(k[0], "SignerInfo.version"); err != nil {
		return nil, err
	}
	switch sid := k[1]; {
	case sid.universal(tagSequence) && len(sid.kids) == 2:
		if err := expectSeq(sid.kids[0], "IssuerAndSerialNumber.issuer"); err != nil {
			return nil, err
		}
		serial, err := parseInteger(sid.kids[1], "IssuerAndSerialNumber.serialNumber")
		if err != nil {
			return nil, err
		}
		si.SID.IssuerAndSerial = &IssuerAndSerial{RawIssuer: sid.kids[0].full, Serial: serial}
	case sid.context(0):
		if si.SID.SubjectKeyIdentifier, err = sid.octets(); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%w: SignerIdentifier is %s", ErrMalformed, sid.describe())
	}
	if si.DigestAlgorithm, err = parseAlgID(k[2], "SignerInfo.digestAlgorithm"); err != nil {
		return nil, err
	}
	i := 3
	if k[i].context(0) {
		if !k[i].constructed {
			return nil, fmt.Errorf("%w: primitive signedAttrs", ErrMalformed)
		}
		si.hasSignedAttrs = true
		if si.SignedAttrs, err = parseAttributes(k[i], "signedAttrs"); err != nil {
			return nil, err
		}
		raw := append([]byte(nil), k[i].full...)
		raw[0] = 0x31 // [0] IMPLICIT -> SET OF, length and contents unchanged
		si.RawSignedAttrs = raw
		i++
	}
	if i+2 > len(k) {
		return nil, fmt.Errorf("%w: SignerInfo truncated", ErrMalformed)
	}
	if si.SignatureAlgorithm, err = parseAlgID(k[i], "SignerInfo.signatureAlgorithm"); err != nil {
		return nil, err
	}
	if err := expect(k[i+1], classUniversal, tagOctetString, "SignerInfo.signature"); err != nil {
		return nil, err
	}
	if si.Signature, err = k[i+1].octets(); err != nil {
		return nil, err
	}
	i += 2
	if i < len(k) && k[i].context(1) && k[i].constructed {
		if si.UnsignedAttrs, err = parseAttributes(k[i], "unsignedAttrs"); err != nil {
			return nil, err
		}
		i++
	}
	if i != len(k) {
		return nil, fmt.Errorf("%w: unexpected %s in SignerInfo", ErrMalformed, k[i].describe())
	}
	return si, nil
}

func parseAttributes(n *node, what string) ([]Attribute, error) {
	var out []Attribute
	for _, a := range n.kids {
		if err := expectSeq(a, what); err != nil {
			return nil, err
		}
		if len(a.kids) != 2 {
			return nil, fmt.Errorf("%w: %s: attribute with %d fields", ErrMalformed, what, len(a.kids))
		}
		t, err := parseOID(a.kids[0], what)
		if err != nil {
			return nil, err
		}
		if err := expect(a.kids[1], classUniversal, tagSet, what+" values"); err != nil {
			return nil, err
		}
		at := Attribute{Type: t, Raw: a.full}
		for _, v := range a.kids[1].kids {
			at.Values = append(at.Values, rawValue(v))
		}
		out = append(out, at)
	}
	return out, nil
}
