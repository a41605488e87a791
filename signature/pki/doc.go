// Package pki parses X.509 certificates and builds certification paths for
// signature validation (RFC 5280 §4 and §6, as ETSI EN 319 102-1 §5.2.6
// "X.509 certificate validation" uses them).
//
// What it does:
//   - ParseCertificate wraps crypto/x509. When x509 refuses a real qualified
//     certificate (negative serial number, negative RSA modulus, BER-encoded
//     certificatePolicies, brainpool or other curves x509 lacks) a fallback
//     parser of our own (encoding/asn1 over the original TBSCertificate)
//     fills Raw, RawTBSCertificate, RawSubject, RawIssuer,
//     RawSubjectPublicKeyInfo, Subject, Issuer, Version, SerialNumber (may be
//     negative), NotBefore, NotAfter, KeyUsage, ExtKeyUsage,
//     BasicConstraintsValid, IsCA, MaxPathLen/MaxPathLenZero, SubjectKeyId,
//     AuthorityKeyId, OCSPServer, IssuingCertificateURL,
//     CRLDistributionPoints, PolicyIdentifiers, Extensions and Signature;
//     SignatureAlgorithm and PublicKeyAlgorithm are Unknown and Fallback says
//     why x509 refused it. Critical extensions the fallback does not parse
//     (e.g. nameConstraints, a critical subjectAltName) are listed in
//     UnhandledCriticalExtensions so that path building rejects them.
//     Nothing is re-encoded: signatures are always checked over the received
//     RawTBSCertificate. The public key of every certificate comes from
//     signature/algo (RSA, RSA-PSS, ECDSA incl. brainpool, Ed25519).
//   - QCStatements (ETSI EN 319 412-5) and EN 319 411-2 policy helpers;
//     subject attribute helpers (EN 319 412-1 serialNumber and
//     organizationIdentifier) and RFC 4514-style names.
//   - CheckSignatureFrom: name chaining and the signature (RFC 5280 §6.1.3
//     (a)(1), (a)(4)); Pool: candidate issuers by name and key identifiers.
//   - BuildPaths: depth-first path building to a trust anchor with loop
//     detection and bounded work, then per path: basicConstraints cA,
//     pathLenConstraint, keyCertSign, unknown critical extensions (the
//     qualified-certificate ones, qcStatements, biometricInfo,
//     subjectDirectoryAttributes and privateKeyUsagePeriod, are accepted)
//     and name constraints on DNS, e-mail, URI and IP names (§6.1.3 (b),(c),
//     §6.1.4 (k)-(n)). Failures are *PathError with Kind NoChain (DSS
//     NO_CERTIFICATE_CHAIN_FOUND) or Constraints (CHAIN_CONSTRAINTS_FAILURE).
//   - Path.CheckValidity (§6.1.3 (a)(2)) as a separate step, because
//     EN 319 102-1 needs the path of an expired certificate too.
//   - Key-usage checks for signing (EN 319 412-2 §4.3.2), timestamping
//     (RFC 3161 §2.3), OCSP signing (RFC 6960 §4.2.2.2) and CRL signing.
//
// What it does not do: revocation (package signature/revocation), trusted
// lists and qualification, certificate policy processing (RFC 5280 §6.1.3
// (d)-(f), policy mappings and constraints), directoryName name constraints
// (x509 leaves them unhandled, so a critical extension holding them fails
// the path), or name constraints of a fallback-parsed CA (the path fails).
// Validity is never checked implicitly, and nothing here reads the clock.
package pki
