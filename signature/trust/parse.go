package trust

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/sigintake/sigintake/signature/pki"
	"github.com/sigintake/sigintake/signature/xmldsig"
)

// Errors; wrapped with details, test with errors.Is.
var (
	ErrParse     = errors.New("trust: malformed trusted list")
	ErrSignature = errors.New("trust: trusted list signature invalid")
	ErrNoSigners = errors.New("trust: no certificate is allowed to sign this list")
	ErrExpired   = errors.New("trust: trusted list past its NextUpdate")
	ErrFetch     = errors.New("trust: cannot fetch trusted list")
	ErrNotYet    = errors.New("trust: trusted list issued after the validation time")
)

// MaxListSize bounds a trusted list (the largest national lists are about
// 10 MB).
const MaxListSize = 32 << 20

// Limits used to parse lists.
var listLimits = xmldsig.Limits{MaxBytes: MaxListSize, MaxDepth: 64, MaxElements: 1_000_000}

// ParseList parses a trusted list without checking its signature.
func ParseList(data []byte) (*List, error) {
	doc, err := xmldsig.Parse(data, listLimits)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrParse, err)
	}
	return parseDoc(doc)
}

func parseDoc(doc *etree.Document) (*List, error) {
	l, err := parseScheme(doc)
	if err != nil {
		return nil, err
	}
	if err := parseTSPs(doc, l); err != nil {
		return nil, err
	}
	return l, nil
}

// parseScheme reads the SchemeInformation (TS 119 612 §5.3).
func parseScheme(doc *etree.Document) (*List, error) {
	root := doc.Root()
	if root == nil || root.Tag != "TrustServiceStatusList" {
		return nil, fmt.Errorf("%w: root element is not TrustServiceStatusList", ErrParse)
	}
	si := child(root, "SchemeInformation")
	if si == nil {
		return nil, fmt.Errorf("%w: no SchemeInformation", ErrParse)
	}
	l := &List{
		Territory: text(child(si, "SchemeTerritory")),
		Type:      text(child(si, "TSLType")),
		Operator:  name(child(si, "SchemeOperatorName")),
	}
	var err error
	if l.SequenceNumber, err = strconv.Atoi(text(child(si, "TSLSequenceNumber"))); err != nil {
		return nil, fmt.Errorf("%w: TSLSequenceNumber: %v", ErrParse, err)
	}
	l.Version, _ = strconv.Atoi(text(child(si, "TSLVersionIdentifier")))
	if l.IssueDate, err = parseTime(text(child(si, "ListIssueDateTime"))); err != nil {
		return nil, fmt.Errorf("%w: ListIssueDateTime: %v", ErrParse, err)
	}
	if nu := child(si, "NextUpdate"); nu != nil {
		if s := text(child(nu, "dateTime")); s != "" {
			if l.NextUpdate, err = parseTime(s); err != nil {
				return nil, fmt.Errorf("%w: NextUpdate: %v", ErrParse, err)
			}
		}
	}
	if l.Territory == "" {
		return nil, fmt.Errorf("%w: no SchemeTerritory", ErrParse)
	}
	for _, u := range children(child(si, "SchemeInformationURI"), "URI") {
		l.SchemeInformationURIs = append(l.SchemeInformationURIs, text(u))
	}
	for _, p := range children(child(si, "PointersToOtherTSL"), "OtherTSLPointer") {
		ptr := Pointer{Location: text(child(p, "TSLLocation"))}
		for _, oi := range children(child(p, "AdditionalInformation"), "OtherInformation") {
			for _, c := range oi.ChildElements() {
				switch c.Tag {
				case "TSLType":
					ptr.Type = text(c)
				case "SchemeTerritory":
					ptr.Territory = text(c)
				case "MimeType":
					ptr.MimeType = text(c)
				}
			}
		}
		for _, sdi := range children(child(p, "ServiceDigitalIdentities"), "ServiceDigitalIdentity") {
			id, err := parseIdentity(sdi)
			if err != nil {
				return nil, err
			}
			ptr.Signers = append(ptr.Signers, id.Certificates...)
		}
		l.Pointers = append(l.Pointers, ptr)
	}
	return l, nil
}

// parseTSPs reads the TrustServiceProviderList (TS 119 612 §5.4-5.6).
func parseTSPs(doc *etree.Document, l *List) error {
	for _, tp := range children(child(doc.Root(), "TrustServiceProviderList"), "TrustServiceProvider") {
		info := child(tp, "TSPInformation")
		tsp := TSP{Name: name(child(info, "TSPName")), TradeName: name(child(info, "TSPTradeName"))}
		for _, se := range children(child(tp, "TSPServices"), "TSPService") {
			s, err := parseService(se, tsp.Name)
			if err != nil {
				return err
			}
			tsp.Services = append(tsp.Services, s)
		}
		l.TSPs = append(l.TSPs, tsp)
	}
	return nil
}

func parseService(se *etree.Element, tsp string) (*Service, error) {
	info := child(se, "ServiceInformation")
	if info == nil {
		return nil, fmt.Errorf("%w: TSPService without ServiceInformation", ErrParse)
	}
	s := &Service{TSP: tsp}
	v, id, err := parseVersion(info)
	if err != nil {
		return nil, err
	}
	s.Name = v.Name
	s.Versions = append(s.Versions, v)
	s.Identity = id
	for _, h := range children(child(se, "ServiceHistory"), "ServiceHistoryInstance") {
		hv, hid, err := parseVersion(h)
		if err != nil {
			return nil, err
		}
		s.Versions = append(s.Versions, hv)
		s.Identity.Certificates = append(s.Identity.Certificates, hid.Certificates...)
		s.Identity.SKIs = append(s.Identity.SKIs, hid.SKIs...)
		s.Identity.SubjectNames = append(s.Identity.SubjectNames, hid.SubjectNames...)
	}
	return s, nil
}

