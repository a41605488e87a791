// Package revocation verifies OCSP responses (RFC 6960) and CRLs
// (RFC 5280 §5, §6.3) about one certificate and fetches them over HTTP.
//
// What it does:
//   - CheckOCSP takes an OCSPResponse (RFC 6960 §4.2.1) or a bare
//     BasicOCSPResponse, as CAdES RevocationValues (EN 319 122-1), the PAdES
//     DSS (EN 319 142-1) and XAdES EncapsulatedOCSPValue (EN 319 132-1) embed
//     them. A responseStatus other than successful is an *OCSPStatusError:
//     tryLater and internalError match ErrUnavailable (temporary). The
//     SingleResponse is found by CertID with any hash algorithm signature/algo
//     knows (§4.1.1). The signature over tbsResponseData is verified with
//     signature/algo (RSA PKCS #1 v1.5 and PSS, ECDSA incl. brainpool,
//     Ed25519), and the signer must be authorised (§4.2.2.2): the issuer
//     itself (same certificate, or same subject and key), or a delegated
//     responder certificate signed by the issuer, carrying id-kp-OCSPSigning
//     and valid at producedAt. An "unknown" CertStatus is Status Unknown,
//     never Revoked. Unknown critical extensions are refused.
//   - CheckCRL verifies a CRL: issuer name equal to the certificate's issuer
//     and the issuer certificate's subject (§6.3.3 (b)(1)), the signature by
//     the issuer's key, cRLSign when keyUsage is present (§6.3.3 (f)), the
//     scope in issuingDistributionPoint (§5.2.5, §6.3.3 (b)(2)):
//     onlyContainsUserCerts / onlyContainsCACerts / onlyContainsAttributeCerts
//     and a distribution point URI that must be one of the certificate's
//     (ErrScope otherwise). It then looks up the serial number (negative
//     serials compare as the signed integers they are) and reports
//     revocationDate and reasonCode (§5.3.1; -1 when absent).
//     certificateHold is reported as Revoked with Reason 6. The entries
//     are walked in place, not decoded into structs: a 100 000-entry CRL
//     is checked in milliseconds with a few KiB of garbage.
//   - Check asks the OCSP responder of the certificate's AIA first, then each
//     CRL distribution point, through a Fetcher, and returns the first
//     verified Good or Revoked answer (an OCSP Unknown only when no CRL
//     answers). When nothing verifiable came back the error matches
//     ErrUnavailable: the caller reports INDETERMINATE / TRY_LATER
//     (EN 319 102-1 §5.2.5), never a pass.
//   - HTTPFetcher is the Fetcher over HTTP: OCSP by POST (GET per RFC 6960
//     Appendix A.1 when the POST gets a 4xx), CRLs and caIssuers by GET, with a
//     per-request timeout (default 10 s), body size limits, an in-memory cache
//     bounded in entries and kept until nextUpdate (only when Now is set:
//     nothing here reads the system clock), an optional on-disk cache and
//     counters (Stats). Network errors, timeouts, HTTP 5xx/408/429 match
//     ErrUnavailable.
//   - Result.FreshAt says whether an answer is recent enough at a given time.
//
// What it does not do:
//   - It does not decide freshness against the signing time or any policy
//     (the caller does, with FreshAt), nor build or validate the issuer's
//     certification path (signature/pki).
//   - Responders trusted by local configuration or by a trusted list rather
//     than by the issuer (RFC 6960 §4.2.2.2, first case) are refused with
//     ErrUnauthorized: real BDOC/ASiC-E files answered by "SK OCSP
//     RESPONDER 2011" (issued by the Estonian root, not by the signer's CA)
//     fail here and need another source. Likewise a CRL signed by another
//     key of the issuer's name (key rollover, §6.3.3 (f)) is ErrSignature:
//     the CRL must verify with the key of the certificate passed as issuer.
//   - It does not check the revocation of a delegated OCSP responder's
//     certificate (RFC 6960 §4.2.2.2.1; id-pkix-ocsp-nocheck is not
//     required), nor of the CRL issuer.
//   - Indirect CRLs (§5.2.5 indirectCRL, §5.3.3 certificateIssuer), delta
//     CRLs (§5.2.4, §6.3.3 (c)), CRLs partitioned by reason
//     (onlySomeReasons) and distribution points named otherwise than by URI
//     are refused with ErrUnsupported, never taken as "good". A
//     removeFromCRL entry on a base CRL is ErrMalformed.
//   - It sends no nonce (answers are cacheable), does not sign requests,
//     and does not fetch over LDAP or FTP.
//   - The fetcher's caches hold bytes, not verdicts: every use verifies
//     again. OCSP answers are cached only when they verify; CRLs when they
//     parse (the fetcher does not know their issuer).
package revocation
