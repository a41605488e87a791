package cms

import (
	"encoding/asn1"
	"fmt"
)

// OIDAttrAdobeRevocationInfoArchival is Adobe's adbe-revocationInfoArchival
// signed attribute (ISO 32000-1 §12.8.3.3.2), which PDF signers use to embed
// the revocation data of the signing certificate's chain.
var OIDAttrAdobeRevocationInfoArchival = asn1.ObjectIdentifier{1, 2, 840, 113583, 1, 1, 8}

// AdobeRevocationInfoArchival returns the CRLs and OCSPResponses of the
// adbe-revocationInfoArchival signed attribute:
//
//	RevocationInfoArchival ::= SEQUENCE {
//	  crl          [0] EXPLICIT SEQUENCE OF CRLs OPTIONAL,
//	  ocsp         [1] EXPLICIT SEQUENCE OF OCSPResponse OPTIONAL,
//	  otherRevInfo [2] EXPLICIT SEQUENCE OF OtherRevInfo OPTIONAL }
//
// The other revocation info is skipped.
func (si *SignerInfo) AdobeRevocationInfoArchival() (crls [][]byte, ocsp [][]byte, err error) {
	ns, err := values(si.SignedAttrs, OIDAttrAdobeRevocationInfoArchival)
	if err != nil {
		return nil, nil, err
	}
	for _, n := range ns {
		if err := expectSeq(n, "RevocationInfoArchival"); err != nil {
			return nil, nil, err
		}
		for _, f := range n.kids {
			if !f.constructed || f.class != classContext || len(f.kids) != 1 {
				return nil, nil, fmt.Errorf("%w: RevocationInfoArchival field %s", ErrMalformed, f.describe())
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
