package xades

import (
	"crypto"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/beevik/etree"

	"github.com/sigintake/sigintake/signature/algo"
	"github.com/sigintake/sigintake/signature/xmldsig"
)

// XAdES namespaces (EN 319 132-1 §4.2; TS 101 903 v1.1.1 for old files).
const (
	NS132 = "http://uri.etsi.org/01903/v1.3.2#"
	NS141 = "http://uri.etsi.org/01903/v1.4.1#"
	NS111 = "http://uri.etsi.org/01903/v1.1.1#"
	// TypeSignedProperties is the Reference Type of the signed properties
	// (EN 319 132-1 §4.3.1, §6.3 requirement (f)).
	TypeSignedProperties = "http://uri.etsi.org/01903#SignedProperties"
	// PolicyBDOCTimeMark identifies the Estonian BDOC 2.1 time-mark
	// profile (urn:oid:1.3.6.1.4.1.10015.1000.3.2.1).
	PolicyBDOCTimeMark = "1.3.6.1.4.1.10015.1000.3.2.1"
)

// Errors of this package; test with errors.Is.
var (
	ErrFormat      = errors.New("xades: malformed XAdES signature")
	ErrSigningCert = errors.New("xades: signing certificate not identified")
	ErrNoSignature = errors.New("xades: no XML signature found")
)

func isXAdESNS(ns string) bool { return ns == NS132 || ns == NS111 }

// child returns the only child of el with the namespace test and local
// name, nil when none, and an error when there are several.
func child(el *etree.Element, ns func(string) bool, name string) (*etree.Element, error) {
	var found *etree.Element
	for _, c := range el.ChildElements() {
		if c.Tag == name && ns(c.NamespaceURI()) {
			if found != nil {
				return nil, fmt.Errorf("%w: more than one %s in %s", ErrFormat, name, el.Tag)
			}
			found = c
		}
	}
	return found, nil
}

func children(el *etree.Element, ns func(string) bool, name string) []*etree.Element {
	var out []*etree.Element
	if el == nil {
		return nil
	}
	for _, c := range el.ChildElements() {
		if c.Tag == name && ns(c.NamespaceURI()) {
			out = append(out, c)
		}
	}
	return out
}

func isDS(ns string) bool       { return ns == xmldsig.Namespace }
func isAnyXAdES(ns string) bool { return ns == NS132 || ns == NS111 || ns == NS141 }

func decodeB64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, s)
	return base64.StdEncoding.DecodeString(s)
}

// certRef is one xades:Cert of SigningCertificate(V2) (EN 319 132-1
// §5.2.2).
type certRef struct {
	Hash   crypto.Hash
	Digest []byte
	// IssuerName/Serial come from IssuerSerial (v1); IssuerSerialV2 is the
	// DER of an RFC 5035 IssuerSerial.
	IssuerName     string
	Serial         *big.Int
	IssuerSerialV2 []byte
	HashErr        error
}

// signedProps are the qualifying properties read from the signed
// SignedProperties element.
type signedProps struct {
	SigningTime    *time.Time
	SigningTimeErr error
	CertRefs       []certRef
	HasCertRefs    bool
	V2             bool
	PolicyID       string
	// DataObjectFormats maps a Reference Id (without '#') to a MimeType.
	DataObjectFormats map[string]string
}

