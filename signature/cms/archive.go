package cms

import (
	"bytes"
	"crypto"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"

	"github.com/sigintake/sigintake/signature/algo"
)

// OIDAttrATSHashIndexEN is ats-hash-index-v3 (EN 319 122-1 §5.5.2), whose
// unsigned-attribute hashes cover attrType and one value each. The older
// ats-hash-index of ETSI TS 101 733 (0.4.0.1733.2.5, hashes over whole
// attributes) is OIDAttrATSHashIndexV3, named before this distinction.
var OIDAttrATSHashIndexEN = asn1.ObjectIdentifier{0, 4, 0, 19122, 1, 5}

// RawAttribute is one Attribute of a SignerInfo as received: the whole
// element, its attrType element and each AttributeValue element.
type RawAttribute struct {
	Type    asn1.ObjectIdentifier
	Raw     []byte
	RawType []byte
	Values  [][]byte
}

// SignerInfoElements are the elements of a SignerInfo (RFC 5652 §5.3) as
// received, tag and length included, for archive time-stamps (EN 319 122-1
// §5.5.3, RFC 5126 §6.4.1).
type SignerInfoElements struct {
	Version, SID, DigestAlgorithm []byte
	// SignedAttrs is the [0] IMPLICIT element with its tag as received,
	// nil when absent.
	SignedAttrs                   []byte
	SignatureAlgorithm, Signature []byte
	// UnsignedAttrs is the [1] IMPLICIT element, nil when absent;
	// UnsignedAttributes its attributes in order of appearance.
	UnsignedAttrs      []byte
	UnsignedAttributes []RawAttribute
}

// Elements returns the elements of si as received.
func (si *SignerInfo) Elements() (*SignerInfoElements, error) {
	n, err := parseBER(si.Raw, DefaultLimits)
	if err != nil {
		return nil, err
	}
	if err := expectSeq(n, "SignerInfo"); err != nil {
		return nil, err
	}
	k := n.kids
	if len(k) < 5 {
		return nil, fmt.Errorf("%w: SignerInfo has %d fields", ErrMalformed, len(k))
	}
	e := &SignerInfoElements{Version: k[0].full, SID: k[1].full, DigestAlgorithm: k[2].full}
	i := 3
	if k[i].context(0) {
		e.SignedAttrs = k[i].full
		i++
	}
	if i+2 > len(k) {
		return nil, fmt.Errorf("%w: SignerInfo truncated", ErrMalformed)
	}
	e.SignatureAlgorithm, e.Signature = k[i].full, k[i+1].full
	i += 2
	if i < len(k) && k[i].context(1) && k[i].constructed {
		e.UnsignedAttrs = k[i].full
		for _, a := range k[i].kids {
			if !a.universal(tagSequence) || len(a.kids) != 2 || !a.kids[1].universal(tagSet) {
				return nil, fmt.Errorf("%w: unsigned attribute is not SEQUENCE { type, SET }", ErrMalformed)
			}
			t, err := parseOID(a.kids[0], "unsignedAttrs")
			if err != nil {
				return nil, err
			}
			ra := RawAttribute{Type: t, Raw: a.full, RawType: a.kids[0].full}
			for _, v := range a.kids[1].kids {
				ra.Values = append(ra.Values, v.full)
			}
			e.UnsignedAttributes = append(e.UnsignedAttributes, ra)
		}
		i++
	}
	if i != len(k) {
		return nil, fmt.Errorf("%w: unexpected %s in SignerInfo", ErrMalformed, k[i].describe())
	}
	return e, nil
}

// SignedDataElements are elements of a SignedData (RFC 5652 §5.1) as
// received, tag and length included.
type SignedDataElements struct {
	// EContentType is the eContentType OBJECT IDENTIFIER element;
	// EncapContentInfo the whole encapContentInfo.
	EContentType, EncapContentInfo []byte
	// Certificates and CRLs are the [0] and [1] IMPLICIT fields, nil when
	// absent; CertificateChoices and RevocationInfoChoices their elements.
	Certificates, CRLs                        []byte
	CertificateChoices, RevocationInfoChoices [][]byte
}

// Elements returns the elements of sd as received (from sd.Raw).
func (sd *SignedData) Elements() (*SignedDataElements, error) {
	root, err := parseBER(sd.Raw, DefaultLimits)
	if err != nil {
		return nil, err
	}
	if !root.universal(tagSequence) || len(root.kids) != 2 || len(root.kids[1].kids) != 1 {
		return nil, fmt.Errorf("%w: ContentInfo", ErrMalformed)
	}
	n := root.kids[1].kids[0]
	if err := expectSeq(n, "SignedData"); err != nil {
		return nil, err
	}
	k := n.kids
	if len(k) < 4 {
		return nil, fmt.Errorf("%w: SignedData has %d fields", ErrMalformed, len(k))
	}
	if err := expectSeq(k[2], "EncapsulatedContentInfo"); err != nil {
		return nil, err
	}
	if len(k[2].kids) < 1 || !k[2].kids[0].universal(tagOID) {
		return nil, fmt.Errorf("%w: eContentType", ErrMalformed)
	}
	e := &SignedDataElements{EContentType: k[2].kids[0].full, EncapContentInfo: k[2].full}
	i := 3
	if i < len(k) && k[i].context(0) && k[i].constructed {
		e.Certificates = k[i].full
		for _, c := range k[i].kids {
			e.CertificateChoices = append(e.CertificateChoices, c.full)
		}
		i++
	}
	if i < len(k) && k[i].context(1) && k[i].constructed {
		e.CRLs = k[i].full
		for _, c := range k[i].kids {
			e.RevocationInfoChoices = append(e.RevocationInfoChoices, c.full)
		}
	}
	return e, nil
}

