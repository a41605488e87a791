package cades

import (
	"context"
	"errors"
	"fmt"

	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/algo"
	"github.com/sigintake/sigintake/signature/cms"
	"github.com/sigintake/sigintake/signature/pki"
)

// Content is the detached content a signature covers.
type Content struct {
	Name string
	Data []byte
}

// Result is the validation of one CMS SignedData.
type Result struct {
	// Format is CAdES when a signer carries a CAdES signing-certificate
	// attribute, CMS otherwise.
	Format     signature.Format
	Signatures []signature.Report
	// EContent is the attached content, nil for a detached signature.
	EContent []byte
}

// Validate validates every SignerInfo of the CMS SignedData in data
// (DER, BER, PEM or base64). detached is the content of a detached
// signature, nil when not available. An error means data is not a
// readable SignedData at all.
func Validate(ctx context.Context, data []byte, detached *Content, o signature.Options) (*Result, error) {
	der, err := cms.Decode(data)
	if err != nil {
		return nil, err
	}
	sd, err := cms.Parse(der)
	if err != nil {
		return nil, err
	}
	res := &Result{Format: signature.FormatCMS, EContent: sd.Content, Signatures: []signature.Report{}}
	if len(sd.SignerInfos) == 0 {
		return res, nil
	}
	content, contentName := sd.Content, "the enveloped content"
	var contentErr error
	switch {
	case sd.Content != nil:
		if detached != nil {
			contentName = "the enveloped content (a separate file " + detached.Name + " was ignored)"
		}
	case detached != nil:
		content, contentName = detached.Data, detached.Name
	default:
		contentErr = errors.New("the signature is detached and the signed file is not present")
	}
	certs := parseCertificates(sd.Certificates)
	for i, si := range sd.SignerInfos {
		ev := evidence(sd, si, certs, content, contentErr)
		ev.ID = fmt.Sprintf("S%d", i+1)
		if contentErr == nil {
			ev.Covered = []string{fmt.Sprintf("%s (%d bytes)", contentName, len(content))}
		}
		if ev.Format == signature.FormatCAdES {
			res.Format = signature.FormatCAdES
		}
		ev.CounterSignatures = counterSignatures(ctx, sd, si, certs, ev.ID, o)
		res.Signatures = append(res.Signatures, signature.Validate(ctx, ev, o))
	}
	return res, nil
}

func parseCertificates(raws [][]byte) []*pki.Certificate {
	var out []*pki.Certificate
	for _, raw := range raws {
		if c, err := pki.ParseCertificate(raw); err == nil {
			out = append(out, c)
		}
	}
	return out
}

// evidence gathers what one SignerInfo says about itself.
func evidence(sd *cms.SignedData, si *cms.SignerInfo, certs []*pki.Certificate, content []byte, contentErr error) *signature.Evidence {
	ev := &signature.Evidence{Format: signature.FormatCMS, Certificates: certs, SignedDataErr: contentErr}
	alg, err := si.Algorithm()
	if err != nil {
		ev.AlgorithmErr = err
	} else {
		ev.Algorithm = alg
	}
	// Certificates and revocation data the signature carries (CAdES-LT).
	values, err := si.CertificateValues()
	if err != nil {
		ev.Warnings = append(ev.Warnings, "The certificate values attribute is unreadable: "+err.Error())
	}
	for _, raw := range values {
		if c, err := pki.ParseCertificate(raw); err == nil {
			ev.Certificates = append(ev.Certificates, c)
		}
	}
	ev.CRLs = append(ev.CRLs, sd.CRLs...)
	for _, o := range sd.OtherRevocationInfo {
		if o.Format.Equal(cms.OIDOCSPResponse) {
			ev.OCSP = append(ev.OCSP, o.Raw)
		}
	}
	crls, ocsps, err := si.RevocationValues()
	if err != nil {
		ev.Warnings = append(ev.Warnings, "The revocation values attribute is unreadable: "+err.Error())
	}
	ev.CRLs = append(ev.CRLs, crls...)
	ev.OCSP = append(ev.OCSP, ocsps...)
	// Adobe's revocation archive (a signed attribute of PDF signatures).
	crls, ocsps, err = si.AdobeRevocationInfoArchival()
	if err != nil {
		ev.Warnings = append(ev.Warnings, "The Adobe revocation archive attribute is unreadable: "+err.Error())
	}
	ev.CRLs = append(ev.CRLs, crls...)
	ev.OCSP = append(ev.OCSP, ocsps...)

	// Identification of the signing certificate (§5.2.3).
	var extra [][]byte
	for _, c := range ev.Certificates {
		extra = append(extra, c.Raw)
	}
	certDER, err := sd.SignerCertificate(si, extra)
	if err == nil {
		ev.SigningCert, err = pki.ParseCertificate(certDER)
	}
	if err != nil {
		ev.SigningCertErr = err
		ev.SigningCert = nil
	} else if ess, err := si.SigningCertificate(); err != nil {
		ev.SigningCertErr = fmt.Errorf("signing-certificate attribute: %w", err)
	} else if ess != nil {
		ev.Format = signature.FormatCAdES
		if err := ess.Matches(certDER); err != nil {
			// EN 319 122-1 §5.2.2.3; DSS: NO_SIGNING_CERTIFICATE_FOUND.
			ev.SigningCertErr = err
		}
	}

	if t, ok, err := si.SigningTime(); err != nil {
		ev.FormatErr = fmt.Errorf("signing-time attribute: %w", err)
	} else if ok {
		ev.ClaimedSigningTime = &t
	}

	// Cryptographic verification (§5.2.7).
	if ev.SigningCert != nil && contentErr == nil && ev.AlgorithmErr == nil {
		err := si.Verify(ev.SigningCert.Key, sd.EContentType, content)
		setVerifyErr(ev, err)
	}

	// Timestamps over the signature value (CAdES-T).
	for _, tok := range si.SignatureTimeStampTokens() {
		ev.Timestamps = append(ev.Timestamps, signature.TimestampEvidence{Type: "signature", Token: tok, Imprinted: si.Signature})
	}
	archive := si.ArchiveTimeStamps()
	for _, tok := range archive {
		// The imprint is checked here (archive.go): ATSv3 or ATSv2.
		ev.Timestamps = append(ev.Timestamps, archiveTimestamp(sd, si, tok, content, contentErr))
	}
	ev.Level = level(ev, si, len(archive) > 0)
	return ev
}

