package revocation_test

import (
	"context"
	"errors"
	"github.com/sigintake/sigintake/signature/revocation"
	"testing"
	"time"

	"github.com/sigintake/sigintake/signature/pki"
	"github.com/sigintake/sigintake/signature/sigtest"
)

func mustCert(t testing.TB, der []byte) *pki.Certificate {
	t.Helper()
	c, err := pki.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fixture is one PKI with a leaf under the RSA intermediate.
type fixture struct {
	p      *sigtest.PKI
	leaf   *sigtest.Leaf
	cert   *pki.Certificate
	issuer *pki.Certificate
}

func newFixture(t *testing.T, o sigtest.LeafOptions) *fixture {
	t.Helper()
	p := sigtest.New(t)
	l := p.Issue(o)
	return &fixture{p: p, leaf: l, cert: mustCert(t, l.DER), issuer: mustCert(t, l.Issuer.DER)}
}

func TestCheckOCSP(t *testing.T) {
	revokedAt := sigtest.Now.Add(-48 * time.Hour).Truncate(time.Second)
	tests := []struct {
		name    string
		opts    sigtest.LeafOptions
		ec      bool // leaf under IntermediateEC
		mode    sigtest.OCSPMode
		revoke  int // reason+1 when revoked
		bare    bool
		status  revocation.Status
		wantErr error
	}{
		{name: "ok/good-delegated", mode: sigtest.OCSPDelegated, status: revocation.Good},
		{name: "ok/good-by-CA", mode: sigtest.OCSPByCA, status: revocation.Good},
		{name: "ok/good-bare-basic", mode: sigtest.OCSPDelegated, bare: true, status: revocation.Good},
		{name: "ok/good-ecdsa-CA", ec: true, mode: sigtest.OCSPDelegated, status: revocation.Good},
		{name: "ok/good-pss-leaf", opts: sigtest.LeafOptions{KeyType: sigtest.RSAPSS}, mode: sigtest.OCSPByCA, status: revocation.Good},
		{name: "ok/revoked-keyCompromise", mode: sigtest.OCSPDelegated, revoke: sigtest.ReasonKeyCompromise + 1, status: revocation.Revoked},
		{name: "ok/revoked-hold-by-CA", mode: sigtest.OCSPByCA, revoke: sigtest.ReasonCertificateHold + 1, status: revocation.Revoked},
		{name: "ok/unknown", mode: sigtest.OCSPUnknown, status: revocation.Unknown},
		{name: "ok/unknown-even-if-revoked", mode: sigtest.OCSPUnknown, revoke: sigtest.ReasonKeyCompromise + 1, status: revocation.Unknown},
		{name: "ok/stale-still-verifies", mode: sigtest.OCSPStale, status: revocation.Good},
		{name: "fail/unauthorised-rogue-responder", mode: sigtest.OCSPUnauthorised, wantErr: revocation.ErrUnauthorized},
		{name: "fail/responder-without-EKU", mode: sigtest.OCSPResponderWithoutEKU, wantErr: revocation.ErrUnauthorized},
		{name: "fail/bad-signature", mode: sigtest.OCSPBadSignature, wantErr: revocation.ErrSignature},
		{name: "fail/tryLater", mode: sigtest.OCSPTryLater, wantErr: revocation.ErrUnavailable},
		{name: "fail/garbage", mode: sigtest.OCSPGarbage, wantErr: revocation.ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := sigtest.New(t)
			o := tc.opts
			if tc.ec {
				o.Issuer = p.IntermediateEC
			}
			l := p.Issue(o)
			if tc.revoke > 0 {
				p.Revoke(l.Cert, revokedAt, tc.revoke-1)
			}
			l.Issuer.SetOCSPMode(tc.mode)
			der := l.Issuer.OCSPResponse(l.Cert)
			if tc.bare {
				der = l.Issuer.BasicOCSPResponse(l.Cert)
			}
			cert, issuer := mustCert(t, l.DER), mustCert(t, l.Issuer.DER)
			r, err := revocation.CheckOCSP(der, cert, issuer, nil)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				if r != nil {
					t.Fatalf("result %+v with error", r)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != tc.status || r.Source != "ocsp" {
				t.Fatalf("status %q source %q, want %q", r.Status, r.Source, tc.status)
			}
			if !r.ProducedAt.Equal(p.Clock()) {
				t.Errorf("producedAt %v, want %v", r.ProducedAt, p.Clock())
			}
			if r.Signer == nil || len(r.Raw) == 0 {
				t.Errorf("signer %v raw %d bytes", r.Signer, len(r.Raw))
			}
			switch tc.mode {
			case sigtest.OCSPByCA:
				if !r.Signer.Equal(issuer) {
					t.Errorf("signer %q, want the CA", r.Signer.SubjectString())
				}
			case sigtest.OCSPDelegated:
				if !r.Signer.Equal(mustCert(t, l.Issuer.Responder.DER)) {
					t.Errorf("signer %q, want the delegated responder", r.Signer.SubjectString())
				}
			case sigtest.OCSPStale:
				if !r.NextUpdate.Before(sigtest.Now) || r.FreshAt(sigtest.Now, 0) {
					t.Errorf("stale answer: thisUpdate %v nextUpdate %v reported fresh", r.ThisUpdate, r.NextUpdate)
				}
			}
			if tc.status == revocation.Revoked {
				if !r.RevokedAt.Equal(revokedAt) || r.Reason != tc.revoke-1 {
					t.Errorf("revoked at %v reason %d, want %v %d", r.RevokedAt, r.Reason, revokedAt, tc.revoke-1)
				}
			} else if !r.RevokedAt.IsZero() || r.Reason != -1 {
				t.Errorf("not revoked but RevokedAt %v Reason %d", r.RevokedAt, r.Reason)
			}
		})
	}
}

func TestCheckOCSPWrongCertOrIssuer(t *testing.T) {
	f := newFixture(t, sigtest.LeafOptions{})
	der := f.leaf.Issuer.OCSPResponse(f.leaf.Cert)
	other := mustCert(t, f.p.Issue(sigtest.LeafOptions{}).DER)
	t.Run("fail/other-serial", func(t *testing.T) {
		if _, err := revocation.CheckOCSP(der, other, f.issuer, nil); !errors.Is(err, revocation.ErrNoStatus) {
			t.Fatalf("err = %v, want ErrNoStatus", err)
		}
	})
	t.Run("fail/other-issuer", func(t *testing.T) {
		// The EC CA as "issuer": the CertID's issuerKeyHash does not match.
		if _, err := revocation.CheckOCSP(der, f.cert, mustCert(t, f.p.IntermediateEC.DER), nil); !errors.Is(err, revocation.ErrNoStatus) {
			t.Fatalf("err = %v, want ErrNoStatus", err)
		}
	})
	t.Run("fail/nil", func(t *testing.T) {
		if _, err := revocation.CheckOCSP(der, nil, f.issuer, nil); err == nil {
			t.Fatal("nil certificate accepted")
		}
	})
}

func TestCheckCRL(t *testing.T) {
	revokedAt := sigtest.Now.Add(-72 * time.Hour).Truncate(time.Second)
	tests := []struct {
		name    string
		mode    sigtest.CRLMode
		revoke  int // reason+1
		status  revocation.Status
		wantErr error
	}{
		{name: "ok/good", mode: sigtest.CRLGood, status: revocation.Good},
		{name: "ok/revoked-superseded", mode: sigtest.CRLGood, revoke: sigtest.ReasonSuperseded + 1, status: revocation.Revoked},
		{name: "ok/revoked-keyCompromise", mode: sigtest.CRLGood, revoke: sigtest.ReasonKeyCompromise + 1, status: revocation.Revoked},
		{name: "ok/stale", mode: sigtest.CRLStale, status: revocation.Good},
		{name: "fail/wrong-signer", mode: sigtest.CRLWrongSigner, wantErr: revocation.ErrSignature},
		{name: "fail/garbage", mode: sigtest.CRLGarbage, wantErr: revocation.ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, sigtest.LeafOptions{})
			if tc.revoke > 0 {
				f.p.Revoke(f.leaf.Cert, revokedAt, tc.revoke-1)
			}
			f.leaf.Issuer.SetCRLMode(tc.mode)
			r, err := revocation.CheckCRL(f.leaf.Issuer.CRL(), f.cert, f.issuer)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || r != nil {
					t.Fatalf("err = %v (result %v), want %v", err, r, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != tc.status || r.Source != "crl" || !r.Signer.Equal(f.issuer) {
				t.Fatalf("status %q source %q signer %q", r.Status, r.Source, r.Signer.SubjectString())
			}
			if tc.status == revocation.Revoked && (!r.RevokedAt.Equal(revokedAt) || r.Reason != tc.revoke-1) {
				t.Errorf("revoked at %v reason %d, want %v %d", r.RevokedAt, r.Reason, revokedAt, tc.revoke-1)
			}
			switch tc.mode {
			case sigtest.CRLGood:
				if !r.ThisUpdate.Equal(sigtest.Now) || !r.NextUpdate.Equal(sigtest.Now.Add(7*24*time.Hour)) || !r.FreshAt(sigtest.Now, time.Hour) {
					t.Errorf("thisUpdate %v nextUpdate %v", r.ThisUpdate, r.NextUpdate)
				}
			case sigtest.CRLStale:
				wantThis, wantNext := sigtest.Now.Add(-30*24*time.Hour), sigtest.Now.Add(-24*time.Hour)
				if !r.ThisUpdate.Equal(wantThis) || !r.NextUpdate.Equal(wantNext) {
					t.Errorf("stale CRL dates %v .. %v, want %v .. %v", r.ThisUpdate, r.NextUpdate, wantThis, wantNext)
				}
				if r.FreshAt(sigtest.Now, 0) {
					t.Error("stale CRL reported fresh")
				}
			}
		})
	}
}

func TestCheckCRLOtherIssuer(t *testing.T) {
	f := newFixture(t, sigtest.LeafOptions{})
	// The EC CA's own good CRL offered for a certificate of the RSA CA.
	if _, err := revocation.CheckCRL(f.p.IntermediateEC.CRL(), f.cert, f.issuer); !errors.Is(err, revocation.ErrUnauthorized) {
		t.Fatalf("err = %v, want ErrUnauthorized", err)
	}
	// The right CRL checked against the wrong issuer certificate.
	if _, err := revocation.CheckCRL(f.leaf.Issuer.CRL(), f.cert, mustCert(t, f.p.Rogue.DER)); !errors.Is(err, revocation.ErrUnauthorized) {
		t.Fatalf("err = %v, want ErrUnauthorized", err)
	}
}

func TestCheckFallsBackToCRL(t *testing.T) {
	f := newFixture(t, sigtest.LeafOptions{})
	f.p.Revoke(f.leaf.Cert, sigtest.Now.Add(-time.Hour).Truncate(time.Second), sigtest.ReasonKeyCompromise)
	f.leaf.Issuer.SetOCSPMode(sigtest.OCSPTryLater)
	fe := &revocation.HTTPFetcher{Timeout: 5 * time.Second}
	r, err := revocation.Check(context.Background(), fe, f.cert, f.issuer, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Source != "crl" || r.Status != revocation.Revoked || r.Reason != sigtest.ReasonKeyCompromise || r.URL != f.leaf.Issuer.CRLURL() {
		t.Fatalf("got %s %s reason %d from %s", r.Source, r.Status, r.Reason, r.URL)
	}
	if n := f.p.Requests(); n.OCSP != 1 || n.CRL != 1 {
		t.Errorf("requests %+v, want one OCSP and one CRL", n)
	}
}
