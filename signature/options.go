package signature

import (
	"time"

	"github.com/sigintake/sigintake/signature/algo"
	"github.com/sigintake/sigintake/signature/pki"
	"github.com/sigintake/sigintake/signature/revocation"
)

// Options are the inputs of a validation. The zero value of every field but
// Time is the safe default: no anchors (nothing is trusted), offline (only
// what the signature embeds), the default crypto policy, no trusted lists
// (qualification NA).
type Options struct {
	// Time is the validation time: the "current time" of ETSI EN 319 102-1.
	// It must be set; nothing in this package calls time.Now.
	Time time.Time

	// Anchors are trust anchors given by configuration (in addition to those
	// of Trust).
	Anchors []*pki.Certificate
	// Intermediates are extra certificates usable for path building.
	Intermediates []*pki.Certificate

	// Trust gives trust anchors from EU trusted lists and decides
	// qualification. Nil: qualification is NA.
	Trust TrustSource

	// Fetcher fetches OCSP responses, CRLs and AIA certificates. Nil means
	// offline: only revocation data embedded in the signature is used, and a
	// signature without it is INDETERMINATE TRY_LATER.
	Fetcher revocation.Fetcher

	// Policy is the cryptographic policy by date; nil means
	// algo.DefaultPolicy().
	Policy *algo.Policy

	// RevocationGrace accepts revocation data issued up to this long before
	// the best signature time when the data carries no NextUpdate (some old
	// Latvian eDocs hold an OCSP response produced just before the
	// signature timestamp). Zero: the response must not predate it.
	RevocationGrace time.Duration
}

// TrustSource is what EU trusted lists (package signature/trust) offer the
// validation: trust anchors and the qualification decision of ETSI TS 119 615.
type TrustSource interface {
	// Anchors are the certificates of trusted services usable as anchors.
	Anchors() []*pki.Certificate
	// Qualify decides the qualification of a signature whose certificate
	// path (leaf first) is path, at the best signature time at.
	Qualify(path pki.Path, at time.Time) QualificationResult
	// QualifiedTSA reports whether the time-stamping unit whose path is
	// given was a qualified time-stamping service (QTST) at time at.
	QualifiedTSA(path pki.Path, at time.Time) bool
}

func (o *Options) policy() *algo.Policy {
	if o.Policy != nil {
		return o.Policy
	}
	return algo.DefaultPolicy()
}

func (o *Options) anchorPool() *pki.Pool {
	p := pki.NewPool(o.Anchors...)
	if o.Trust != nil {
		for _, c := range o.Trust.Anchors() {
			p.Add(c)
		}
	}
	return p
}
