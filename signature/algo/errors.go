package algo

import (
	"errors"
	"fmt"
	"time"
)

var (
	// ErrVerification means the signature value does not verify with the key
	// (DSS SIG_CRYPTO_FAILURE).
	ErrVerification = errors.New("algo: signature verification failed")
	// ErrUnsupported means the algorithm, key type or curve is not known.
	ErrUnsupported = errors.New("algo: unsupported algorithm")
	// ErrMalformed means an encoding (key, parameters, signature) is invalid.
	ErrMalformed = errors.New("algo: malformed encoding")
	// ErrKeyMismatch means the key type does not fit the signature algorithm.
	ErrKeyMismatch = errors.New("algo: key does not match signature algorithm")
	// ErrConstraint is matched by every *ConstraintError (DSS
	// CRYPTO_CONSTRAINTS_FAILURE).
	ErrConstraint = errors.New("algo: cryptographic constraint failure")
)

// ConstraintError reports an algorithm or key size that the policy does not
// accept at the given time.
type ConstraintError struct {
	Algorithm string    // e.g. "SHA-1", "RSA", "ECDSA"
	KeySize   int       // bits, 0 for digests
	ExpiredAt time.Time // last day it was acceptable; zero when never acceptable
	// Warning is true when the policy downgrades this expiry to a warning
	// (DSS LevelAfterUpdate="WARN"); such errors are only returned by
	// Policy.Warnings.
	Warning bool
}

func (e *ConstraintError) Error() string {
	what := e.Algorithm
	if e.KeySize > 0 {
		what = fmt.Sprintf("%s-%d", e.Algorithm, e.KeySize)
	}
	if e.ExpiredAt.IsZero() {
		return fmt.Sprintf("algo: %s is not acceptable under the crypto policy", what)
	}
	return fmt.Sprintf("algo: %s expired after %s under the crypto policy", what, e.ExpiredAt.Format("2006-01-02"))
}

// Is makes errors.Is(err, ErrConstraint) true.
func (e *ConstraintError) Is(target error) bool { return target == ErrConstraint }