func parseVersion(el *etree.Element) (Version, Identity, error) {
	v := Version{
		Type:   text(child(el, "ServiceTypeIdentifier")),
		Name:   name(child(el, "ServiceName")),
		Status: text(child(el, "ServiceStatus")),
	}
	var err error
	if v.StatusStart, err = parseTime(text(child(el, "StatusStartingTime"))); err != nil {
		return v, Identity{}, fmt.Errorf("%w: service %q StatusStartingTime: %v", ErrParse, v.Name, err)
	}
	id, err := parseIdentity(child(el, "ServiceDigitalIdentity"))
	if err != nil {
		return v, id, err
	}
	for _, ext := range children(child(el, "ServiceInformationExtensions"), "Extension") {
		for _, c := range ext.ChildElements() {
			switch c.Tag {
			case "Qualifications":
				for _, qe := range children(c, "QualificationElement") {
					q := Qualification{}
					for _, qu := range children(child(qe, "Qualifiers"), "Qualifier") {
						q.Qualifiers = append(q.Qualifiers, strings.TrimSpace(qu.SelectAttrValue("uri", "")))
					}
					q.Criteria = parseCriteria(child(qe, "CriteriaList"), 0)
					v.Qualifications = append(v.Qualifications, q)
				}
			case "AdditionalServiceInformation":
				if u := text(child(c, "URI")); u != "" {
					v.AdditionalInfo = append(v.AdditionalInfo, u)
				}
			case "ExpiredCertsRevocationInfo":
				v.ExpiredCertsRevocationInfo, _ = parseTime(text(c))
			}
		}
	}
	return v, id, nil
}

func parseCriteria(el *etree.Element, depth int) Criteria {
	c := Criteria{Assert: "all"}
	if el == nil {
		return c
	}
	if a := el.SelectAttrValue("assert", ""); a != "" {
		c.Assert = a
	}
	for _, k := range el.ChildElements() {
		switch k.Tag {
		case "KeyUsage":
			m := map[string]bool{}
			for _, b := range children(k, "KeyUsageBit") {
				m[b.SelectAttrValue("name", "")] = strings.EqualFold(text(b), "true")
			}
			c.KeyUsages = append(c.KeyUsages, m)
		case "PolicySet":
			var set []string
			for _, p := range children(k, "PolicyIdentifier") {
				set = append(set, oidText(text(child(p, "Identifier"))))
			}
			c.Policies = append(c.Policies, set)
		case "CriteriaList":
			if depth < 8 {
				c.Nested = append(c.Nested, parseCriteria(k, depth+1))
			} else {
				c.Unknown++
			}
		case "otherCriteriaList":
			for _, o := range k.ChildElements() {
				switch o.Tag {
				case "ExtendedKeyUsage":
					var set []string
					for _, p := range children(o, "KeyPurposeId") {
						set = append(set, oidText(text(child(p, "Identifier"))))
					}
					c.EKUs = append(c.EKUs, set)
				case "CertSubjectDNAttribute":
					var set []string
					for _, p := range children(o, "AttributeOID") {
						set = append(set, oidText(text(child(p, "Identifier"))))
					}
					c.Subject = append(c.Subject, set)
				default:
					c.Unknown++
				}
			}
		case "Description":
		default:
			c.Unknown++
		}
	}
	return c
}

func oidText(s string) string {
	s = strings.TrimSpace(s)
	return strings.TrimPrefix(strings.TrimPrefix(s, "urn:oid:"), "URN:OID:")
}

func parseIdentity(el *etree.Element) (Identity, error) {
	var id Identity
	if el == nil {
		return id, nil
	}
	for _, d := range children(el, "DigitalId") {
		for _, c := range d.ChildElements() {
			switch c.Tag {
			case "X509Certificate":
				der, err := b64(text(c))
				if err != nil {
					return id, fmt.Errorf("%w: X509Certificate: %v", ErrParse, err)
				}
				cert, err := pki.ParseCertificate(der)
				if err != nil {
					return id, fmt.Errorf("%w: X509Certificate: %w", ErrParse, err)
				}
				id.Certificates = append(id.Certificates, cert)
			case "X509SKI":
				ski, err := b64(text(c))
				if err != nil {
					return id, fmt.Errorf("%w: X509SKI: %v", ErrParse, err)
				}
				id.SKIs = append(id.SKIs, ski)
			case "X509SubjectName":
				id.SubjectNames = append(id.SubjectNames, text(c))
			}
		}
	}
	return id, nil
}

func child(el *etree.Element, tag string) *etree.Element {
	if el == nil {
		return nil
	}
	for _, c := range el.ChildElements() {
		if c.Tag == tag {
			return c
		}
	}
	return nil
}

func children(el *etree.Element, tag string) []*etree.Element {
	if el == nil {
		return nil
	}
	var out []*etree.Element
	for _, c := range el.ChildElements() {
		if c.Tag == tag {
			out = append(out, c)
		}
	}
	return out
}

func text(el *etree.Element) string {
	if el == nil {
		return ""
	}
	return strings.TrimSpace(el.Text())
}

// name returns the English Name child of a multilingual name, else the first.
func name(el *etree.Element) string {
	ns := children(el, "Name")
	for _, n := range ns {
		if n.SelectAttrValue("xml:lang", "") == "en" {
			return text(n)
		}
	}
	if len(ns) > 0 {
		return text(ns[0])
	}
	return ""
}

func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	return time.Parse("2006-01-02T15:04:05", s)
}

func b64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, s)
	return base64.StdEncoding.DecodeString(s)
}
