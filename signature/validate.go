package signature

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/sigintake/sigintake/signature/pki"
)

// Validate runs the format-independent part of the validation of one
// signature (ETSI EN 319 102-1 §5.3 basic validation and §5.5 validation
// with time): it validates the timestamps to find the best signature time,
// builds and validates the certificate path at that time (names,
// constraints, validity, revocation), applies the crypto policy and asks the
// trust source for the qualification.
//
// Validate never returns TOTAL_PASSED on an unchecked condition: missing
// revocation data is INDETERMINATE TRY_LATER, a path to no trusted anchor is
// INDETERMINATE NO_CERTIFICATE_CHAIN_FOUND.
func Validate(ctx context.Context, ev *Evidence, o Options) Report {
	v := &validator{ctx: ctx, o: &o, ev: ev}
	return v.run()
}

type validator struct {
	ctx context.Context
	o   *Options
	ev  *Evidence
	r   Report
	// pool holds every certificate usable for path building.
	pool *pki.Pool
}

// fail records a failure; the first TOTAL_FAILED wins over any
// INDETERMINATE, and the first of each kind over later ones.
// The message of the decisive failure comes first in Errors.
func (v *validator) fail(ind Indication, sub SubIndication, msg string) {
	switch {
	case v.r.Indication == TotalFailed:
	case v.r.Indication == Indeterminate && ind != TotalFailed:
	default:
		v.r.Indication, v.r.SubIndication = ind, sub
		v.r.Errors = append([]string{msg}, v.r.Errors...)
		return
	}
	v.r.Errors = append(v.r.Errors, msg)
}

func (v *validator) warn(format string, args ...any) {
	v.r.Warnings = append(v.r.Warnings, fmt.Sprintf(format, args...))
}

func (v *validator) info(format string, args ...any) {
	v.r.Infos = append(v.r.Infos, fmt.Sprintf(format, args...))
}

func (v *validator) run() Report {
	ev := v.ev
	v.r = Report{
		ID:                ev.ID,
		Format:            ev.Format,
		Level:             ev.Level,
		Qualification:     QualNA,
		BestSignatureTime: v.o.Time,
		SigningTime:       ev.ClaimedSigningTime,
		Timestamps:        []Timestamp{},
		Covered:           append([]string{}, ev.Covered...),
		Errors:            []string{},
		Warnings:          append([]string{}, ev.Warnings...),
		Infos:             append([]string{}, ev.Infos...),
		CounterSignatures: ev.CounterSignatures,
		Revocation:        RevocationReport{Source: RevocationNone, Status: StatusNoCheck},
	}
	if ev.SigningCert != nil {
		v.describeSigner(ev.SigningCert)
	}
	if v.o.Time.IsZero() {
		v.fail(Indeterminate, TryLater, "signature: no validation time given")
		return v.finish()
	}

	// §5.2.2 format checking.
	if ev.FormatErr != nil {
		v.fail(TotalFailed, FormatFailure, "The signature's format is invalid: "+ev.FormatErr.Error())
		return v.finish()
	}
	// §5.2.7 cryptographic verification: a broken signature is TOTAL_FAILED
	// whatever the certificate path says (§5.3.4).
	if ev.SignedDataErr != nil {
		v.fail(Indeterminate, SignedDataNotFound, "The signed data was not found: "+ev.SignedDataErr.Error())
	}
	if ev.DigestErr != nil {
		v.fail(TotalFailed, HashFailure, "The signed data does not match the signature (digest mismatch): "+ev.DigestErr.Error())
	}
	if ev.SignatureErr != nil {
		v.fail(TotalFailed, SigCryptoFailure, "The signature value does not verify: "+ev.SignatureErr.Error())
	}
	if ev.AlgorithmErr != nil {
		v.fail(Indeterminate, CryptoConstraintsFailure, "The signature algorithm is not supported: "+ev.AlgorithmErr.Error())
	}
	// §5.2.3 identification of the signing certificate.
	if ev.SigningCert == nil || ev.SigningCertErr != nil {
		msg := "The signing certificate was not found"
		if ev.SigningCertErr != nil {
			msg = "The signing certificate could not be identified: " + ev.SigningCertErr.Error()
		}
		v.fail(Indeterminate, NoSigningCertificateFound, msg)
		return v.finish()
	}
	if ev.DigestErr == nil && ev.SignatureErr == nil && ev.SignedDataErr == nil && ev.AlgorithmErr == nil {
		v.info("The signature value and the signed data's digest are intact (%s).", ev.Algorithm.String())
	}

	v.pool = pki.NewPool(v.o.Intermediates...)
	for _, c := range ev.Certificates {
		v.pool.Add(c)
	}

	// §5.4 time-stamps: the best signature time.
	v.timestamps()
	// §5.2.6 X.509 certificate validation at the best signature time.
	path := v.certificatePath()
	// §5.2.8 signature acceptance: the crypto policy.
	v.cryptoPolicy()
	if ev.ClaimedSigningTime != nil && len(v.r.Timestamps) > 0 {
		for _, ts := range v.r.Timestamps {
			if ts.Type == "signature" && ts.Indication == TotalPassed && ts.Time.Before(ev.ClaimedSigningTime.Add(-time.Minute)) {
				v.warn("The claimed signing time %s is later than the signature timestamp %s.",
					ev.ClaimedSigningTime.UTC().Format(time.RFC3339), ts.Time.UTC().Format(time.RFC3339))
			}
		}
	}
	if path != nil {
		v.qualification(path)
	}
	return v.finish()
}

