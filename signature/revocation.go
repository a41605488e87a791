package signature

import (
	"errors"
	"fmt"
	"time"

	"github.com/sigintake/sigintake/signature/pki"
	"github.com/sigintake/sigintake/signature/revocation"
)

// fresh reports whether revocation data r may be used for a signature whose
// best signature time is at (ETSI EN 319 102-1 §5.2.5: without a configured
// maximum, data is fresh when issued after at minus its own update
// interval).
func fresh(r *revocation.Result, at time.Time, grace time.Duration) bool {
	issued := r.ThisUpdate
	if r.ProducedAt.After(issued) {
		issued = r.ProducedAt
	}
	if !r.NextUpdate.IsZero() && r.NextUpdate.After(r.ThisUpdate) {
		if !issued.Before(at.Add(-r.NextUpdate.Sub(r.ThisUpdate))) {
			return true
		}
	}
	return !issued.Before(at.Add(-grace))
}

// findRevocation returns the revocation status of c (issued by issuer) from
// the embedded data, else from the fetcher. A revoked status from any valid
// source wins; otherwise the freshest good answer.
func (v *validator) findRevocation(c, issuer *pki.Certificate, at time.Time) (*revocation.Result, RevocationSource, error) {
	extra := v.pool.Certificates()
	var best *revocation.Result
	consider := func(r *revocation.Result) {
		if r == nil {
			return
		}
		if best == nil || r.Status == revocation.Revoked && best.Status != revocation.Revoked ||
			best.Status != revocation.Revoked && r.ThisUpdate.After(best.ThisUpdate) {
			best = r
		}
	}
	for _, raw := range v.ev.OCSP {
		if r, err := revocation.CheckOCSP(raw, c, issuer, extra); err == nil {
			consider(r)
		}
	}
	for _, raw := range v.ev.CRLs {
		if r, err := revocation.CheckCRL(raw, c, issuer); err == nil {
			consider(r)
		}
	}
	if best != nil && (best.Status == revocation.Revoked || fresh(best, at, v.o.RevocationGrace)) {
		return best, RevocationEmbedded, nil
	}
	if v.o.Fetcher == nil {
		if best != nil {
			return nil, RevocationEmbedded, fmt.Errorf("the embedded revocation data (issued %s) is older than the signature; offline, no fresher data", best.ThisUpdate.UTC().Format(time.RFC3339))
		}
		return nil, RevocationNone, errors.New("no revocation data is embedded and validation is offline")
	}
	r, err := revocation.Check(v.ctx, v.o.Fetcher, c, issuer, extra)
	if err != nil {
		return nil, RevocationNone, err
	}
	src := RevocationOCSP
	if r.Source == "crl" {
		src = RevocationCRL
	}
	if r.Status != revocation.Revoked && !fresh(r, at, v.o.RevocationGrace) {
		return nil, src, fmt.Errorf("the revocation data (issued %s) is older than the signature", r.ThisUpdate.UTC().Format(time.RFC3339))
	}
	return r, src, nil
}

// revocation checks one certificate of the path (§5.2.6 with §5.5.4 for
// revocation after the best signature time).
func (v *validator) revocation(c, issuer *pki.Certificate, signer bool) {
	at := v.r.BestSignatureTime
	who := "The signing certificate"
	if !signer {
		who = fmt.Sprintf("The CA certificate %q", c.SubjectString())
	}
	res, src, err := v.findRevocation(c, issuer, at)
	if signer {
		v.r.Revocation.Source = src
	}
	if err != nil {
		if signer {
			v.fail(Indeterminate, TryLater, who+": no usable revocation status: "+err.Error())
		} else {
			v.warn("%s: revocation status not checked: %v", who, err)
		}
		return
	}
	if signer {
		p := res.ProducedAt
		if p.IsZero() {
			p = res.ThisUpdate
		}
		v.r.Revocation.ProducedAt = &p
		v.r.Revocation.Status = RevocationStatus(res.Status)
	}
	switch res.Status {
	case revocation.Good:
		return
	case revocation.Unknown:
		v.fail(Indeterminate, CertificateChainGeneral, who+": the OCSP responder does not know the certificate (status unknown).")
		return
	}
	// Revoked.
	revokedAt := res.RevokedAt
	if signer {
		r := revokedAt
		v.r.Revocation.RevokedAt = &r
		v.r.Revocation.Reason = revocationReason(res.Reason)
	}
	when := revokedAt.UTC().Format(time.RFC3339)
	switch {
	case revokedAt.After(at):
		// A proof of existence before the revocation (§5.5.4).
		v.warn("%s was revoked on %s, after the signature was proven to exist (%s).", who, when, at.UTC().Format(time.RFC3339))
	case !signer:
		v.fail(Indeterminate, RevokedCAnoPOE, fmt.Sprintf("%s was revoked on %s.", who, when))
	case v.ev.ClaimedSigningTime != nil && v.ev.ClaimedSigningTime.After(revokedAt):
		v.fail(TotalFailed, Revoked, fmt.Sprintf("%s was revoked on %s, before the claimed signing time.", who, when))
	default:
		v.fail(Indeterminate, RevokedNoPOE, fmt.Sprintf("%s was revoked on %s and there is no proof that the signature existed before.", who, when))
	}
}

func revocationReason(code int) string {
	reasons := []string{"unspecified", "keyCompromise", "cACompromise", "affiliationChanged", "superseded",
		"cessationOfOperation", "certificateHold", "", "removeFromCRL", "privilegeWithdrawn", "aACompromise"}
	if code >= 0 && code < len(reasons) && reasons[code] != "" {
		return reasons[code]
	}
	return fmt.Sprintf("reason %d", code)
}
