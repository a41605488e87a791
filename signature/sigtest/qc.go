package sigtest

import (
	"crypto/x509/pkix"
	"encoding/asn1"
)

// QCStatements identifiers (ETSI EN 319 412-5 §4, RFC 3739).
var (
	OIDQCStatements   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 3}
	OIDQcCompliance   = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 1}
	OIDQcRetention    = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 3}
	OIDQcSSCD         = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 4}
	OIDQcPDS          = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 5}
	OIDQcType         = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 6}
	OIDQcTypeESign    = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 6, 1}
	OIDQcTypeESeal    = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 6, 2}
	OIDQcTypeWeb      = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 6, 3}
	OIDQcLegislation  = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 7}
	OIDQcSemanticsNat = asn1.ObjectIdentifier{0, 4, 0, 194121, 1, 1} // id-etsi-qcs-semanticsId-Natural
	OIDQcSemanticsLeg = asn1.ObjectIdentifier{0, 4, 0, 194121, 1, 2} // id-etsi-qcs-semanticsId-Legal
)

// QcType is the id-etsi-qcs-QcType statement value.
type QcType int

const (
	// QcTypeDefault is esign for natural persons and eseal for legal persons.
	QcTypeDefault QcType = iota
	QcTypeESign
	QcTypeESeal
	QcTypeWeb
	// QcTypeNone omits the QcType statement.
	QcTypeNone
)

// PDSLocation is one QcPDS entry.
type PDSLocation struct {
	URL      string
	Language string // ISO 639-1, two letters
}

// QCOptions select the statements of the QCStatements extension.
type QCOptions struct {
	Compliance bool
	SSCD       bool
	Type       QcType
	PDS        []PDSLocation
	// Legislation lists QcCClegislation countries (non-EU qualified).
	Legislation []string
	// RetentionYears > 0 adds QcRetentionPeriod.
	RetentionYears int
	// Critical marks the extension critical (EN 319 412-5 says non-critical).
	Critical bool
}

// Qualified returns the statements of an EU qualified certificate on a
// QSCD: QcCompliance, QcSSCD, QcType (by kind) and an English QcPDS.
func Qualified() *QCOptions {
	return &QCOptions{
		Compliance: true,
		SSCD:       true,
		PDS:        []PDSLocation{{URL: "https://sigtest.invalid/pds_en.pdf", Language: "en"}},
	}
}

type qcStatement struct {
	ID   asn1.ObjectIdentifier
	Info asn1.RawValue `asn1:"optional"`
}

type pdsLocation struct {
	URL      string `asn1:"ia5"`
	Language string `asn1:"printable"`
}

// Extension encodes the QCStatements extension (1.3.6.1.5.5.7.1.3). A
// QcTypeDefault type is written as esign.
func (q QCOptions) Extension() pkix.Extension {
	var sts []qcStatement
	add := func(id asn1.ObjectIdentifier, info any) {
		st := qcStatement{ID: id}
		if info != nil {
			b, err := asn1.Marshal(info)
			if err != nil {
				panic("sigtest: QC statement: " + err.Error())
			}
			st.Info = asn1.RawValue{FullBytes: b}
		}
		sts = append(sts, st)
	}
	if q.Compliance {
		add(OIDQcCompliance, nil)
	}
	if q.RetentionYears > 0 {
		add(OIDQcRetention, q.RetentionYears)
	}
	if q.SSCD {
		add(OIDQcSSCD, nil)
	}
	switch q.Type {
	case QcTypeDefault, QcTypeESign:
		add(OIDQcType, []asn1.ObjectIdentifier{OIDQcTypeESign})
	case QcTypeESeal:
		add(OIDQcType, []asn1.ObjectIdentifier{OIDQcTypeESeal})
	case QcTypeWeb:
		add(OIDQcType, []asn1.ObjectIdentifier{OIDQcTypeWeb})
	}
	if len(q.PDS) > 0 {
		var locs []pdsLocation
		for _, l := range q.PDS {
			locs = append(locs, pdsLocation(l))
		}
		add(OIDQcPDS, locs)
	}
	if len(q.Legislation) > 0 {
		var cs []asn1.RawValue
		for _, c := range q.Legislation {
			b, _ := asn1.MarshalWithParams(c, "printable")
			cs = append(cs, asn1.RawValue{FullBytes: b})
		}
		add(OIDQcLegislation, cs)
	}
	v, err := asn1.Marshal(sts)
	if err != nil {
		panic("sigtest: QCStatements: " + err.Error())
	}
	return pkix.Extension{Id: OIDQCStatements, Critical: q.Critical, Value: v}
}
