package cms

import "errors"

var (
	// ErrMalformed means the input is not valid BER/CMS (DSS FORMAT_FAILURE).
	ErrMalformed = errors.New("cms: malformed")
	// ErrLimit means a size, depth or element-count limit was exceeded.
	ErrLimit = errors.New("cms: limit exceeded")
	// ErrNotSignedData means the ContentInfo does not hold SignedData.
	ErrNotSignedData = errors.New("cms: not SignedData")
	// ErrDigestMismatch means the message-digest attribute (or the
	// digest signed without attributes) does not match the content
	// (DSS HASH_FAILURE).
	ErrDigestMismatch = errors.New("cms: message digest does not match content")
	// ErrContentTypeMismatch means the content-type attribute differs from
	// eContentType (RFC 5652 §5.3; DSS FORMAT_FAILURE).
	ErrContentTypeMismatch = errors.New("cms: content-type attribute does not match eContentType")
	// ErrMissingAttribute means a mandatory signed attribute is absent or
	// has not exactly one value (RFC 5652 §5.3, §11; DSS FORMAT_FAILURE).
	ErrMissingAttribute = errors.New("cms: mandatory signed attribute missing")
	// ErrDuplicateAttribute means a single-instance signed attribute
	// (content-type, message-digest, signing-time, ESS signing-certificate)
	// occurs twice (RFC 5652 §11.1-11.3, RFC 5035).
	ErrDuplicateAttribute = errors.New("cms: duplicate signed attribute")
	// ErrNonDERSignedAttrs means the signature verifies only over the
	// signed attributes as received, which are not DER-encoded although
	// RFC 5652 §5.3 requires DER; DSS reports this as not intact. Errors
	// carrying it also match algo.ErrVerification.
	ErrNonDERSignedAttrs = errors.New("cms: signature is over non-DER signed attributes")
	// ErrNoSigningCertificate means no certificate matches the signer
	// identifier (DSS NO_SIGNING_CERTIFICATE_FOUND).
	ErrNoSigningCertificate = errors.New("cms: signing certificate not found")
	// ErrSigningCertificateMismatch means the ESS signing-certificate(-v2)
	// attribute does not reference the given certificate.
	ErrSigningCertificateMismatch = errors.New("cms: ESS signing-certificate does not match")
)
