// Package tsp parses and checks RFC 3161 time-stamp tokens.
//
// What it does: Parse reads a TimeStampToken, a CMS ContentInfo holding
// SignedData whose eContentType is id-ct-TSTInfo (RFC 3161 §2.4.2), with
// exactly one SignerInfo, and decodes the TSTInfo (version, policy,
// messageImprint, serialNumber, genTime with fractions, accuracy,
// ordering, nonce, tsa). MatchesImprint compares the imprint with data;
// VerifySignature checks the TSA's CMS signature through signature/cms
// (RFC 5652 §5.4/§5.6: content-type and message-digest attributes, the
// DER signed attributes); CheckSigningCertificate enforces RFC 3161 §2.4.1
// and RFC 5816: the ESS signing-certificate or signing-certificate-v2
// attribute (RFC 5035) is present and identifies the TSA certificate.
//
// What it does not do: it does not build or validate the TSA certificate
// chain, check its timeStamping extended key usage, revocation, the crypto
// policy, or the TSA's accuracy against other times: callers do that with
// the certificate SignerCertificate returns. It does not request tokens
// over the network. Nothing calls time.Now.
package tsp
