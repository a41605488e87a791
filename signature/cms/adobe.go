package cms

import "encoding/asn1"

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
	return revocationChoices(si.SignedAttrs, OIDAttrAdobeRevocationInfoArchival, "RevocationInfoArchival")
}
