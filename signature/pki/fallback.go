package pki

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
)

// Extension OIDs (RFC 5280 §4.2, RFC 3739, EN 319 412-5).
var (
	oidExtSubjectKeyID     = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidExtKeyUsage         = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidExtSubjectAltName   = asn1.ObjectIdentifier{2, 5, 29, 17}
	oidExtBasicConstraints = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidExtNameConstraints  = asn1.ObjectIdentifier{2, 5, 29, 30}
	oidExtCRLDP            = asn1.ObjectIdentifier{2, 5, 29, 31}
	oidExtCertPolicies     = asn1.ObjectIdentifier{2, 5, 29, 32}
	oidExtAuthorityKeyID   = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidExtExtKeyUsage      = asn1.ObjectIdentifier{2, 5, 29, 37}
	oidExtAIA              = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 1}
	oidExtQCStatements     = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 3}
	oidExtBiometricInfo    = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 2}
	oidExtSubjectDirAttrs  = asn1.ObjectIdentifier{2, 5, 29, 9}
	oidExtPrivateKeyPeriod = asn1.ObjectIdentifier{2, 5, 29, 16}
	oidExtOCSPNoCheck      = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 5}
	oidAccessOCSP          = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1}
	oidAccessCAIssuers     = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 2}
	oidEKUServerAuth       = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 1}
	oidEKUClientAuth       = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 2}
	oidEKUCodeSigning      = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 3}
	oidEKUEmailProtection  = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 4}
	oidEKUTimeStamping     = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}
	oidEKUOCSPSigning      = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 9}
	oidEKUAny              = asn1.ObjectIdentifier{2, 5, 29, 37, 0}
)

// parseFallback fills an x509.Certificate from the certificate's ASN.1 when
// crypto/x509 refused it. Only the fields named in the package documentation
// are set. Critical extensions it does not understand end up in
// UnhandledCriticalExtensions, so path building rejects them.
func parseFallback(der []byte, outer *certificateASN1, tbs *tbsASN1) (*x509.Certificate, error) {
	xc := &x509.Certificate{
		Raw:                     der,
		RawTBSCertificate:       outer.TBS.FullBytes,
		RawSubjectPublicKeyInfo: tbs.SPKI.FullBytes,
		RawSubject:              tbs.Subject.FullBytes,
		RawIssuer:               tbs.Issuer.FullBytes,
		Signature:               outer.Signature.RightAlign(),
		SignatureAlgorithm:      x509.UnknownSignatureAlgorithm,
		Version:                 tbs.Version + 1,
		SerialNumber:            new(big.Int).Set(tbs.SerialNumber),
		NotBefore:               tbs.Validity.NotBefore,
		NotAfter:                tbs.Validity.NotAfter,
		MaxPathLen:              -1,
		Extensions:              tbs.Extensions,
	}
	if tbs.SerialNumber == nil {
		return nil, errors.New("no serial number")
	}
	var spki spkiASN1
	if _, err := asn1.Unmarshal(tbs.SPKI.FullBytes, &spki); err != nil {
		return nil, fmt.Errorf("subjectPublicKeyInfo: %v", err)
	}
	xc.PublicKeyAlgorithm = x509.UnknownPublicKeyAlgorithm
	for _, n := range []struct {
		raw []byte
		dst *pkix.Name
	}{{xc.RawSubject, &xc.Subject}, {xc.RawIssuer, &xc.Issuer}} {
		var rdn pkix.RDNSequence
		if rest, err := asn1.Unmarshal(n.raw, &rdn); err != nil || len(rest) != 0 {
			return nil, fmt.Errorf("name: %v", err)
		}
		n.dst.FillFromRDNSequence(&rdn)
	}
	seen := map[string]bool{}
	for _, e := range tbs.Extensions {
		id := e.Id.String()
		if seen[id] {
			return nil, fmt.Errorf("duplicate extension %s", id)
		}
		seen[id] = true
		handled, err := parseExtension(xc, e)
		if err != nil {
			if e.Id.Equal(oidExtCertPolicies) {
				// Real qualified certificates carry malformed policies
				// (TESTS: DSS prova.txt). They are kept raw in Extensions;
				// policy-dependent checks treat them as absent.
				continue
			}
			return nil, fmt.Errorf("extension %s: %v", id, err)
		}
		if !handled && e.Critical {
			xc.UnhandledCriticalExtensions = append(xc.UnhandledCriticalExtensions, e.Id)
		}
	}
	return xc, nil
}

