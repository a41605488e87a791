package pki

import (
	"encoding/asn1"
	"errors"
)

// QCStatement identifiers, ETSI EN 319 412-5 §4 and RFC 3739 §3.2.6.
var (
	OIDQcCompliance      = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 1}
	OIDQcLimitValue      = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 2}
	OIDQcRetentionPeriod = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 3}
	OIDQcSSCD            = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 4}
	OIDQcPDS             = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 5}
	OIDQcType            = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 6}
	OIDQcTypeESign       = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 6, 1}
	OIDQcTypeESeal       = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 6, 2}
	OIDQcTypeWeb         = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 6, 3}
	OIDQcCClegislation   = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 7}
	OIDQcsPkixSyntaxV1   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 11, 1}
	OIDQcsPkixSyntaxV2   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 11, 2}
	// Semantics identifiers, EN 319 412-1 §5.1.
	OIDSemanticsNatural = asn1.ObjectIdentifier{0, 4, 0, 194121, 1, 1}
	OIDSemanticsLegal   = asn1.ObjectIdentifier{0, 4, 0, 194121, 1, 2}
)

// Certificate policy identifiers, ETSI EN 319 411-2 §5.3 and EN 319 411-1.
var (
	OIDPolicyQCPnQSCD       = asn1.ObjectIdentifier{0, 4, 0, 194112, 1, 2} // QCP-n-qscd
	OIDPolicyQCPlQSCD       = asn1.ObjectIdentifier{0, 4, 0, 194112, 1, 3} // QCP-l-qscd
	OIDPolicyQCPn           = asn1.ObjectIdentifier{0, 4, 0, 194112, 1, 0} // QCP-n
	OIDPolicyQCPl           = asn1.ObjectIdentifier{0, 4, 0, 194112, 1, 1} // QCP-l
	OIDPolicyQCPw           = asn1.ObjectIdentifier{0, 4, 0, 194112, 1, 4} // QCP-w
	OIDPolicyQCPnLegacy     = asn1.ObjectIdentifier{0, 4, 0, 1456, 1, 2}   // QCP public (TS 101 456)
	OIDPolicyQCPnSSCDLegacy = asn1.ObjectIdentifier{0, 4, 0, 1456, 1, 1}   // QCP public + SSCD
)

// QCStatements is the content of the qcStatements extension
// (1.3.6.1.5.5.7.1.3) as ETSI EN 319 412-5 defines it.
type QCStatements struct {
	Present         bool // the extension is present
	Compliance      bool // QcCompliance: an EU qualified certificate
	SSCD            bool // QcSSCD: private key in a QSCD
	Types           []asn1.ObjectIdentifier
	PDS             []PDSLocation
	Legislation     []string // QcCClegislation country codes
	RetentionPeriod int      // years; 0 when absent
	SemanticsIDs    []asn1.ObjectIdentifier
	// Unknown lists statement identifiers we do not interpret.
	Unknown []asn1.ObjectIdentifier
	// Malformed, when not empty, says why the extension could not be
	// parsed; all claims above are then false/empty.
	Malformed string
}

// PDSLocation is one PKI disclosure statement (EN 319 412-5 §4.3.4).
type PDSLocation struct {
	URL      string
	Language string
}

// IsESign reports a QcType of esign (0.4.0.1862.1.6.1). A qualified
// certificate without QcType is for signatures too (EN 319 412-5 §4.2.3:
// absent means esign only for certificates issued under the Directive),
// which the caller decides; this helper reports only what is stated.
func (q QCStatements) IsESign() bool { return hasOID(q.Types, OIDQcTypeESign) }

// IsESeal reports a QcType of eseal (0.4.0.1862.1.6.2).
func (q QCStatements) IsESeal() bool { return hasOID(q.Types, OIDQcTypeESeal) }

// IsWeb reports a QcType of web (0.4.0.1862.1.6.3).
func (q QCStatements) IsWeb() bool { return hasOID(q.Types, OIDQcTypeWeb) }

