package revocation_test

import (
	"testing"
	"time"

	"github.com/sigintake/sigintake/signature/pki"
	"github.com/sigintake/sigintake/signature/revocation"
	"github.com/sigintake/sigintake/signature/sigtest"
)

// checkResult holds what every successful check must satisfy.
func checkResult(t *testing.T, r *revocation.Result, err error, source string) {
	t.Helper()
	if err != nil {
		if r != nil {
			t.Fatalf("result %+v with error %v", r, err)
		}
		return
	}
	if r == nil || r.Source != source || r.Signer == nil || len(r.Raw) == 0 {
		t.Fatalf("incomplete result %+v", r)
	}
	switch r.Status {
	case revocation.Good, revocation.Unknown:
		if !r.RevokedAt.IsZero() || r.Reason != -1 {
			t.Fatalf("%s with RevokedAt %v reason %d", r.Status, r.RevokedAt, r.Reason)
		}
	case revocation.Revoked:
	default:
		t.Fatalf("status %q", r.Status)
	}
}

// fuzzSeeds makes a PKI with a leaf and collects the sigtest OCSP
// responses (every mode that answers) and CRLs for it.
func fuzzSeeds(f *testing.F) (cert, issuer *pki.Certificate, ocsp, crls [][]byte) {
	p := sigtest.New(f)
	l := p.Issue(sigtest.LeafOptions{})
	r := p.Issue(sigtest.LeafOptions{})
	p.Revoke(r.Cert, sigtest.Now.Add(-time.Hour), sigtest.ReasonKeyCompromise)
	for _, m := range []sigtest.OCSPMode{sigtest.OCSPDelegated, sigtest.OCSPByCA, sigtest.OCSPUnauthorised, sigtest.OCSPTryLater,
		sigtest.OCSPGarbage, sigtest.OCSPUnknown, sigtest.OCSPStale, sigtest.OCSPBadSignature, sigtest.OCSPResponderWithoutEKU} {
		l.Issuer.SetOCSPMode(m)
		ocsp = append(ocsp, l.Issuer.OCSPResponse(l.Cert), l.Issuer.OCSPResponse(r.Cert))
		if b := l.Issuer.BasicOCSPResponse(l.Cert); b != nil {
			ocsp = append(ocsp, b)
		}
	}
	for _, m := range []sigtest.CRLMode{sigtest.CRLGood, sigtest.CRLStale, sigtest.CRLWrongSigner, sigtest.CRLGarbage} {
		l.Issuer.SetCRLMode(m)
		crls = append(crls, l.Issuer.CRL())
	}
	return mustCert(f, l.DER), mustCert(f, l.Issuer.DER), ocsp, crls
}

func FuzzCheckOCSP(f *testing.F) {
	cert, issuer, ocsp, _ := fuzzSeeds(f)
	for _, b := range ocsp {
		f.Add(b)
	}
	// Real embedded responses, when the shared samples are there.
	for _, s := range loadSamplesIfAny(f) {
		for _, b := range s.ocsp {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		r, err := revocation.CheckOCSP(der, cert, issuer, nil)
		checkResult(t, r, err, "ocsp")
		revocation.ParseOCSP(der)
	})
}

func FuzzCheckCRL(f *testing.F) {
	cert, issuer, _, crls := fuzzSeeds(f)
	for _, b := range crls {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		r, err := revocation.CheckCRL(der, cert, issuer)
		checkResult(t, r, err, "crl")
	})
}