type basicConstraintsASN1 struct {
	IsCA       bool `asn1:"optional"`
	MaxPathLen int  `asn1:"optional,default:-1"`
}

type akiASN1 struct {
	ID     []byte        `asn1:"optional,tag:0"`
	Issuer asn1.RawValue `asn1:"optional,tag:1"`
	Serial *big.Int      `asn1:"optional,tag:2"`
}

type accessDescASN1 struct {
	Method   asn1.ObjectIdentifier
	Location asn1.RawValue
}

type distributionPointASN1 struct {
	DistributionPoint asn1.RawValue  `asn1:"optional,tag:0"`
	Reason            asn1.BitString `asn1:"optional,tag:1"`
	CRLIssuer         asn1.RawValue  `asn1:"optional,tag:2"`
}

type policyInfoASN1 struct {
	Policy     asn1.ObjectIdentifier
	Qualifiers asn1.RawValue `asn1:"optional"`
}

func unmarshalAll(b []byte, v any) error {
	rest, err := asn1.Unmarshal(b, v)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return errors.New("trailing data")
	}
	return nil
}

// parseExtension handles the extensions the fallback understands.
func parseExtension(xc *x509.Certificate, e pkix.Extension) (bool, error) {
	switch {
	case e.Id.Equal(oidExtSubjectKeyID):
		var v []byte
		if err := unmarshalAll(e.Value, &v); err != nil {
			return false, err
		}
		xc.SubjectKeyId = v
	case e.Id.Equal(oidExtAuthorityKeyID):
		var v akiASN1
		if err := unmarshalAll(e.Value, &v); err != nil {
			return false, err
		}
		xc.AuthorityKeyId = v.ID
	case e.Id.Equal(oidExtKeyUsage):
		var bs asn1.BitString
		if err := unmarshalAll(e.Value, &bs); err != nil {
			return false, err
		}
		var ku int
		for i := 0; i < 9; i++ {
			if bs.At(i) != 0 {
				ku |= 1 << uint(i)
			}
		}
		xc.KeyUsage = x509.KeyUsage(ku)
	case e.Id.Equal(oidExtBasicConstraints):
		var v basicConstraintsASN1
		if err := unmarshalAll(e.Value, &v); err != nil {
			return false, err
		}
		xc.BasicConstraintsValid = true
		xc.IsCA = v.IsCA
		xc.MaxPathLen = v.MaxPathLen
		xc.MaxPathLenZero = v.MaxPathLen == 0
	case e.Id.Equal(oidExtExtKeyUsage):
		var oids []asn1.ObjectIdentifier
		if err := unmarshalAll(e.Value, &oids); err != nil {
			return false, err
		}
		for _, o := range oids {
			if eku, ok := ekuFromOID(o); ok {
				xc.ExtKeyUsage = append(xc.ExtKeyUsage, eku)
			} else {
				xc.UnknownExtKeyUsage = append(xc.UnknownExtKeyUsage, o)
			}
		}
	case e.Id.Equal(oidExtAIA):
		var ads []accessDescASN1
		if err := unmarshalAll(e.Value, &ads); err != nil {
			return false, err
		}
		for _, ad := range ads {
			if ad.Location.Class != asn1.ClassContextSpecific || ad.Location.Tag != 6 {
				continue
			}
			switch {
			case ad.Method.Equal(oidAccessOCSP):
				xc.OCSPServer = append(xc.OCSPServer, string(ad.Location.Bytes))
			case ad.Method.Equal(oidAccessCAIssuers):
				xc.IssuingCertificateURL = append(xc.IssuingCertificateURL, string(ad.Location.Bytes))
			}
		}
	case e.Id.Equal(oidExtCRLDP):
		var dps []distributionPointASN1
		if err := unmarshalAll(e.Value, &dps); err != nil {
			return false, err
		}
		for _, dp := range dps {
			xc.CRLDistributionPoints = append(xc.CRLDistributionPoints, dpURIs(dp.DistributionPoint)...)
		}
	case e.Id.Equal(oidExtCertPolicies):
		var pis []policyInfoASN1
		if err := unmarshalAll(e.Value, &pis); err != nil {
			// BER instead of DER (non-minimal lengths) is the usual defect.
			ids, lerr := lenientPolicies(e.Value)
			if lerr != nil {
				return false, err
			}
			xc.PolicyIdentifiers = ids
			return true, nil
		}
		for _, p := range pis {
			xc.PolicyIdentifiers = append(xc.PolicyIdentifiers, p.Policy)
		}
	case e.Id.Equal(oidExtQCStatements), e.Id.Equal(oidExtSubjectAltName) && !e.Critical:
		// QCStatements are parsed for every certificate in ParseCertificate;
		// a non-critical SAN is kept raw in Extensions.
	default:
		return false, nil
	}
	return true, nil
}