// DEREncoding returns the DER encoding (X.690 §10) of the BER element elem:
// elem itself when it is DER already, else a re-encoding with definite
// lengths, joined OCTET STRINGs and sorted SET OF. Tagged elements keep
// their tag.
func DEREncoding(elem []byte) ([]byte, error) {
	n, err := parseBER(elem, DefaultLimits)
	if err != nil {
		return nil, err
	}
	d, err := toDER(n)
	if err != nil {
		return nil, err
	}
	if bytes.Equal(d, elem) {
		return elem, nil
	}
	return d, nil
}

// ATSHashIndex is the ats-hash-index (ETSI TS 101 733 §6.4.2) or
// ats-hash-index-v3 (EN 319 122-1 §5.5.2) unsigned attribute of an
// archive-time-stamp-v3 token:
//
//	ATSHashIndex(V3) ::= SEQUENCE {
//	  hashIndAlgorithm AlgorithmIdentifier DEFAULT {algorithm id-sha256},
//	  certificatesHashIndex SEQUENCE OF OCTET STRING,
//	  crlsHashIndex SEQUENCE OF OCTET STRING,
//	  unsignedAttrs(Values)HashIndex SEQUENCE OF OCTET STRING }
type ATSHashIndex struct {
	// V3 is true for ats-hash-index-v3, whose unsigned-attribute hashes
	// are over attrType || one AttributeValue, false for ats-hash-index,
	// whose hashes are over whole Attributes.
	V3            bool
	HashAlgorithm pkix.AlgorithmIdentifier
	Hash          crypto.Hash
	Certificates  [][]byte
	CRLs          [][]byte
	UnsignedAttrs [][]byte
	// Raw is the ATSHashIndex value element as received.
	Raw []byte
}

// ATSHashIndex returns the ats-hash-index(-v3) attribute among the unsigned
// attributes of si (the SignerInfo of an archive-time-stamp-v3 token). It is
// an error when there is none, more than one, or it is malformed.
func (si *SignerInfo) ATSHashIndex() (*ATSHashIndex, error) {
	var found []Attribute
	for _, a := range si.UnsignedAttrs {
		if a.Type.Equal(OIDAttrATSHashIndexEN) || a.Type.Equal(OIDAttrATSHashIndexV3) {
			found = append(found, a)
		}
	}
	switch {
	case len(found) == 0:
		return nil, fmt.Errorf("%w: no ats-hash-index attribute in the time-stamp token", ErrMissingAttribute)
	case len(found) > 1 || len(found[0].Values) != 1:
		return nil, fmt.Errorf("%w: ats-hash-index must be one attribute with one value", ErrDuplicateAttribute)
	}
	raw := found[0].Values[0].FullBytes
	n, err := parseBER(raw, DefaultLimits)
	if err != nil {
		return nil, fmt.Errorf("ats-hash-index: %w", err)
	}
	if err := expectSeq(n, "ATSHashIndex"); err != nil {
		return nil, err
	}
	idx := &ATSHashIndex{V3: found[0].Type.Equal(OIDAttrATSHashIndexEN), Raw: raw, Hash: crypto.SHA256,
		HashAlgorithm: pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}}}
	k := n.kids
	switch len(k) {
	case 3:
	case 4:
		var alg pkix.AlgorithmIdentifier
		if k[0].universal(tagOID) { // a bare OID, seen by DSS in the wild
			if alg.Algorithm, err = parseOID(k[0], "hashIndAlgorithm"); err != nil {
				return nil, err
			}
		} else if alg, err = parseAlgID(k[0], "hashIndAlgorithm"); err != nil {
			return nil, err
		}
		if idx.Hash, err = algo.HashFromOID(alg.Algorithm); err != nil {
			return nil, fmt.Errorf("%w: ats-hash-index algorithm: %v", ErrMalformed, err)
		}
		idx.HashAlgorithm = alg
		k = k[1:]
	default:
		return nil, fmt.Errorf("%w: ATSHashIndex has %d fields", ErrMalformed, len(k))
	}
	lists := []*[][]byte{&idx.Certificates, &idx.CRLs, &idx.UnsignedAttrs}
	for i, name := range []string{"certificatesHashIndex", "crlsHashIndex", "unsignedAttrsHashIndex"} {
		if err := expectSeq(k[i], name); err != nil {
			return nil, err
		}
		for _, o := range k[i].kids {
			if !o.universal(tagOctetString) {
				return nil, fmt.Errorf("%w: %s holds %s", ErrMalformed, name, o.describe())
			}
			v, err := o.octets()
			if err != nil {
				return nil, err
			}
			if len(v) != idx.Hash.Size() {
				return nil, fmt.Errorf("%w: %s holds a %d-byte hash, %v makes %d", ErrMalformed, name, len(v), idx.Hash, idx.Hash.Size())
			}
			*lists[i] = append(*lists[i], v)
		}
	}
	return idx, nil
}
