package pki

import (
	"bytes"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"strings"
	"unicode/utf8"
)

var (
	oidCommonName      = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidSurname         = asn1.ObjectIdentifier{2, 5, 4, 4}
	oidSerialNumber    = asn1.ObjectIdentifier{2, 5, 4, 5}
	oidCountry         = asn1.ObjectIdentifier{2, 5, 4, 6}
	oidLocality        = asn1.ObjectIdentifier{2, 5, 4, 7}
	oidProvince        = asn1.ObjectIdentifier{2, 5, 4, 8}
	oidStreet          = asn1.ObjectIdentifier{2, 5, 4, 9}
	oidOrganization    = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOrgUnit         = asn1.ObjectIdentifier{2, 5, 4, 11}
	oidTitle           = asn1.ObjectIdentifier{2, 5, 4, 12}
	oidGivenName       = asn1.ObjectIdentifier{2, 5, 4, 42}
	oidOrganizationID  = asn1.ObjectIdentifier{2, 5, 4, 97}
	oidEmailAddress    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
	oidDomainComponent = asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}
	oidPseudonym       = asn1.ObjectIdentifier{2, 5, 4, 65}
)

var attrNames = []struct {
	oid  asn1.ObjectIdentifier
	name string
}{
	{oidCommonName, "CN"}, {oidSurname, "SN"}, {oidSerialNumber, "serialNumber"},
	{oidCountry, "C"}, {oidLocality, "L"}, {oidProvince, "ST"}, {oidStreet, "STREET"},
	{oidOrganization, "O"}, {oidOrgUnit, "OU"}, {oidTitle, "title"}, {oidGivenName, "GN"},
	{oidOrganizationID, "organizationIdentifier"}, {oidEmailAddress, "emailAddress"},
	{oidDomainComponent, "DC"}, {oidPseudonym, "pseudonym"},
}

func attrName(o asn1.ObjectIdentifier) string {
	for _, a := range attrNames {
		if a.oid.Equal(o) {
			return a.name
		}
	}
	return o.String()
}

func subjectAttr(n pkix.Name, o asn1.ObjectIdentifier) string {
	for _, a := range n.Names {
		if a.Type.Equal(o) {
			if s, ok := a.Value.(string); ok {
				return s
			}
		}
	}
	return ""
}

// SubjectSerialNumber returns the subject's serialNumber attribute
// (2.5.4.5), such as "PNOLV-010101-12345" (EN 319 412-1 §5.1.3).
func (c *Certificate) SubjectSerialNumber() string { return subjectAttr(c.Subject, oidSerialNumber) }

// OrganizationIdentifier returns the subject's organizationIdentifier
// (2.5.4.97), such as "NTRLV-40003000000" (EN 319 412-1 §5.1.4).
func (c *Certificate) OrganizationIdentifier() string {
	return subjectAttr(c.Subject, oidOrganizationID)
}

// CommonName returns the subject's first commonName.
func (c *Certificate) CommonName() string { return subjectAttr(c.Subject, oidCommonName) }

// Organization returns the subject's first organizationName.
func (c *Certificate) Organization() string { return subjectAttr(c.Subject, oidOrganization) }

// SubjectString returns the subject in RFC 4514 style with readable
// attribute names, most significant RDN last as RFC 4514 writes it.
func (c *Certificate) SubjectString() string { return nameString(c.RawSubject) }

// IssuerString returns the issuer like SubjectString.
func (c *Certificate) IssuerString() string { return nameString(c.RawIssuer) }

func nameString(raw []byte) string {
	var rdns pkix.RDNSequence
	if _, err := asn1.Unmarshal(raw, &rdns); err != nil {
		return fmt.Sprintf("<malformed name %x>", raw)
	}
	var parts []string
	for i := len(rdns) - 1; i >= 0; i-- {
		var atvs []string
		for _, atv := range rdns[i] {
			atvs = append(atvs, attrName(atv.Type)+"="+escapeValue(atv.Value))
		}
		parts = append(parts, strings.Join(atvs, "+"))
	}
	return strings.Join(parts, ",")
}

func escapeValue(v any) string {
	s, ok := v.(string)
	if !ok {
		return fmt.Sprintf("#%v", v)
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == ',' || r == '+' || r == '"' || r == '\\' || r == '<' || r == '>' || r == ';' || r == '=',
			(r == ' ' || r == '#') && i == 0, r == ' ' && i == len(s)-1:
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f || r == utf8.RuneError:
			fmt.Fprintf(&b, "\\%02x", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// canonicalName normalises a Name for comparison in the spirit of RFC 5280
// §7.1 (case-insensitive, insignificant whitespace removed); it returns ""
// when the name does not parse.
func canonicalName(raw []byte) string {
	var rdns pkix.RDNSequence
	if rest, err := asn1.Unmarshal(raw, &rdns); err != nil || len(rest) != 0 {
		return ""
	}
	var b strings.Builder
	for _, rdn := range rdns {
		b.WriteString("/")
		for _, atv := range rdn {
			b.WriteString(atv.Type.String())
			b.WriteString("=")
			if s, ok := atv.Value.(string); ok {
				b.WriteString(strings.ToLower(strings.Join(strings.Fields(s), " ")))
			} else {
				fmt.Fprintf(&b, "%v", atv.Value)
			}
			b.WriteString("+")
		}
	}
	return b.String()
}

// namesEqual compares two encoded Names: byte-equal, else equal after
// normalisation.
func namesEqual(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	ca := canonicalName(a)
	return ca != "" && ca == canonicalName(b)
}

// NamesEqual compares two DER-encoded Names: byte-equal, else equal after
// case and whitespace normalisation of string values (RFC 5280 §7.1, a
// simplification of LDAP StringPrep).
func NamesEqual(a, b []byte) bool { return namesEqual(a, b) }
