package signature

import (
	"time"

	"github.com/sigintake/sigintake/signature/algo"
	"github.com/sigintake/sigintake/signature/pki"
)

// Evidence is what a format package found in one signature: the outcome of
// its format checks, the identification of the signing certificate and the
// cryptographic verification (ETSI EN 319 102-1 §5.2.2–§5.2.7), and the
// material the format-independent rest of the validation needs (embedded
// certificates, timestamps, revocation data). [Validate] turns it into a
// [Report].
type Evidence struct {
	ID     string
	Format Format
	Level  string

	// FormatErr means the signature is structurally broken: TOTAL_FAILED
	// FORMAT_FAILURE.
	FormatErr error
	// SignedDataErr means the signed data could not be found (a detached
	// signature without its file): INDETERMINATE SIGNED_DATA_NOT_FOUND.
	SignedDataErr error

	// SigningCert is the identified signing certificate, nil when none was
	// found: INDETERMINATE NO_SIGNING_CERTIFICATE_FOUND.
	SigningCert *pki.Certificate
	// SigningCertErr says why the signing certificate could not be
	// identified, or that a signed reference to it (ESS signing-certificate,
	// XAdES SigningCertificate) does not match: INDETERMINATE
	// NO_SIGNING_CERTIFICATE_FOUND.
	SigningCertErr error
	// Certificates are the certificates the signature carries, usable for
	// path building.
	Certificates []*pki.Certificate

	// DigestErr: the signed data's digest does not match (HASH_FAILURE).
	DigestErr error
	// SignatureErr: the signature value does not verify (SIG_CRYPTO_FAILURE).
	SignatureErr error
	// Algorithm is the signature algorithm, checked against the crypto
	// policy at the best signature time.
	Algorithm algo.Signature
	// AlgorithmErr: the algorithm is unknown or unsupported.
	AlgorithmErr error

	// ClaimedSigningTime is the signing time the signer claims, if any.
	ClaimedSigningTime *time.Time
	// Timestamps are the time-stamp tokens over the signature.
	Timestamps []TimestampEvidence

	// TimeMarks are OCSP responses that the format binds to this signature
	// (the BDOC time-mark profile: the request nonce is the digest of the
	// signature value). Once verified as an OCSP response for the signing
	// certificate, a time-mark's producedAt proves that the signature
	// existed then, like a signature timestamp.
	TimeMarks [][]byte

	// OCSP and CRLs are revocation data embedded in the signature (LT).
	OCSP [][]byte
	CRLs [][]byte

	Covered  []string
	Warnings []string
	Infos    []string
	// CounterSignatures are already-validated counter-signatures.
	CounterSignatures []Report
}

// TimestampEvidence is one RFC 3161 time-stamp token and what it must
// cover.
type TimestampEvidence struct {
	// Type is "signature", "archive", "content" or "document".
	Type string
	// Token is the TimeStampToken (a CMS ContentInfo), DER.
	Token []byte
	// Imprinted is the data the token's message imprint must match. Nil
	// when the format package checked the imprint itself (then ImprintErr
	// carries its outcome).
	Imprinted  []byte
	ImprintErr error
}
