package pades

import (
	"encoding/asn1"

	"github.com/sigintake/sigintake/signature/cms"
)

// oidAdobeRevocation is adbe-revocationInfoArchival (ISO 32000-1 §12.8.3.3.2).
var oidAdobeRevocation = asn1.ObjectIdentifier{1, 2, 840, 113583, 1, 1, 8}

// revocationInfoArchival is
//
//	RevocationInfoArchival ::= SEQUENCE {
//	  crl          [0] EXPLICIT SEQUENCE OF CRLs OPTIONAL,
//	  ocsp         [1] EXPLICIT SEQUENCE OF OCSPResponse OPTIONAL,
//	  otherRevInfo [2] EXPLICIT SEQUENCE OF OtherRevInfo OPTIONAL }
type revocationInfoArchival struct {
	CRL   []asn1.RawValue `asn1:"optional,explicit,tag:0"`
	OCSP  []asn1.RawValue `asn1:"optional,explicit,tag:1"`
	Other []asn1.RawValue `asn1:"optional,explicit,tag:2"`
}

// adobeRevocation returns the CRLs and OCSP responses of the signed
// adbe-revocationInfoArchival attribute; nothing when absent or unreadable.
func adobeRevocation(si *cms.SignerInfo) (crls, ocsps [][]byte) {
	for _, a := range si.SignedAttrs {
		if !a.Type.Equal(oidAdobeRevocation) || len(a.Values) != 1 {
			continue
		}
		var r revocationInfoArchival
		if _, err := asn1.Unmarshal(a.Values[0].FullBytes, &r); err != nil {
			return nil, nil
		}
		for _, c := range r.CRL {
			crls = append(crls, c.FullBytes)
		}
		for _, o := range r.OCSP {
			ocsps = append(ocsps, o.FullBytes)
		}
	}
	return crls, ocsps
}
