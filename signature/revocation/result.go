package revocation

import (
	"errors"
	"time"

	"github.com/sigintake/sigintake/signature/pki"
)

// Status is a certificate's revocation status.
type Status string

const (
	Good    Status = "good"
	Revoked Status = "revoked"
	// Unknown: the responder does not know the certificate (RFC 6960
	// §2.2). Never a pass, never Revoked.
	Unknown Status = "unknown"
)

// Result is one verified revocation answer.
type Result struct {
	Source     string // "ocsp" or "crl"
	Status     Status
	ProducedAt time.Time // OCSP producedAt; for a CRL, its thisUpdate
	ThisUpdate time.Time
	NextUpdate time.Time // zero when absent
	RevokedAt  time.Time
	Reason     int // CRLReason (RFC 5280 §5.3.1); -1 when absent
	Signer     *pki.Certificate
	Raw        []byte // the OCSP response or CRL as received
	URL        string // where it was fetched, when Check fetched it
}

// FreshAt reports whether the answer is usable as evidence at time t
// (ETSI EN 319 102-1 §5.2.5 freshness): it was issued no earlier than
// maxAge before t (maxAge <= 0: no bound on age) and t is not after its
// nextUpdate when it has one. Whether the answer must postdate the
// signing time is the caller's policy.
func (r *Result) FreshAt(t time.Time, maxAge time.Duration) bool {
	if r == nil || r.ThisUpdate.IsZero() {
		return false
	}
	if maxAge > 0 && r.ThisUpdate.Before(t.Add(-maxAge)) {
		return false
	}
	if !r.NextUpdate.IsZero() && t.After(r.NextUpdate) {
		return false
	}
	return true
}

// Sentinel errors. Temporary failures (network, timeout, HTTP 5xx, OCSP
// tryLater/internalError, no source answered) match ErrUnavailable: the
// caller reports INDETERMINATE/TRY_LATER and tries again later.
var (
	ErrUnavailable = errors.New("revocation: status unavailable")
	ErrTryLater    = errors.New("revocation: responder said tryLater")
	ErrMalformed   = errors.New("revocation: malformed response")
	ErrSignature   = errors.New("revocation: response signature invalid")
	// ErrUnauthorized: the OCSP response or CRL is signed by someone who may
	// not speak for the certificate's issuer.
	ErrUnauthorized = errors.New("revocation: signer not authorised")
	// ErrNoStatus: the response holds no status for this certificate.
	ErrNoStatus = errors.New("revocation: no status for this certificate")
	// ErrUnsupported: indirect CRLs, delta CRLs, partitioned scopes.
	ErrUnsupported = errors.New("revocation: unsupported")
	// ErrScope: the CRL does not cover this certificate.
	ErrScope = errors.New("revocation: certificate out of the CRL's scope")
	// ErrRejected: the responder refused (malformedRequest, unauthorized,
	// sigRequired); a permanent answer about our request.
	ErrRejected = errors.New("revocation: responder rejected the request")
)

// errNoCert: a nil certificate, issuer or serial number was passed.
var errNoCert = errors.New("revocation: certificate, issuer and serial number are required")

// tempError marks an error as temporary: errors.Is(err, ErrUnavailable).
type tempError struct{ err error }

func (e *tempError) Error() string   { return e.err.Error() }
func (e *tempError) Unwrap() []error { return []error{ErrUnavailable, e.err} }
func temporary(err error) error      { return &tempError{err} }
