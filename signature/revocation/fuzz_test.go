package revocation_test

import (
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"math/big"
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
	for _, s := range loadSamplesIfAny(f) {
		for _, b := range s.crls {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		r, err := revocation.CheckCRL(der, cert, issuer)
		checkResult(t, r, err, "crl")
	})
}

// FuzzCRLEntries compares the in-place revokedCertificates walk with
// crypto/x509.ParseRevocationList: whenever both parse, every entry x509
// sees is found with the same date and reason.
func FuzzCRLEntries(f *testing.F) {
	_, _, _, crls := fuzzSeeds(f)
	for _, b := range crls {
		f.Add(b)
	}
	f.Add(diffCRL(f, 50))
	f.Fuzz(func(t *testing.T, der []byte) {
		crl, xerr := x509.ParseRevocationList(der)
		if xerr != nil {
			return
		}
		for _, e := range crl.RevokedCertificateEntries {
			found, at, reason, err := revocation.CRLEntry(der, e.SerialNumber)
			if err != nil {
				return // we refuse more (unknown critical entry extensions, bad reason codes)
			}
			if !found || !at.Equal(e.RevocationTime) {
				t.Fatalf("serial %s: found %v at %v, x509 says %v", e.SerialNumber, found, at, e.RevocationTime)
			}
			hasReason := false
			for _, x := range e.Extensions {
				hasReason = hasReason || x.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 21})
			}
			if hasReason && reason != e.ReasonCode || !hasReason && reason != -1 {
				t.Fatalf("serial %s: reason %d, x509 says %d (present %v)", e.SerialNumber, reason, e.ReasonCode, hasReason)
			}
		}
	})
}

// diffCRL makes a CRL with n entries of varied serials (negative, zero,
// large, with high bits set) and reasons.
func diffCRL(tb testing.TB, n int) []byte {
	p := sigtest.New(tb)
	var entries []x509.RevocationListEntry
	for i := 0; i < n; i++ {
		s := new(big.Int).Lsh(big.NewInt(int64(i*7919+1)), uint(i%130))
		if i%3 == 0 {
			s.Neg(s)
		}
		entries = append(entries, x509.RevocationListEntry{SerialNumber: s, RevocationTime: sigtest.Now.Add(-time.Duration(i) * time.Hour), ReasonCode: i % 7})
	}
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(1), ThisUpdate: sigtest.Now, NextUpdate: sigtest.Now.Add(time.Hour), RevokedCertificateEntries: entries,
	}, p.Intermediate.Cert, p.Intermediate.Key)
	if err != nil {
		tb.Fatal(err)
	}
	return der
}

func TestCRLEntriesDifferential(t *testing.T) {
	der := diffCRL(t, 300)
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range crl.RevokedCertificateEntries {
		found, at, reason, err := revocation.CRLEntry(der, e.SerialNumber)
		want := e.ReasonCode
		if want == 0 {
			want = -1 // x509 writes no reasonCode for unspecified (0)
		}
		if err != nil || !found || !at.Equal(e.RevocationTime) || reason != want {
			t.Fatalf("serial %s: %v %v %d %v; x509: %v %d", e.SerialNumber, found, at, reason, err, e.RevocationTime, e.ReasonCode)
		}
		for _, d := range []int64{1, -1} {
			other := new(big.Int).Add(e.SerialNumber, big.NewInt(d))
			if found, _, _, _ := revocation.CRLEntry(der, other); found && !listed(crl, other) {
				t.Fatalf("serial %s found but not listed", other)
			}
		}
	}
}

func listed(crl *x509.RevocationList, s *big.Int) bool {
	for _, e := range crl.RevokedCertificateEntries {
		if e.SerialNumber.Cmp(s) == 0 {
			return true
		}
	}
	return false
}
