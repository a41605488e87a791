package signature

import (
	"errors"
	"fmt"
	"time"

	"github.com/sigintake/sigintake/signature/pki"
	"github.com/sigintake/sigintake/signature/revocation"
	"github.com/sigintake/sigintake/signature/tsp"
)

// timestamps validates every time-stamp token (ETSI EN 319 102-1 §5.4) and
// sets the best signature time to the earliest valid signature timestamp.
func (v *validator) timestamps() {
	v.timeMarks()
	for _, te := range v.ev.Timestamps {
		ts := v.timestamp(te)
		v.r.Timestamps = append(v.r.Timestamps, ts)
		if ts.Indication != TotalPassed {
			v.warn("The %s timestamp is not valid (%s %s): %v", ts.Type, ts.Indication, ts.SubIndication, ts.Errors)
			continue
		}
		if te.Type == "signature" || te.Type == "document" || te.Type == "archive" {
			if ts.Time.Before(v.r.BestSignatureTime) {
				v.r.BestSignatureTime = ts.Time
			}
		}
	}
}

func (v *validator) timestamp(te TimestampEvidence) Timestamp {
	ts := Timestamp{Type: te.Type}
	failed := func(ind Indication, sub SubIndication, msg string) Timestamp {
		if ts.Indication == "" || ts.Indication == Indeterminate && ind == TotalFailed {
			ts.Indication, ts.SubIndication = ind, sub
		}
		ts.Errors = append(ts.Errors, msg)
		return ts
	}
	tok, err := tsp.Parse(te.Token)
	if err != nil {
		return failed(TotalFailed, FormatFailure, "timestamp: "+err.Error())
	}
	ts.Time = tok.GenTime
	switch {
	case te.ImprintErr != nil:
		failed(TotalFailed, HashFailure, "the timestamp does not cover this signature: "+te.ImprintErr.Error())
	case te.Imprinted != nil:
		if err := tok.MatchesImprint(te.Imprinted); err != nil {
			failed(TotalFailed, HashFailure, "the timestamp does not cover this signature: "+err.Error())
		}
	}
	var extra [][]byte
	for _, c := range v.pool.Certificates() {
		extra = append(extra, c.Raw)
	}
	certDER, err := tok.SignerCertificate(extra)
	if err != nil {
		return failed(Indeterminate, NoSigningCertificateFound, "the time-stamping unit's certificate was not found: "+err.Error())
	}
	cert, err := pki.ParseCertificate(certDER)
	if err != nil {
		return failed(Indeterminate, NoSigningCertificateFound, "the time-stamping unit's certificate is unreadable: "+err.Error())
	}
	ts.TSA = cert.SubjectString()
	if err := tok.VerifySignature(cert.Key); err != nil {
		return failed(TotalFailed, SigCryptoFailure, "the timestamp's signature does not verify: "+err.Error())
	}
	if err := tok.CheckSigningCertificate(certDER); err != nil {
		failed(Indeterminate, NoSigningCertificateFound, "the timestamp's signing-certificate attribute does not match: "+err.Error())
	}
	if err := pki.CheckTimestampingUsage(cert); err != nil {
		failed(Indeterminate, ChainConstraintsFailure, "the certificate is not a time-stamping certificate: "+err.Error())
	}
	if alg, err := tok.Signer.Algorithm(); err != nil {
		failed(Indeterminate, CryptoConstraintsFailure, "timestamp algorithm: "+err.Error())
	} else if err := v.o.policy().CheckSignature(alg, cert.Key, tok.GenTime); err != nil {
		failed(Indeterminate, CryptoConstraintsFailure, "timestamp algorithm not acceptable: "+err.Error())
	}
	for _, raw := range tok.SignedData.Certificates {
		if c, err := pki.ParseCertificate(raw); err == nil {
			v.pool.Add(c)
		}
	}
	path, err := v.buildPath(cert)
	if err != nil {
		return failed(Indeterminate, pathErrorSub(err), "no certificate chain to a trusted anchor for the time-stamping unit: "+err.Error())
	}
	if err := path.CheckValidity(tok.GenTime); err != nil {
		var ve *pki.ValidityError
		if errors.As(err, &ve) && ve.NotYetValid {
			failed(TotalFailed, NotYetValid, err.Error())
		} else {
			failed(Indeterminate, OutOfBoundsNoPOE, err.Error())
		}
	}
	// Revocation of the TSA certificate: a revocation before the time of the
	// timestamp invalidates it; no data is a warning, as TSA certificates
	// often carry none and the token is checked against the trusted list.
	if len(path) > 1 {
		if res, _, err := v.findRevocation(path[0], path[1], tok.GenTime); err != nil {
			v.warn("The time-stamping unit's revocation status was not checked: %v", err)
		} else if res.Status == revocation.Revoked && !res.RevokedAt.After(tok.GenTime) {
			failed(TotalFailed, Revoked, fmt.Sprintf("the time-stamping unit's certificate was revoked on %s", res.RevokedAt.UTC().Format(time.RFC3339)))
		}
	}
	if v.o.Trust != nil {
		ts.Qualified = v.o.Trust.QualifiedTSA(path, tok.GenTime)
	}
	if ts.Indication == "" {
		ts.Indication = TotalPassed
	}
	return ts
}

// timeMarks uses verified BDOC time-marks as proofs of existence: an OCSP
// response bound to the signature value by its nonce, signed by the
// signing certificate's issuer or its authorised responder, proves that
// the signature existed at its producedAt.
func (v *validator) timeMarks() {
	if len(v.ev.TimeMarks) == 0 {
		return
	}
	path, err := v.buildPath(v.ev.SigningCert)
	if err != nil || len(path) < 2 {
		v.warn("The time-mark could not be checked: no certificate chain for the signer.")
		return
	}
	for _, raw := range v.ev.TimeMarks {
		res, err := revocation.CheckOCSP(raw, path[0], path[1], v.pool.Certificates())
		if err != nil {
			v.warn("The time-mark OCSP response is not valid: %v", err)
			continue
		}
		ts := Timestamp{Type: "time-mark", Time: res.ProducedAt, Indication: TotalPassed}
		if res.Signer != nil {
			ts.TSA = res.Signer.SubjectString()
		}
		v.r.Timestamps = append(v.r.Timestamps, ts)
		if res.ProducedAt.Before(v.r.BestSignatureTime) {
			v.r.BestSignatureTime = res.ProducedAt
		}
	}
}
