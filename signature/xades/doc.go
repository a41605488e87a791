// Package xades validates XAdES signatures (ETSI EN 319 132-1 V1.1.1, and
// the XAdES 1.3.2/1.4.1 forms of ETSI TS 101 903 that Latvian eDocs and
// Estonian BDOCs use) on top of the XML-DSig core of signature/xmldsig,
// and hands the result to signature.Validate for time, path, revocation,
// crypto policy and qualification.
//
// What it does (Evidence):
//   - The XML-DSig core (xmldsig.Verify): SignedInfo canonicalised in its
//     document context, every Reference resolved strictly ("#id" names
//     exactly one element, other URIs go to Options.Resolver only),
//     SignatureValue with RSA, RSA-PSS and ECDSA r||s. Unresolvable
//     references and references behind unsupported transforms (XPath,
//     XSLT) are SIGNED_DATA_NOT_FOUND; duplicate IDs FORMAT_FAILURE;
//     digest mismatches HASH_FAILURE.
//   - Qualifying properties (§4.3, §6.3 (f)): exactly one
//     QualifyingProperties in a ds:Object of the signature with Target
//     "#" + the signature's Id; exactly one Reference with Type
//     http://uri.etsi.org/01903#SignedProperties, and the element it
//     digested is this SignedProperties (pointer identity, not a search
//     by Id: signature wrapping fails). Properties are read only from
//     that element. No such reference: FORMAT_FAILURE.
//   - SigningTime (§5.2.1) as the claimed signing time.
//   - SigningCertificate / SigningCertificateV2 (§5.2.2): the certificate
//     whose key verifies the SignatureValue must match a Cert's CertDigest,
//     and that Cert's IssuerSerial (X509IssuerName compared as a set of
//     normalised attributes, serial exactly) or IssuerSerialV2 (RFC 5035
//     DER); any mismatch, or no such property, is INDETERMINATE
//     NO_SIGNING_CERTIFICATE_FOUND as in DSS.
//   - DataObjectFormat (§5.2.4) against the container manifest
//     (Options.MediaTypes); application/octet-stream matches anything.
//   - SignatureTimeStamp (§5.3): the imprint is checked over the
//     ds:SignatureValue element canonicalised with the property's
//     CanonicalizationMethod (default C14N 1.0).
//   - CertificateValues, RevocationValues and xades141
//     TimeStampValidationData (§5.4, LT): certificates for path building,
//     EncapsulatedOCSPValue and EncapsulatedCRLValue for offline
//     revocation checking.
//   - ArchiveTimeStamp (XAdES 1.4.1, EN 319 132-1 §5.5.2): the input is
//     rebuilt (reference octets, SignedInfo, SignatureValue, KeyInfo, the
//     unsigned signature properties before it, other ds:Objects). When
//     the token's imprint matches, the timestamp is verified like any
//     other; when it does not, it is reported as not verified (a failed
//     timestamp with that reason), never as valid. It matched on all three
//     real LTA files of the corpus.
//   - Levels (§6): XAdES-BASELINE-B, -T, -LT, -LTA; "XML-DSig" when the
//     properties are not signed.
//   - Estonian BDOC 2.1 time-mark (policy 1.3.6.1.4.1.10015.1000.3.2.1,
//     no SignatureTimeStamp): an embedded OCSP response whose nonce is a
//     DigestInfo of the hash of the decoded SignatureValue (BDOC 2.1.2
//     §6.1, as libdigidocpp checks it) proves the signature existed at its
//     producedAt. The level is then "XAdES-BASELINE-LT-TM (BDOC time-mark)"
//     and an Info says so. signature.Evidence has no input for a proof of
//     existence other than RFC 3161 tokens, so the best signature time is
//     NOT moved to producedAt: a time-mark signature whose certificate
//     has since expired is INDETERMINATE (OUT_OF_BOUNDS_NO_POE), which a
//     clerk reviews.
//
// ValidateFile validates stand-alone XML (enveloped, enveloping; detached
// when a Resolver is given). Parsing refuses DTDs and entities
// (xmldsig.Parse) and is bounded in size, depth and element count.
//
// What it does not do: XAdES-C/X references (CompleteCertificateRefs ...)
// are read neither as evidence nor refused; counter-signatures and
// XML timestamps (XMLTimeStamp) are ignored; SignaturePolicyIdentifier is
// not checked against the policy document; AllDataObjectsTimeStamp and
// IndividualDataObjectsTimeStamp are not verified; archive timestamps over
// ds:Manifest-expanded data (ts:CanonicalizationMethod variants) are not
// rebuilt; nothing is fetched over the network.
package xades
