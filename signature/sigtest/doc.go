// Package sigtest is the project's test PKI and in-process trust services,
// in the spirit of net/http/httptest. It is imported only from tests.
//
// New(t) builds a hierarchy under a fresh "Sigtest Root CA":
// "Sigtest Qualified CA" (RSA), "Sigtest Qualified CA EC" (ECDSA P-384), a
// "Sigtest Rogue CA" outside the trust pool, and a timestamping unit. An
// HTTP server on 127.0.0.1, closed by t.Cleanup, serves for every CA:
//
//   - an OCSP responder (RFC 6960) signed by a delegated responder
//     (id-kp-OCSPSigning, id-pkix-ocsp-nocheck) or by the CA, with switches
//     (OCSPMode) for unauthorised responders (another CA's, or this CA's
//     certificate without the EKU), unknown, tryLater, hanging, garbage,
//     stale and badly signed answers;
//   - a CRL (RFC 5280 §5) with switches (CRLMode) for stale, wrongly signed,
//     hanging, garbage and missing CRLs;
//   - the CA certificate at its caIssuers URL;
//
// and an RFC 3161 TSA per TSA (POST application/timestamp-query). Requests
// reports how many requests each service answered, so a test can assert
// that an offline validation used no network.
//
// Issue makes end-entity certificates as LeafOptions describe: natural or
// legal persons with Latvian serialNumber (PNOLV-...) and
// organizationIdentifier (NTRLV-...), EN 319 412-5 QCStatements, RSA,
// RSA-PSS or ECDSA keys, any validity, key usage and policies. Revoke and
// SetClock drive what OCSP and CRLs say: an answer produced at the PKI's
// clock lists only revocations dated at or before it.
//
// SignCMS writes CMS SignedData (RFC 5652 §5) and CAdES (EN 319 122-1)
// signatures from scratch with its own DER encoder, independent of any
// verifier in the project: B-level signed attributes, signature timestamps
// (T), certificate and revocation values (LT), several signers and
// countersignatures, and deliberate defects (CMSOptions) that a verifier
// must detect or must tolerate (BER, unsorted SignedAttributes, DigestInfo
// without NULL).
//
// Modes (SetOCSPMode, SetCRLMode, TSA.SetMode, SetClock) belong to one PKI:
// parallel tests that flip them should each make their own PKI.
//
// Keys: CA keys are fresh per PKI; RSA leaf and TSA keys come from a pool
// shared across the PKIs of one test binary (distinct within a PKI), since
// RSA-2048 generation costs 50-110 ms under -race on 2 busy cores.
//
// What it does not do: nothing is deterministic beyond the pinned
// clock Now; it makes no SPKI with the id-RSASSA-PSS algorithm (crypto/x509
// cannot parse those; RSAPSS leaves have rsaEncryption keys used with PSS);
// no brainpool curves; no archive timestamps (LTA); the OCSP responder
// ignores request signatures; the PKI's own clock never advances by itself.
package sigtest