// dpURIs returns the URIs of a DistributionPointName's fullName [0].
func dpURIs(dpn asn1.RawValue) []string {
	if len(dpn.Bytes) == 0 {
		return nil
	}
	var out []string
	// dpn is [0] EXPLICIT DistributionPointName; its content is fullName [0] IMPLICIT GeneralNames.
	var full asn1.RawValue
	if _, err := asn1.Unmarshal(dpn.Bytes, &full); err != nil || full.Tag != 0 || full.Class != asn1.ClassContextSpecific {
		return nil
	}
	rest := full.Bytes
	for len(rest) > 0 {
		var gn asn1.RawValue
		var err error
		rest, err = asn1.Unmarshal(rest, &gn)
		if err != nil {
			return out
		}
		if gn.Class == asn1.ClassContextSpecific && gn.Tag == 6 {
			out = append(out, string(gn.Bytes))
		}
	}
	return out
}

var ekuOIDs = []struct {
	oid asn1.ObjectIdentifier
	eku x509.ExtKeyUsage
}{
	{oidEKUAny, x509.ExtKeyUsageAny},
	{oidEKUServerAuth, x509.ExtKeyUsageServerAuth},
	{oidEKUClientAuth, x509.ExtKeyUsageClientAuth},
	{oidEKUCodeSigning, x509.ExtKeyUsageCodeSigning},
	{oidEKUEmailProtection, x509.ExtKeyUsageEmailProtection},
	{oidEKUTimeStamping, x509.ExtKeyUsageTimeStamping},
	{oidEKUOCSPSigning, x509.ExtKeyUsageOCSPSigning},
}

func ekuFromOID(o asn1.ObjectIdentifier) (x509.ExtKeyUsage, bool) {
	for _, e := range ekuOIDs {
		if e.oid.Equal(o) {
			return e.eku, true
		}
	}
	return 0, false
}

// berTLV reads one definite-length BER TLV with a one-byte tag, accepting
// non-minimal length encodings that DER forbids.
func berTLV(b []byte) (tag byte, content, rest []byte, err error) {
	if len(b) < 2 {
		return 0, nil, nil, errors.New("short TLV")
	}
	tag = b[0]
	if tag&0x1f == 0x1f {
		return 0, nil, nil, errors.New("multi-byte tag")
	}
	l := int(b[1])
	off := 2
	if l&0x80 != 0 {
		n := l & 0x7f
		if n == 0 || n > 3 || len(b) < 2+n {
			return 0, nil, nil, errors.New("bad length")
		}
		l = 0
		for _, c := range b[2 : 2+n] {
			l = l<<8 | int(c)
		}
		off = 2 + n
	}
	if len(b)-off < l {
		return 0, nil, nil, errors.New("truncated TLV")
	}
	return tag, b[off : off+l], b[off+l:], nil
}

// lenientPolicies extracts the policy OIDs of a certificatePolicies value
// encoded in BER rather than DER.
func lenientPolicies(v []byte) ([]asn1.ObjectIdentifier, error) {
	tag, seq, rest, err := berTLV(v)
	if err != nil || tag != 0x30 || len(rest) != 0 {
		return nil, errors.New("not a SEQUENCE")
	}
	var ids []asn1.ObjectIdentifier
	for len(seq) > 0 {
		var pi []byte
		tag, pi, seq, err = berTLV(seq)
		if err != nil || tag != 0x30 {
			return nil, errors.New("bad PolicyInformation")
		}
		tag, oid, _, err := berTLV(pi)
		if err != nil || tag != 0x06 {
			return nil, errors.New("bad policy identifier")
		}
		var id asn1.ObjectIdentifier
		enc := append([]byte{0x06, byte(len(oid))}, oid...)
		if len(oid) > 127 {
			return nil, errors.New("policy identifier too long")
		}
		if err := unmarshalAll(enc, &id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}
