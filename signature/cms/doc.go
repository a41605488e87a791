// Package cms parses CMS SignedData (RFC 5652) and verifies SignerInfos.
// It is our own implementation because the pkcs7 libraries re-encode
// signed attributes, swallow parse errors and know no RSA-PSS, SHA-3,
// brainpool or plain-ECDSA.
//
// What it does:
//   - A BER reader (X.690) with definite and indefinite lengths,
//     constructed OCTET STRINGs, high tag numbers, and limits on input
//     size, nesting depth and element count (Limits); it never panics and
//     errors wrap ErrMalformed or ErrLimit. Decode accepts DER/BER, PEM
//     and bare base64.
//   - Parse reads ContentInfo/SignedData (RFC 5652 §3, §5.1-5.3): digest
//     algorithms, encapsulated content (§5.2), raw certificates and CRLs,
//     other revocation info (RFC 5940), SignerInfos with the signed
//     attributes' bytes as received (RawSignedAttrs, first octet set to
//     SET OF as §5.4 requires).
//   - SignerInfo.Verify implements §5.4 (message digest) and §5.6
//     (signature verification): no repeated single-instance attribute, one
//     content-type equal to eContentType (§11.1) and one message-digest
//     equal to the content digest (§11.2). The signature is checked over
//     the DER encoding of the signed attributes (§5.3, §5.4): the received
//     bytes when they are DER, else their DER re-encoding (DSS/BouncyCastle
//     behaviour). A signature valid only over non-DER bytes as received
//     gives ErrNonDERSignedAttrs (DSS: not intact). VerifyDigest takes a
//     precomputed content digest for large detached content.
//   - SignerCertificate matches the sid (§5.3 SignerIdentifier) by issuer
//     and serial (negative serials kept; names compared raw, then
//     normalised) or subject key identifier. CertificateID and
//     CertificatePublicKeyInfo read certificates crypto/x509 rejects.
//   - Attribute helpers for RFC 5035 ESS signing-certificate(-v2) (with
//     ESSCertIDs.Matches), and the EN 319 122-1 / RFC 5126 CAdES attributes:
//     signing time, signature, content and archive (v2, v3) time-stamps,
//     counter-signatures (RFC 5652 §11.4), certificate and revocation
//     values, complete certificate/revocation references, signature
//     policy identifier. VerifyCounterSignature checks RFC 5652 §11.4
//     countersignatures; FirstElement cuts a BER element from padded
//     input (PAdES /Contents).
//
// What it does not do: it does not validate certificates, chains,
// revocation or time-stamp tokens (see signature/tsp), does not check the
// crypto policy (signature/algo.Policy), and does not decrypt
// EnvelopedData. For archive time-stamps (archive.go) it gives the elements
// as received (SignerInfo.Elements, SignedData.Elements, DEREncoding) and
// parses ats-hash-index(-v3) (EN 319 122-1 §5.5.2); signature/cades checks
// them. Nothing calls time.Now.
package cms