func (v *validator) finish() Report {
	if v.r.Indication == "" {
		v.r.Indication = TotalPassed
	}
	if v.r.Qualification == "" {
		v.r.Qualification = QualNA
	}
	return v.r
}

func (v *validator) describeSigner(c *pki.Certificate) {
	sum := sha256.Sum256(c.Raw)
	v.r.CertificateSHA256 = hex.EncodeToString(sum[:])
	v.r.Signer = Signer{
		Subject:      c.SubjectString(),
		CommonName:   c.CommonName(),
		SerialNumber: c.SubjectSerialNumber(),
		Organization: c.Organization(),
	}
	if len(c.EmailAddresses) > 0 {
		v.r.Signer.Email = c.EmailAddresses[0]
	}
	if c.SerialNumber != nil {
		v.r.Signer.CertificateSerial = c.SerialNumber.Text(16)
	}
	v.r.Issuer = c.IssuerString()
}

// buildPath builds a certification path for c to a trusted anchor.
func (v *validator) buildPath(c *pki.Certificate) (pki.Path, error) {
	opts := pki.PathOptions{
		Anchors:       v.o.anchorPool(),
		Intermediates: v.pool,
	}
	if v.o.Fetcher != nil {
		f := v.o.Fetcher
		opts.FetchIssuer = f.Certificate
	}
	paths, err := pki.BuildPaths(v.ctx, c, opts)
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, &pki.PathError{Kind: pki.NoChain, Detail: "no path"}
	}
	return paths[0], nil
}

func pathErrorSub(err error) SubIndication {
	var pe *pki.PathError
	if errors.As(err, &pe) && pe.Kind == pki.Constraints {
		return ChainConstraintsFailure
	}
	return NoCertificateChainFound
}

// certificatePath is §5.2.6 for the signing certificate. It returns the
// path when one to a trusted anchor exists (even if a later check fails), so
// that qualification can still be reported.
func (v *validator) certificatePath() pki.Path {
	c := v.ev.SigningCert
	at := v.r.BestSignatureTime
	if err := pki.CheckSigningUsage(c); err != nil {
		v.fail(Indeterminate, ChainConstraintsFailure, "The signing certificate may not be used for signatures: "+err.Error())
	}
	path, err := v.buildPath(c)
	if err != nil {
		v.fail(Indeterminate, pathErrorSub(err), "No certificate chain to a trusted anchor: "+err.Error())
		return nil
	}
	for _, pc := range path {
		v.r.Chain = append(v.r.Chain, pc.SubjectString())
	}
	// Validity at the best signature time (§5.2.6, §5.5.4 for POE).
	if err := path.CheckValidity(at); err != nil {
		var ve *pki.ValidityError
		if errors.As(err, &ve) {
			signer := ve.Cert == c || (ve.Cert != nil && ve.Cert.SHA256 == c.SHA256)
			switch {
			case ve.NotYetValid:
				v.fail(TotalFailed, NotYetValid, fmt.Sprintf("The certificate %q was not yet valid at %s.", ve.Cert.SubjectString(), at.UTC().Format(time.RFC3339)))
			case signer && v.ev.ClaimedSigningTime != nil && v.ev.ClaimedSigningTime.After(c.NotAfter):
				v.fail(TotalFailed, ExpiredNoPOE, fmt.Sprintf("The signing certificate expired on %s, before the claimed signing time.", c.NotAfter.UTC().Format(time.RFC3339)))
			default:
				v.fail(Indeterminate, OutOfBoundsNoPOE, fmt.Sprintf("The certificate %q expired on %s and there is no proof that the signature existed before.", ve.Cert.SubjectString(), ve.Cert.NotAfter.UTC().Format(time.RFC3339)))
			}
		} else {
			v.fail(Indeterminate, CertificateChainGeneral, err.Error())
		}
	}
	// Revocation of every certificate but the anchor.
	for i := 0; i+1 < len(path); i++ {
		v.revocation(path[i], path[i+1], i == 0)
	}
	return path
}

func (v *validator) qualification(path pki.Path) {
	if v.o.Trust == nil {
		v.r.Qualification = QualNA
		v.info("Qualification not determined: no EU trusted list was given.")
		return
	}
	q := v.o.Trust.Qualify(path, v.r.BestSignatureTime)
	v.r.Qualification = q.Qualification
	for _, s := range q.Reasons {
		v.info("Qualification: %s", s)
	}
	for _, s := range q.Warnings {
		v.warn("Qualification: %s", s)
	}
}

func (v *validator) cryptoPolicy() {
	ev := v.ev
	if ev.AlgorithmErr != nil || ev.SigningCert == nil {
		return
	}
	at := v.r.BestSignatureTime
	if err := v.o.policy().CheckSignature(ev.Algorithm, ev.SigningCert.Key, at); err != nil {
		sub := CryptoConstraintsFailure
		if at.Equal(v.o.Time) {
			// No proof of existence before the algorithm became unacceptable.
			sub = CryptoConstraintsNoPOE
		}
		v.fail(Indeterminate, sub, "The cryptographic algorithm is not acceptable: "+err.Error())
	}
}
