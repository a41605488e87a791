// Package algo identifies signature and digest algorithms, parses public
// keys and verifies raw signatures, and applies a date-based cryptographic
// policy modelled on the default constraint file of the EU's DSS.
//
// What it does:
//   - ParsePublicKey reads a SubjectPublicKeyInfo (RFC 5280 §4.1.2.7):
//     RSA (RFC 8017; a modulus encoded as a negative INTEGER is read as
//     unsigned, as real qualified certificates require), RSASSA-PSS keys
//     (RFC 4055 §1.2), ECDSA on P-224/256/384/521 and brainpoolP256r1/
//     P384r1/P512r1 (RFC 5639), and Ed25519 (RFC 8410).
//   - ParseAlgorithm maps CMS/X.509 AlgorithmIdentifiers to a Signature:
//     PKCS#1 v1.5 with SHA-1/2/3 (RFC 8017, RFC 5754, NIST CSOR), RSASSA-PSS
//     with explicit parameters (RFC 4055 §3.1), ECDSA (RFC 5758), BSI
//     plain-ECDSA (BSI TR-03111 §5.2.1, OID 0.4.0.127.0.7.1.1.4.1.x) and
//     Ed25519 (RFC 8419). FromXMLURI does the same for XML-DSig URIs
//     (RFC 6931); XML ECDSA values are r||s (PlainECDSA).
//   - Verify/VerifyDigest check a signature value. RSA is done with our own
//     public-key operation so a PKCS#1 v1.5 DigestInfo is accepted with or
//     without the NULL hash parameters (RFC 8017 §9.2 note 2) and nothing
//     else; RSASSA-PSS is our own EMSA-PSS-VERIFY (RFC 8017 §9.1.2) so the
//     MGF1 hash may differ from the message hash. Failures wrap
//     ErrVerification (DSS: SIG_CRYPTO_FAILURE).
//
// Crypto policy (DefaultPolicy) — source: esig/dss
// dss-policy-jaxb/src/main/resources/policy/constraint.xml (DSS 5.x default
// "QES AdESQC TL based" policy, <Cryptographic Level="FAIL">), whose dates
// come from ETSI TS 102 176-1 (historical) and ETSI TS 119 312 V1.4.2.
// A year Y in that file is read as "usable until the end of Y-12-31":
//
//	digest      expires     key                      expires
//	MD5         2005-12-31  RSA/RSASSA-PSS  <1024    refused (MiniPublicKeySize)
//	SHA-1       2009-12-31  RSA  1024..1535          2009-12-31
//	SHA-224     2026-12-31  RSA  1536..1899          2016-12-31
//	SHA-256     2029-12-31  RSA  1900..2999          2026-12-31
//	SHA-384     2029-12-31  RSA  >=3000              2029-12-31
//	SHA-512     2029-12-31  ECDSA <160               refused
//	SHA3-256    2029-12-31  ECDSA 160..223           2013-12-31
//	SHA3-384    2029-12-31  ECDSA 224..255           2016-12-31
//	SHA3-512    2029-12-31  ECDSA >=256 (256/384/512) 2029-12-31
//	                        PLAIN-ECDSA              as ECDSA
//	                        Ed25519                  not acceptable (DSS: "not
//	                                                 referenced in ETSI/SOGIS")
//
// DSS marks that table UpdateDate="2022" LevelAfterUpdate="WARN": an
// expiration date later than 2022-12-31 is reported as a warning, not a
// failure. Policy.UpdateDate reproduces that: CheckSignature and CheckDigest
// return only failures; Warnings lists the downgraded ones. Set UpdateDate
// to the zero time to enforce every date.
//
// What it does not do: DSA, RSA-OAEP keys, compressed EC points, GOST,
// RIPEMD-160 and Whirlpool digests; nothing here decides trust. Time is an
// input: nothing calls time.Now.
package algo
