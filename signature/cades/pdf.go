package cades

import (
	"context"
	"crypto"
	"errors"
	"fmt"

	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/cms"
)

// errDeferred keeps evidence() from verifying: the caller verifies against a
// digest instead of the content.
var errDeferred = errors.New("cades: verification deferred to the caller")

// DigestFunc returns the digest of the signed content under h.
type DigestFunc func(h crypto.Hash) ([]byte, error)

// DetachedEvidence returns the evidence of every SignerInfo of sd, a
// detached SignedData whose content is known by its digest only (the PAdES
// byte ranges of EN 319 142-1 §5.1, too large to copy). Everything but the
// cryptographic check is as in Validate; that check is
// SignerInfo.VerifyDigest over digest(h) with the SignerInfo's digest
// algorithm. Counter-signatures are validated with o. The caller sets ID,
// Format, Level and Covered.
func DetachedEvidence(ctx context.Context, sd *cms.SignedData, digest DigestFunc, o signature.Options) []*signature.Evidence {
	certs := parseCertificates(sd.Certificates)
	var out []*signature.Evidence
	for i, si := range sd.SignerInfos {
		ev := evidence(sd, si, certs, nil, errDeferred)
		ev.SignedDataErr = nil
		if ev.SigningCert != nil && ev.AlgorithmErr == nil {
			var err error
			h, herr := si.DigestHash()
			if herr != nil {
				err = herr
			} else {
				var d []byte
				if d, err = digest(h); err == nil {
					err = si.VerifyDigest(ev.SigningCert.Key, sd.EContentType, d)
				}
			}
			setVerifyErr(ev, err)
		}
		ev.CounterSignatures = counterSignatures(ctx, sd, si, certs, fmt.Sprintf("S%d", i+1), o)
		out = append(out, ev)
	}
	return out
}

// AttachedEvidence returns the evidence of every SignerInfo of sd verified
// over its encapsulated content (for adbe.pkcs7.sha1, whose eContent is the
// digest of the byte ranges, and for time-stamp tokens reported on their
// own). The caller sets ID, Format, Level and Covered.
func AttachedEvidence(ctx context.Context, sd *cms.SignedData, o signature.Options) []*signature.Evidence {
	certs := parseCertificates(sd.Certificates)
	var contentErr error
	if sd.Content == nil {
		contentErr = errors.New("the signature carries no encapsulated content")
	}
	var out []*signature.Evidence
	for i, si := range sd.SignerInfos {
		ev := evidence(sd, si, certs, sd.Content, contentErr)
		ev.CounterSignatures = counterSignatures(ctx, sd, si, certs, fmt.Sprintf("S%d", i+1), o)
		out = append(out, ev)
	}
	return out
}
