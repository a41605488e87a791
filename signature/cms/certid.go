package cms

import (
	"bytes"
	"crypto/sha1"
	"encoding/asn1"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"unicode/utf16"
)

var oidSubjectKeyID = asn1.ObjectIdentifier{2, 5, 29, 14}

type tbsView struct {
	issuer, subject, spki *node
	serial                *big.Int
	extensions            *node
}

// readTBS walks a Certificate's TBSCertificate (RFC 5280 §4.1) without
// crypto/x509, so certificates that Go refuses (negative serial, unusual
// keys or extensions) can still be identified.
func readTBS(der []byte) (*tbsView, error) {
	root, err := parseBER(der, DefaultLimits)
	if err != nil {
		return nil, err
	}
	if err := expectSeq(root, "Certificate"); err != nil {
		return nil, err
	}
	if len(root.kids) != 3 {
		return nil, fmt.Errorf("%w: Certificate has %d fields", ErrMalformed, len(root.kids))
	}
	tbs := root.kids[0]
	if err := expectSeq(tbs, "TBSCertificate"); err != nil {
		return nil, err
	}
	k := tbs.kids
	i := 0
	if len(k) > 0 && k[0].context(0) {
		i++ // version
	}
	if len(k) < i+6 {
		return nil, fmt.Errorf("%w: TBSCertificate has %d fields", ErrMalformed, len(k))
	}
	v := &tbsView{}
	if v.serial, err = parseInteger(k[i], "serialNumber"); err != nil {
		return nil, err
	}
	if err := expectSeq(k[i+2], "issuer"); err != nil {
		return nil, err
	}
	if err := expectSeq(k[i+4], "subject"); err != nil {
		return nil, err
	}
	if err := expectSeq(k[i+5], "subjectPublicKeyInfo"); err != nil {
		return nil, err
	}
	v.issuer, v.subject, v.spki = k[i+2], k[i+4], k[i+5]
	for _, e := range k[i+6:] {
		if e.context(3) && e.constructed && len(e.kids) == 1 {
			v.extensions = e.kids[0]
		}
	}
	return v, nil
}

// CertificateID returns a certificate's raw issuer Name, its serial number
// (negative serials kept) and its subject key identifier: the extension's
// value, or else SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2
// method 1). It does not validate the certificate.
func CertificateID(der []byte) (rawIssuer []byte, serial *big.Int, ski []byte, err error) {
	v, err := readTBS(der)
	if err != nil {
		return nil, nil, nil, err
	}
	ski, err = v.subjectKeyID()
	if err != nil {
		return nil, nil, nil, err
	}
	return v.issuer.full, v.serial, ski, nil
}

// CertificatePublicKeyInfo returns the raw SubjectPublicKeyInfo of a
// certificate, for algo.ParsePublicKey when crypto/x509 refuses it.
func CertificatePublicKeyInfo(der []byte) ([]byte, error) {
	v, err := readTBS(der)
	if err != nil {
		return nil, err
	}
	return v.spki.full, nil
}

func (v *tbsView) subjectKeyID() ([]byte, error) {
	if v.extensions != nil {
		for _, e := range v.extensions.kids {
			if !e.universal(tagSequence) || len(e.kids) < 2 {
				continue
			}
			oid, err := parseOID(e.kids[0], "extension")
			if err != nil || !oid.Equal(oidSubjectKeyID) {
				continue
			}
			val := e.kids[len(e.kids)-1]
			outer, err := val.octets()
			if err != nil {
				return nil, err
			}
			inner, err := parseBER(outer, DefaultLimits)
			if err != nil || !inner.universal(tagOctetString) {
				return nil, fmt.Errorf("%w: subjectKeyIdentifier extension", ErrMalformed)
			}
			return inner.octets()
		}
	}
	if len(v.spki.kids) != 2 || !v.spki.kids[1].universal(tagBitString) || len(v.spki.kids[1].content) < 1 {
		return nil, fmt.Errorf("%w: subjectPublicKey", ErrMalformed)
	}
	sum := sha1.Sum(v.spki.kids[1].content[1:])
	return sum[:], nil
}

// SignerCertificate finds the certificate identified by si.SID among the
// certificates of sd and extra: by issuer and serial (issuer compared as
// raw bytes, then as normalised RDNs) or by subject key identifier. It
// returns ErrNoSigningCertificate when none matches.
func (sd *SignedData) SignerCertificate(si *SignerInfo, extra [][]byte) ([]byte, error) {
	var cands [][]byte
	if sd != nil {
		cands = append(cands, sd.Certificates...)
	}
	cands = append(cands, extra...)
	return findCertificate(si.SID, cands)
}

func findCertificate(sid SignerIdentifier, cands [][]byte) ([]byte, error) {
	for _, c := range cands {
		issuer, serial, ski, err := CertificateID(c)
		if err != nil {
			continue // an unreadable certificate cannot be the signer's
		}
		if ias := sid.IssuerAndSerial; ias != nil {
			if serial.Cmp(ias.Serial) == 0 && NamesEqual(issuer, ias.RawIssuer) {
				return c, nil
			}
		} else if len(sid.SubjectKeyIdentifier) > 0 && bytes.Equal(ski, sid.SubjectKeyIdentifier) {
			return c, nil
		}
	}
	return nil, ErrNoSigningCertificate
}

// NamesEqual compares two X.501 Names: equal raw bytes, or the same RDNs
// after RFC 5280 §7.1 style normalisation (string values trimmed,
// internal spaces collapsed, case folded; attributes of one RDN unordered).
func NamesEqual(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	na, err1 := normaliseName(a)
	nb, err2 := normaliseName(b)
	return err1 == nil && err2 == nil && na == nb
}

func normaliseName(der []byte) (string, error) {
	n, err := parseBER(der, DefaultLimits)
	if err != nil {
		return "", err
	}
	if err := expectSeq(n, "Name"); err != nil {
		return "", err
	}
	var sb strings.Builder
	for _, rdn := range n.kids {
		if !rdn.universal(tagSet) {
			return "", fmt.Errorf("%w: RDN", ErrMalformed)
		}
		var parts []string
		for _, atv := range rdn.kids {
			if !atv.universal(tagSequence) || len(atv.kids) != 2 {
				return "", fmt.Errorf("%w: AttributeTypeAndValue", ErrMalformed)
			}
			oid, err := parseOID(atv.kids[0], "attribute type")
			if err != nil {
				return "", err
			}
			parts = append(parts, oid.String()+"="+normaliseValue(atv.kids[1]))
		}
		sort.Strings(parts)
		sb.WriteString(strings.Join(parts, "+"))
		sb.WriteByte('/')
	}
	return sb.String(), nil
}

func normaliseValue(v *node) string {
	var s string
	switch {
	case v.class != classUniversal || v.constructed:
		return fmt.Sprintf("#%x", v.full)
	case v.tag == 30: // BMPString, UTF-16BE
		if len(v.content)%2 != 0 {
			return fmt.Sprintf("#%x", v.full)
		}
		u := make([]uint16, len(v.content)/2)
		for i := range u {
			u[i] = uint16(v.content[2*i])<<8 | uint16(v.content[2*i+1])
		}
		s = string(utf16.Decode(u))
	case v.tag == tagUTF8String, v.tag == 19, v.tag == 20, v.tag == 22, v.tag == 26, v.tag == 28:
		// UTF8String, PrintableString, TeletexString, IA5String,
		// VisibleString, UniversalString (rare; bytes kept as is)
		s = string(v.content)
	default:
		return fmt.Sprintf("#%x", v.full)
	}
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}
