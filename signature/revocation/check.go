package revocation

import (
	"context"
	"errors"
	"fmt"

	"github.com/sigintake/sigintake/signature/pki"
)

// Check finds the revocation status of cert online: OCSP from its AIA
// first, then each CRL distribution point, each answer verified with
// CheckOCSP or CheckCRL. The first verified Good or Revoked answer is
// returned; an OCSP Unknown is returned only when no CRL answers. When no
// source gives a verified answer the error matches ErrUnavailable (the
// caller reports INDETERMINATE/TRY_LATER, never a pass) and also wraps each
// source's error.
func Check(ctx context.Context, f Fetcher, cert, issuer *pki.Certificate, extra []*pki.Certificate) (*Result, error) {
	if cert == nil || issuer == nil || cert.SerialNumber == nil {
		return nil, errNoCert
	}
	if f == nil {
		return nil, fmt.Errorf("%w: offline (no fetcher)", ErrUnavailable)
	}
	var errs []error
	var unknown *Result
	if len(cert.OCSPServer) > 0 {
		b, err := f.OCSP(ctx, cert, issuer)
		if err == nil {
			var r *Result
			r, err = CheckOCSP(b, cert, issuer, extra)
			if err == nil {
				r.URL = cert.OCSPServer[0]
				if r.Status != Unknown {
					return r, nil
				}
				unknown = r
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("OCSP %v: %w", cert.OCSPServer, err))
		}
	}
	for _, u := range cert.CRLDistributionPoints {
		if ctx.Err() != nil {
			errs = append(errs, ctx.Err())
			break
		}
		b, err := f.CRL(ctx, u)
		if err == nil {
			var r *Result
			r, err = CheckCRL(b, cert, issuer)
			if err == nil {
				r.URL = u
				return r, nil
			}
		}
		errs = append(errs, fmt.Errorf("CRL %s: %w", u, err))
	}
	if unknown != nil {
		return unknown, nil
	}
	if len(errs) == 0 {
		return nil, fmt.Errorf("%w: %q has no OCSP or CRL location", ErrUnavailable, cert.SubjectString())
	}
	return nil, errors.Join(append([]error{fmt.Errorf("%w: no revocation source answered for %q", ErrUnavailable, cert.SubjectString())}, errs...)...)
}