// level names the CAdES baseline level (EN 319 122-1 §6) the signature
// reaches by its attributes.
func level(ev *signature.Evidence, si *cms.SignerInfo, archive bool) string {
	if ev.Format != signature.FormatCAdES {
		return "CMS"
	}
	hasTS := len(si.SignatureTimeStampTokens()) > 0
	hasLT := len(ev.OCSP)+len(ev.CRLs) > 0
	switch {
	case hasTS && hasLT && archive:
		return "CAdES-BASELINE-LTA"
	case hasTS && hasLT:
		return "CAdES-BASELINE-LT"
	case hasTS && (si.HasCompleteCertificateRefs() || si.HasCompleteRevocationRefs()):
		return "CAdES-C"
	case hasTS:
		return "CAdES-BASELINE-T"
	}
	return "CAdES-BASELINE-B"
}

// counterSignatures validates the counter-signatures of si (RFC 5652 §11.4):
// each signs the signature value of si.
func counterSignatures(ctx context.Context, sd *cms.SignedData, si *cms.SignerInfo, certs []*pki.Certificate, parent string, o signature.Options) []signature.Report {
	cs, err := si.CounterSignatures()
	if err != nil {
		return []signature.Report{{ID: parent + "-C", Indication: signature.TotalFailed, SubIndication: signature.FormatFailure,
			Qualification: signature.QualNA, Errors: []string{"counter-signature unreadable: " + err.Error()}}}
	}
	var out []signature.Report
	for i, c := range cs {
		ev := counterEvidence(sd, si, c, certs)
		ev.ID = fmt.Sprintf("%s-C%d", parent, i+1)
		ev.Covered = []string{"the signature value of " + parent}
		out = append(out, signature.Validate(ctx, ev, o))
	}
	return out
}

func counterEvidence(sd *cms.SignedData, parent, c *cms.SignerInfo, certs []*pki.Certificate) *signature.Evidence {
	ev := &signature.Evidence{Format: signature.FormatCAdES, Certificates: certs}
	alg, err := c.Algorithm()
	if err != nil {
		ev.AlgorithmErr = err
	} else {
		ev.Algorithm = alg
	}
	certDER, err := sd.SignerCertificate(c, nil)
	if err == nil {
		ev.SigningCert, err = pki.ParseCertificate(certDER)
	}
	if err != nil {
		ev.SigningCertErr, ev.SigningCert = err, nil
		return ev
	}
	if t, ok, err := c.SigningTime(); err == nil && ok {
		ev.ClaimedSigningTime = &t
	}
	if ev.AlgorithmErr == nil {
		setVerifyErr(ev, parent.VerifyCounterSignature(c, ev.SigningCert.Key))
	}
	return ev
}

// setVerifyErr files the outcome of a SignerInfo's verification (§5.2.7):
// a digest mismatch is HASH_FAILURE, a signature value that does not verify
// SIG_CRYPTO_FAILURE, anything else (missing or duplicated attributes, a
// wrong content type) FORMAT_FAILURE.
func setVerifyErr(ev *signature.Evidence, err error) {
	switch {
	case err == nil:
	case errors.Is(err, cms.ErrDigestMismatch):
		ev.DigestErr = err
	case errors.Is(err, algo.ErrVerification):
		ev.SignatureErr = err
	default:
		ev.FormatErr = err
	}
}
