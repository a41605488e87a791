package xades

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
)

// attrOIDs maps the attribute names that appear in X509IssuerName strings
// (RFC 4514 §3, and the forms Java, .NET and OpenSSL write) to OIDs.
var attrOIDs = map[string]string{
	"CN": "2.5.4.3", "C": "2.5.4.6", "L": "2.5.4.7", "ST": "2.5.4.8", "S": "2.5.4.8",
	"O": "2.5.4.10", "OU": "2.5.4.11", "STREET": "2.5.4.9", "SERIALNUMBER": "2.5.4.5",
	"T": "2.5.4.12", "TITLE": "2.5.4.12", "SN": "2.5.4.4", "SURNAME": "2.5.4.4",
	"G": "2.5.4.42", "GN": "2.5.4.42", "GIVENNAME": "2.5.4.42", "E": "1.2.840.113549.1.9.1",
	"EMAILADDRESS": "1.2.840.113549.1.9.1", "EMAIL": "1.2.840.113549.1.9.1",
	"DC": "0.9.2342.19200300.100.1.25", "UID": "0.9.2342.19200300.100.1.1",
	"ORGANIZATIONIDENTIFIER": "2.5.4.97", "POSTALCODE": "2.5.4.17", "PSEUDONYM": "2.5.4.65",
	"INITIALS": "2.5.4.43", "GENERATIONQUALIFIER": "2.5.4.44", "DNQUALIFIER": "2.5.4.46",
}

func normValue(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// parseDNString reads an RFC 4514-style distinguished name into a sorted
// list of "oid=value" (normalised: case and insignificant whitespace), so
// that names written in either RDN order compare equal.
func parseDNString(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	var parts []string
	esc, quoted := false, false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case esc:
			cur.WriteByte('\\')
			cur.WriteByte(ch)
			esc = false
		case ch == '\\':
			esc = true
		case ch == '"':
			quoted = !quoted
			cur.WriteByte(ch)
		case !quoted && (ch == ',' || ch == ';' || ch == '+'):
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(ch)
		}
	}
	if esc || quoted {
		return nil, fmt.Errorf("%w: unterminated escape or quote in name %q", ErrFormat, s)
	}
	parts = append(parts, cur.String())
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		eq := strings.IndexByte(p, '=')
		if eq <= 0 {
			return nil, fmt.Errorf("%w: name component %q", ErrFormat, p)
		}
		typ := strings.ToUpper(strings.TrimSpace(p[:eq]))
		typ = strings.TrimPrefix(typ, "OID.")
		oid, ok := attrOIDs[typ]
		if !ok {
			if strings.Trim(typ, "0123456789.") != "" {
				return nil, fmt.Errorf("%w: unknown name attribute %q", ErrFormat, typ)
			}
			oid = typ
		}
		v, err := unescapeValue(strings.TrimSpace(p[eq+1:]))
		if err != nil {
			return nil, err
		}
		out = append(out, oid+"="+normValue(v))
	}
	sort.Strings(out)
	return out, nil
}

func unescapeValue(v string) (string, error) {
	if strings.HasPrefix(v, "#") {
		raw, err := hex.DecodeString(v[1:])
		if err != nil {
			return "", fmt.Errorf("%w: hex name value", ErrFormat)
		}
		var s string
		if _, err := asn1.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("%w: DER name value", ErrFormat)
		}
		return s, nil
	}
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	var b []byte
	for i := 0; i < len(v); i++ {
		if v[i] != '\\' || i+1 >= len(v) {
			b = append(b, v[i])
			continue
		}
		if i+2 < len(v) && isHex(v[i+1]) && isHex(v[i+2]) {
			x, _ := hex.DecodeString(v[i+1 : i+3])
			b = append(b, x...)
			i += 2
			continue
		}
		b = append(b, v[i+1])
		i++
	}
	return string(b), nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// rawNameAttrs lists a DER Name the way parseDNString does.
func rawNameAttrs(raw []byte) ([]string, error) {
	var rdns pkix.RDNSequence
	if rest, err := asn1.Unmarshal(raw, &rdns); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("%w: certificate issuer name", ErrFormat)
	}
	var out []string
	for _, rdn := range rdns {
		for _, atv := range rdn {
			out = append(out, atv.Type.String()+"="+normValue(fmt.Sprint(atv.Value)))
		}
	}
	sort.Strings(out)
	return out, nil
}

// dnMatches reports whether the X509IssuerName string s names the DER Name
// raw. err is set when s cannot be read (the caller then cannot decide).
func dnMatches(s string, raw []byte) (bool, error) {
	a, err := parseDNString(s)
	if err != nil {
		return false, err
	}
	b, err := rawNameAttrs(raw)
	if err != nil {
		return false, err
	}
	return strings.Join(a, "\x00") == strings.Join(b, "\x00"), nil
}