func hasOID(list []asn1.ObjectIdentifier, o asn1.ObjectIdentifier) bool {
	for _, x := range list {
		if x.Equal(o) {
			return true
		}
	}
	return false
}

type qcStatementASN1 struct {
	ID   asn1.ObjectIdentifier
	Info asn1.RawValue `asn1:"optional"`
}

type pdsASN1 struct {
	URL      string `asn1:"ia5"`
	Language string `asn1:"printable"`
}

type semanticsASN1 struct {
	ID  asn1.ObjectIdentifier `asn1:"optional"`
	NRA asn1.RawValue         `asn1:"optional"`
}

const maxQCStatements = 64

func parseQCStatements(v []byte) (QCStatements, error) {
	q := QCStatements{Present: true}
	var sts []qcStatementASN1
	if err := unmarshalAll(v, &sts); err != nil {
		return q, err
	}
	if len(sts) > maxQCStatements {
		return q, errors.New("too many statements")
	}
	for _, s := range sts {
		info := s.Info.FullBytes
		switch {
		case s.ID.Equal(OIDQcCompliance):
			q.Compliance = true
		case s.ID.Equal(OIDQcSSCD):
			q.SSCD = true
		case s.ID.Equal(OIDQcType):
			var t []asn1.ObjectIdentifier
			if err := unmarshalAll(info, &t); err != nil {
				return q, errors.New("QcType: " + err.Error())
			}
			q.Types = append(q.Types, t...)
		case s.ID.Equal(OIDQcPDS):
			var p []pdsASN1
			if err := unmarshalAll(info, &p); err != nil {
				return q, errors.New("QcPDS: " + err.Error())
			}
			for _, l := range p {
				q.PDS = append(q.PDS, PDSLocation(l))
			}
		case s.ID.Equal(OIDQcCClegislation):
			var l []string
			if err := unmarshalAll(info, &l); err != nil {
				return q, errors.New("QcCClegislation: " + err.Error())
			}
			q.Legislation = append(q.Legislation, l...)
		case s.ID.Equal(OIDQcRetentionPeriod):
			var n int
			if err := unmarshalAll(info, &n); err != nil {
				return q, errors.New("QcRetentionPeriod: " + err.Error())
			}
			q.RetentionPeriod = n
		case s.ID.Equal(OIDQcsPkixSyntaxV2), s.ID.Equal(OIDQcsPkixSyntaxV1):
			if len(info) == 0 {
				continue
			}
			var si semanticsASN1
			if err := unmarshalAll(info, &si); err != nil {
				return q, errors.New("SemanticsInformation: " + err.Error())
			}
			if len(si.ID) > 0 {
				q.SemanticsIDs = append(q.SemanticsIDs, si.ID)
			}
		default:
			q.Unknown = append(q.Unknown, s.ID)
		}
	}
	return q, nil
}

// HasPolicy reports whether the certificate asserts the policy identifier.
func (c *Certificate) HasPolicy(o asn1.ObjectIdentifier) bool {
	return hasOID(c.PolicyIdentifiers, o)
}

// IsQCPnQSCD reports the policy QCP-n-qscd (EN 319 411-2: qualified
// certificate for natural persons, key on a QSCD).
func (c *Certificate) IsQCPnQSCD() bool { return c.HasPolicy(OIDPolicyQCPnQSCD) }

// IsQCPlQSCD reports the policy QCP-l-qscd (legal persons, QSCD).
func (c *Certificate) IsQCPlQSCD() bool { return c.HasPolicy(OIDPolicyQCPlQSCD) }

// IsQCPn reports the policy QCP-n (natural persons, no QSCD claim).
func (c *Certificate) IsQCPn() bool { return c.HasPolicy(OIDPolicyQCPn) }

// IsQCPl reports the policy QCP-l (legal persons, no QSCD claim).
func (c *Certificate) IsQCPl() bool { return c.HasPolicy(OIDPolicyQCPl) }

// IsQCPw reports the policy QCP-w (website authentication).
func (c *Certificate) IsQCPw() bool { return c.HasPolicy(OIDPolicyQCPw) }
