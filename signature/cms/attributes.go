package cms

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"time"
)

// Attribute types of RFC 5035, RFC 5126 and EN 319 122-1.
var (
	OIDAttrSigningCertificate   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 12}
	OIDAttrSignatureTimeStamp   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
	OIDAttrSigPolicyID          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 15}
	OIDAttrContentTimeStamp     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 20}
	OIDAttrCertificateRefs      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 21}
	OIDAttrRevocationRefs       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 22}
	OIDAttrCertValues           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 23}
	OIDAttrRevocationValues     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 24}
	OIDAttrEscTimeStamp         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 25}
	OIDAttrCertCRLTimestamp     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 26}
	OIDAttrSigningCertificateV2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	OIDAttrArchiveTimeStampV2   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 48}
	OIDAttrArchiveTimeStampV3   = asn1.ObjectIdentifier{0, 4, 0, 1733, 2, 4}
	OIDAttrATSHashIndexV3       = asn1.ObjectIdentifier{0, 4, 0, 1733, 2, 5}
)

// values returns every value of every attribute of type t, parsed.
func values(attrs []Attribute, t asn1.ObjectIdentifier) ([]*node, error) {
	var out []*node
	for _, a := range attrs {
		if !a.Type.Equal(t) {
			continue
		}
		for _, v := range a.Values {
			n, err := parseBER(v.FullBytes, DefaultLimits)
			if err != nil {
				return nil, fmt.Errorf("attribute %s: %w", t, err)
			}
			out = append(out, n)
		}
	}
	return out, nil
}

func rawValues(attrs []Attribute, t asn1.ObjectIdentifier) [][]byte {
	var out [][]byte
	for _, a := range attrs {
		if a.Type.Equal(t) {
			for _, v := range a.Values {
				out = append(out, v.FullBytes)
			}
		}
	}
	return out
}

// HasAttribute reports whether attrs contain an attribute of type t.
func HasAttribute(attrs []Attribute, t asn1.ObjectIdentifier) bool {
	for _, a := range attrs {
		if a.Type.Equal(t) {
			return true
		}
	}
	return false
}

// SigningTime returns the signing-time signed attribute (RFC 5652 §11.3),
// UTCTime or GeneralizedTime; ok is false when absent.
func (si *SignerInfo) SigningTime() (t time.Time, ok bool, err error) {
	if !HasAttribute(si.SignedAttrs, OIDAttrSigningTime) {
		return time.Time{}, false, nil
	}
	v, err := si.singleSigned(OIDAttrSigningTime, "signing-time")
	if err != nil {
		return time.Time{}, false, err
	}
	n, err := parseBER(v.FullBytes, DefaultLimits)
	if err != nil {
		return time.Time{}, false, err
	}
	t, err = parseTime(n)
	if err != nil {
		return time.Time{}, false, err
	}
	return t, true, nil
}

// SignatureTimeStampTokens returns the raw TimeStampTokens (ContentInfo)
// of the signature-time-stamp unsigned attributes (RFC 3161 Appendix A).
func (si *SignerInfo) SignatureTimeStampTokens() [][]byte {
	return rawValues(si.UnsignedAttrs, OIDAttrSignatureTimeStamp)
}

// ContentTimeStamps returns the content-time-stamp signed attributes
// (EN 319 122-1 §5.2.8).
func (si *SignerInfo) ContentTimeStamps() [][]byte {
	return rawValues(si.SignedAttrs, OIDAttrContentTimeStamp)
}

// ArchiveTimeStamps returns archive-time-stamp v2 (RFC 5126 §6.4.1) and v3
// (EN 319 122-1 §5.5.3) unsigned attributes, in order of appearance.
func (si *SignerInfo) ArchiveTimeStamps() [][]byte {
	var out [][]byte
	for _, a := range si.UnsignedAttrs {
		if a.Type.Equal(OIDAttrArchiveTimeStampV2) || a.Type.Equal(OIDAttrArchiveTimeStampV3) {
			for _, v := range a.Values {
				out = append(out, v.FullBytes)
			}
		}
	}
	return out
}

// CounterSignatures parses the countersignature unsigned attributes
// (RFC 5652 §11.4): each value is a SignerInfo whose signature covers the
// signature value of si.
func (si *SignerInfo) CounterSignatures() ([]*SignerInfo, error) {
	ns, err := values(si.UnsignedAttrs, OIDAttrCounterSig)
	if err != nil {
		return nil, err
	}
	var out []*SignerInfo
	for _, n := range ns {
		c, err := parseSignerInfo(n)
		if err != nil {
			return nil, fmt.Errorf("countersignature: %w", err)
		}
		out = append(out, c)
	}
	return out, nil
}