func parseSignedProps(sp *etree.Element) (*signedProps, error) {
	p := &signedProps{DataObjectFormats: map[string]string{}}
	ssp, err := child(sp, isXAdESNS, "SignedSignatureProperties")
	if err != nil {
		return nil, err
	}
	if ssp != nil {
		if st, err := child(ssp, isXAdESNS, "SigningTime"); err != nil {
			return nil, err
		} else if st != nil {
			t, err := parseDateTime(st.Text())
			if err != nil {
				p.SigningTimeErr = err
			} else {
				p.SigningTime = &t
			}
		}
		sc, err := child(ssp, isXAdESNS, "SigningCertificate")
		if err != nil {
			return nil, err
		}
		sc2, err := child(ssp, isXAdESNS, "SigningCertificateV2")
		if err != nil {
			return nil, err
		}
		if sc != nil && sc2 != nil {
			return nil, fmt.Errorf("%w: both SigningCertificate and SigningCertificateV2", ErrFormat)
		}
		if sc2 != nil {
			sc, p.V2 = sc2, true
		}
		if sc != nil {
			p.HasCertRefs = true
			for _, c := range children(sc, isXAdESNS, "Cert") {
				r, err := parseCertRef(c)
				if err != nil {
					return nil, err
				}
				p.CertRefs = append(p.CertRefs, r)
			}
		}
		if spi, _ := child(ssp, isXAdESNS, "SignaturePolicyIdentifier"); spi != nil {
			if id := spi.FindElement(".//SigPolicyId/Identifier"); id != nil {
				p.PolicyID = strings.TrimPrefix(strings.TrimSpace(id.Text()), "urn:oid:")
			}
		}
	}
	if sdop, _ := child(sp, isXAdESNS, "SignedDataObjectProperties"); sdop != nil {
		for _, dof := range children(sdop, isXAdESNS, "DataObjectFormat") {
			ref := strings.TrimPrefix(dof.SelectAttrValue("ObjectReference", ""), "#")
			mt := ""
			if m, _ := child(dof, isXAdESNS, "MimeType"); m != nil {
				mt = strings.TrimSpace(m.Text())
			}
			if ref != "" {
				p.DataObjectFormats[ref] = mt
			}
		}
	}
	return p, nil
}

func parseCertRef(c *etree.Element) (certRef, error) {
	var r certRef
	cd, err := child(c, isXAdESNS, "CertDigest")
	if err != nil || cd == nil {
		return r, fmt.Errorf("%w: Cert without one CertDigest", ErrFormat)
	}
	dm, _ := child(cd, isDS, "DigestMethod")
	dv, _ := child(cd, isDS, "DigestValue")
	if dm == nil || dv == nil {
		return r, fmt.Errorf("%w: CertDigest without DigestMethod or DigestValue", ErrFormat)
	}
	r.Hash, r.HashErr = algo.HashFromXMLURI(dm.SelectAttrValue("Algorithm", ""))
	if r.Digest, err = decodeB64(dv.Text()); err != nil {
		return r, fmt.Errorf("%w: CertDigest value: %v", ErrFormat, err)
	}
	if is, _ := child(c, isXAdESNS, "IssuerSerial"); is != nil {
		n, _ := child(is, isDS, "X509IssuerName")
		s, _ := child(is, isDS, "X509SerialNumber")
		if n == nil || s == nil {
			return r, fmt.Errorf("%w: IssuerSerial incomplete", ErrFormat)
		}
		r.IssuerName = strings.TrimSpace(n.Text())
		var ok bool
		if r.Serial, ok = new(big.Int).SetString(strings.TrimSpace(s.Text()), 10); !ok {
			return r, fmt.Errorf("%w: X509SerialNumber %q", ErrFormat, s.Text())
		}
	}
	if is, _ := child(c, isXAdESNS, "IssuerSerialV2"); is != nil {
		if r.IssuerSerialV2, err = decodeB64(is.Text()); err != nil {
			return r, fmt.Errorf("%w: IssuerSerialV2: %v", ErrFormat, err)
		}
	}
	return r, nil
}

// parseDateTime reads an xs:dateTime. A value without a time zone is read
// as UTC (XML Schema leaves it undetermined).
func parseDateTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: SigningTime %q is not an xs:dateTime", ErrFormat, s)
}

// issuerSerial is RFC 5035's IssuerSerial.
type issuerSerial struct {
	Issuer []asn1.RawValue
	Serial *big.Int
}