// CertificateValues returns the certificates of the certificate-values
// unsigned attribute (EN 319 122-1 §5.5.1).
func (si *SignerInfo) CertificateValues() ([][]byte, error) {
	ns, err := values(si.UnsignedAttrs, OIDAttrCertValues)
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for _, n := range ns {
		if err := expectSeq(n, "CertificateValues"); err != nil {
			return nil, err
		}
		for _, c := range n.kids {
			out = append(out, c.full)
		}
	}
	return out, nil
}

// RevocationValues returns the CRLs and BasicOCSPResponses of the
// revocation-values unsigned attribute (EN 319 122-1 §5.5.2).
func (si *SignerInfo) RevocationValues() (crls [][]byte, basicOCSP [][]byte, err error) {
	return revocationChoices(si.UnsignedAttrs, OIDAttrRevocationValues, "RevocationValues")
}

// revocationChoices reads the attributes of type t shaped as
// SEQUENCE { [0] EXPLICIT SEQUENCE OF CRL, [1] EXPLICIT SEQUENCE OF OCSP, ... }
// (CAdES RevocationValues, Adobe's RevocationInfoArchival); other fields are
// skipped.
func revocationChoices(attrs []Attribute, t asn1.ObjectIdentifier, name string) (crls, ocsp [][]byte, err error) {
	ns, err := values(attrs, t)
	if err != nil {
		return nil, nil, err
	}
	for _, n := range ns {
		if err := expectSeq(n, name); err != nil {
			return nil, nil, err
		}
		for _, f := range n.kids {
			if !f.constructed || f.class != classContext || len(f.kids) != 1 {
				return nil, nil, fmt.Errorf("%w: %s field %s", ErrMalformed, name, f.describe())
			}
			switch f.tag {
			case 0:
				for _, c := range f.kids[0].kids {
					crls = append(crls, c.full)
				}
			case 1:
				for _, c := range f.kids[0].kids {
					ocsp = append(ocsp, c.full)
				}
			}
		}
	}
	return crls, ocsp, nil
}

// HasCompleteCertificateRefs reports the complete-certificate-references
// attribute (CAdES-C, RFC 5126 §6.2.1).
func (si *SignerInfo) HasCompleteCertificateRefs() bool {
	return HasAttribute(si.UnsignedAttrs, OIDAttrCertificateRefs)
}

// HasCompleteRevocationRefs reports the complete-revocation-references
// attribute (CAdES-C, RFC 5126 §6.2.2).
func (si *SignerInfo) HasCompleteRevocationRefs() bool {
	return HasAttribute(si.UnsignedAttrs, OIDAttrRevocationRefs)
}

// SignaturePolicy is the signature-policy-identifier attribute
// (EN 319 122-1 §5.2.9).
type SignaturePolicy struct {
	Implied       bool
	ID            asn1.ObjectIdentifier
	HashAlgorithm pkix.AlgorithmIdentifier
	Hash          []byte
	Raw           []byte
}

// SignaturePolicyID returns the signature policy, or nil when absent.
func (si *SignerInfo) SignaturePolicyID() (*SignaturePolicy, error) {
	if !HasAttribute(si.SignedAttrs, OIDAttrSigPolicyID) {
		return nil, nil
	}
	v, err := si.singleSigned(OIDAttrSigPolicyID, "signature-policy-identifier")
	if err != nil {
		return nil, err
	}
	n, err := parseBER(v.FullBytes, DefaultLimits)
	if err != nil {
		return nil, err
	}
	p := &SignaturePolicy{Raw: n.full}
	if n.universal(tagNull) {
		p.Implied = true
		return p, nil
	}
	if err := expectSeq(n, "SignaturePolicyId"); err != nil {
		return nil, err
	}
	if len(n.kids) < 2 {
		return nil, fmt.Errorf("%w: SignaturePolicyId", ErrMalformed)
	}
	if p.ID, err = parseOID(n.kids[0], "sigPolicyId"); err != nil {
		return nil, err
	}
	h := n.kids[1]
	if err := expectSeq(h, "sigPolicyHash"); err != nil {
		return nil, err
	}
	if len(h.kids) != 2 {
		return nil, fmt.Errorf("%w: sigPolicyHash", ErrMalformed)
	}
	if p.HashAlgorithm, err = parseAlgID(h.kids[0], "sigPolicyHash"); err != nil {
		return nil, err
	}
	if err := expect(h.kids[1], classUniversal, tagOctetString, "sigPolicyHash value"); err != nil {
		return nil, err
	}
	if p.Hash, err = h.kids[1].octets(); err != nil {
		return nil, err
	}
	return p, nil
}
