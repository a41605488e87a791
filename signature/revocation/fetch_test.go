package revocation_test

import (
	"context"
	"errors"
	"github.com/sigintake/sigintake/signature/revocation"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sigintake/sigintake/signature/pki"
	"github.com/sigintake/sigintake/signature/sigtest"
)

// withURLs returns a copy of c whose AIA OCSP and CRL URLs are replaced.
func withURLs(c *pki.Certificate, ocsp, crl []string) *pki.Certificate {
	x := *c.Certificate
	x.OCSPServer, x.CRLDistributionPoints = ocsp, crl
	cc := *c
	cc.Certificate = &x
	return &cc
}

func TestCheck(t *testing.T) {
	revokedAt := sigtest.Now.Add(-time.Hour).Truncate(time.Second)
	tests := []struct {
		name       string
		ocsp       sigtest.OCSPMode
		crl        sigtest.CRLMode
		revoke     bool
		source     string
		status     revocation.Status
		unavail    bool
		wantOCSP   int64
		wantCRL    int64
		noOCSP     bool
		noURLs     bool
		maxElapsed time.Duration
	}{
		{name: "ok/ocsp-good", status: revocation.Good, source: "ocsp", wantOCSP: 1},
		{name: "ok/ocsp-revoked", revoke: true, status: revocation.Revoked, source: "ocsp", wantOCSP: 1},
		{name: "ok/tryLater-falls-back-to-crl", ocsp: sigtest.OCSPTryLater, revoke: true, status: revocation.Revoked, source: "crl", wantOCSP: 1, wantCRL: 1},
		{name: "ok/garbage-ocsp-falls-back-to-crl", ocsp: sigtest.OCSPGarbage, status: revocation.Good, source: "crl", wantOCSP: 1, wantCRL: 1},
		{name: "ok/unauthorised-ocsp-falls-back-to-crl", ocsp: sigtest.OCSPUnauthorised, revoke: true, status: revocation.Revoked, source: "crl", wantOCSP: 1, wantCRL: 1},
		{name: "ok/hanging-ocsp-falls-back-to-crl", ocsp: sigtest.OCSPHang, status: revocation.Good, source: "crl", wantOCSP: 1, wantCRL: 1, maxElapsed: 3 * time.Second},
		{name: "ok/unknown-then-crl-good", ocsp: sigtest.OCSPUnknown, status: revocation.Good, source: "crl", wantOCSP: 1, wantCRL: 1},
		{name: "ok/unknown-when-crl-fails", ocsp: sigtest.OCSPUnknown, crl: sigtest.CRLNotFound, status: revocation.Unknown, source: "ocsp", wantOCSP: 1, wantCRL: 1},
		{name: "ok/no-ocsp-url", noOCSP: true, status: revocation.Good, source: "crl", wantCRL: 1},
		{name: "fail/tryLater-and-wrong-crl-signer", ocsp: sigtest.OCSPTryLater, crl: sigtest.CRLWrongSigner, unavail: true, wantOCSP: 1, wantCRL: 1},
		{name: "fail/both-hang", ocsp: sigtest.OCSPHang, crl: sigtest.CRLHang, unavail: true, wantOCSP: 1, wantCRL: 1, maxElapsed: 3 * time.Second},
		{name: "fail/garbage-both", ocsp: sigtest.OCSPGarbage, crl: sigtest.CRLGarbage, unavail: true, wantOCSP: 1, wantCRL: 1},
		{name: "fail/no-urls", noURLs: true, unavail: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, sigtest.LeafOptions{NoOCSPURL: tc.noOCSP})
			if tc.revoke {
				f.p.Revoke(f.leaf.Cert, revokedAt, sigtest.ReasonKeyCompromise)
			}
			f.leaf.Issuer.SetOCSPMode(tc.ocsp)
			f.leaf.Issuer.SetCRLMode(tc.crl)
			cert := f.cert
			if tc.noURLs {
				cert = withURLs(cert, nil, nil)
			}
			fe := &revocation.HTTPFetcher{Timeout: 500 * time.Millisecond}
			start := time.Now()
			r, err := revocation.Check(context.Background(), fe, cert, f.issuer, nil)
			elapsed := time.Since(start)
			if tc.maxElapsed > 0 && elapsed > tc.maxElapsed {
				t.Errorf("took %v, want under %v", elapsed, tc.maxElapsed)
			}
			if n := f.p.Requests(); n.OCSP != tc.wantOCSP || n.CRL != tc.wantCRL {
				t.Errorf("requests OCSP %d CRL %d, want %d %d", n.OCSP, n.CRL, tc.wantOCSP, tc.wantCRL)
			}
			if tc.unavail {
				if !errors.Is(err, revocation.ErrUnavailable) || r != nil {
					t.Fatalf("err = %v, result %v; want ErrUnavailable", err, r)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != tc.status || r.Source != tc.source {
				t.Fatalf("got %s from %s, want %s from %s", r.Status, r.Source, tc.status, tc.source)
			}
			if tc.revoke && (!r.RevokedAt.Equal(revokedAt) || r.Reason != sigtest.ReasonKeyCompromise) {
				t.Errorf("revoked at %v reason %d", r.RevokedAt, r.Reason)
			}
			wantURL := f.leaf.Issuer.OCSPURL()
			if tc.source == "crl" {
				wantURL = f.leaf.Issuer.CRLURL()
			}
			if r.URL != wantURL {
				t.Errorf("URL %q, want %q", r.URL, wantURL)
			}
		})
	}
	t.Run("fail/no-fetcher", func(t *testing.T) {
		f := newFixture(t, sigtest.LeafOptions{})
		if _, err := revocation.Check(context.Background(), nil, f.cert, f.issuer, nil); !errors.Is(err, revocation.ErrUnavailable) {
			t.Fatalf("err = %v, want ErrUnavailable", err)
		}
		if n := f.p.Requests().Total(); n != 0 {
			t.Errorf("%d requests without a fetcher", n)
		}
	})
}

func TestHTTPFetcherErrors(t *testing.T) {
	f := newFixture(t, sigtest.LeafOptions{})
	ctx := context.Background()

	t.Run("fail/hang-short-timeout", func(t *testing.T) {
		f.leaf.Issuer.SetOCSPMode(sigtest.OCSPHang)
		defer f.leaf.Issuer.SetOCSPMode(sigtest.OCSPDelegated)
		start := time.Now()
		_, err := (&revocation.HTTPFetcher{Timeout: 200 * time.Millisecond}).OCSP(ctx, f.cert, f.issuer)
		if !errors.Is(err, revocation.ErrUnavailable) {
			t.Fatalf("err = %v, want ErrUnavailable", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("gave up after %v", d)
		}
	})
	t.Run("fail/caller-deadline", func(t *testing.T) {
		f.leaf.Issuer.SetCRLMode(sigtest.CRLHang)
		defer f.leaf.Issuer.SetCRLMode(sigtest.CRLGood)
		c, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		if _, err := (&revocation.HTTPFetcher{}).CRL(c, f.leaf.Issuer.CRLURL()); !errors.Is(err, revocation.ErrUnavailable) {
			t.Fatalf("err = %v, want ErrUnavailable", err)
		}
	})
	t.Run("fail/404-is-permanent", func(t *testing.T) {
		f.leaf.Issuer.SetCRLMode(sigtest.CRLNotFound)
		defer f.leaf.Issuer.SetCRLMode(sigtest.CRLGood)
		_, err := (&revocation.HTTPFetcher{}).CRL(ctx, f.leaf.Issuer.CRLURL())
		var he *revocation.HTTPError
		if !errors.As(err, &he) || he.StatusCode != 404 || errors.Is(err, revocation.ErrUnavailable) {
			t.Fatalf("err = %v, want a permanent HTTP 404", err)
		}
	})
	t.Run("fail/5xx-is-temporary", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "down", http.StatusBadGateway)
		}))
		defer srv.Close()
		if _, err := (&revocation.HTTPFetcher{}).CRL(ctx, srv.URL+"/x.crl"); !errors.Is(err, revocation.ErrUnavailable) {
			t.Fatalf("err = %v, want ErrUnavailable", err)
		}
	})
	t.Run("fail/too-large", func(t *testing.T) {
		if _, err := (&revocation.HTTPFetcher{MaxCRLSize: 100}).CRL(ctx, f.leaf.Issuer.CRLURL()); !errors.Is(err, revocation.ErrMalformed) {
			t.Fatalf("err = %v, want ErrMalformed", err)
		}
	})
	t.Run("fail/not-http", func(t *testing.T) {
		if _, err := (&revocation.HTTPFetcher{}).CRL(ctx, "ldap://example.invalid/cn=crl"); !errors.Is(err, revocation.ErrUnsupported) {
			t.Fatalf("err = %v, want ErrUnsupported", err)
		}
	})
	t.Run("ok/certificate", func(t *testing.T) {
		b, err := (&revocation.HTTPFetcher{}).Certificate(ctx, f.leaf.Issuer.CAIssuersURL())
		if err != nil {
			t.Fatal(err)
		}
		if !mustCert(t, b).Equal(f.issuer) {
			t.Fatal("caIssuers gave another certificate")
		}
	})
}

// TestHTTPFetcherGETFallback puts a proxy that refuses POST in front of the
// responder: the fetcher must retry with GET (RFC 6960 Appendix A.1).
func TestHTTPFetcherGETFallback(t *testing.T) {
	f := newFixture(t, sigtest.LeafOptions{})
	target, _ := url.Parse(f.p.URL())
	proxy := httputil.NewSingleHostReverseProxy(target)
	var gets atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			http.Error(w, "GET only", http.StatusMethodNotAllowed)
			return
		}
		gets.Add(1)
		proxy.ServeHTTP(w, r)
	}))
	defer srv.Close()
	u, _ := url.Parse(f.leaf.Issuer.OCSPURL())
	cert := withURLs(f.cert, []string{srv.URL + u.Path}, nil)
	fe := &revocation.HTTPFetcher{}
	b, err := fe.OCSP(context.Background(), cert, f.issuer)
	if err != nil {
		t.Fatal(err)
	}
	r, err := revocation.CheckOCSP(b, f.cert, f.issuer, nil)
	if err != nil || r.Status != revocation.Good {
		t.Fatalf("GET answer: %v %v", r, err)
	}
	if gets.Load() != 1 {
		t.Errorf("%d GETs", gets.Load())
	}
	// The refused POST counts as a request and an error.
	if s := fe.Stats(); s.Requests != 2 || s.Errors != 1 || s.Bytes != int64(len(b)) {
		t.Errorf("stats %+v, want 2 requests, 1 error, %d bytes", s, len(b))
	}
}

func TestHTTPFetcherCache(t *testing.T) {
	f := newFixture(t, sigtest.LeafOptions{})
	ctx := context.Background()
	clock := sigtest.Now
	now := func() time.Time { return clock }
	dir := t.TempDir()
	fe := &revocation.HTTPFetcher{Now: now, CacheDir: dir}
	for i := 0; i < 3; i++ {
		if _, err := revocation.Check(ctx, fe, f.cert, f.issuer, nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.p.Requests(); n.OCSP != 1 {
		t.Fatalf("%d OCSP requests for 3 checks, want 1", n.OCSP)
	}
	if s := fe.Stats(); s.CacheHits != 2 || s.Requests != 1 {
		t.Fatalf("stats %+v, want 2 cache hits and 1 request", s)
	}
	for i := 0; i < 2; i++ {
		if _, err := fe.CRL(ctx, f.leaf.Issuer.CRLURL()); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.p.Requests(); n.CRL != 1 {
		t.Fatalf("%d CRL requests, want 1", n.CRL)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 2 {
		t.Fatalf("%d files in the disk cache, want 2", len(ents))
	}

	// A new fetcher (a restart) on the same directory answers from disk.
	fe2 := &revocation.HTTPFetcher{Now: now, CacheDir: dir}
	if _, err := revocation.Check(ctx, fe2, f.cert, f.issuer, nil); err != nil {
		t.Fatal(err)
	}
	if s := fe2.Stats(); s.DiskHits != 1 || s.Requests != 0 {
		t.Fatalf("restart stats %+v, want 1 disk hit", s)
	}

	// Past nextUpdate the responder is asked again.
	clock = sigtest.Now.Add(30 * 24 * time.Hour)
	if _, err := fe.OCSP(ctx, f.cert, f.issuer); err != nil {
		t.Fatal(err)
	}
	if n := f.p.Requests(); n.OCSP != 2 {
		t.Fatalf("%d OCSP requests after expiry, want 2", n.OCSP)
	}

	// Answers that do not verify are not cached.
	clock = sigtest.Now
	g := newFixture(t, sigtest.LeafOptions{})
	g.leaf.Issuer.SetOCSPMode(sigtest.OCSPUnauthorised)
	fe3 := &revocation.HTTPFetcher{Now: now}
	for i := 0; i < 2; i++ {
		if _, err := fe3.OCSP(ctx, g.cert, g.issuer); err != nil {
			t.Fatal(err)
		}
	}
	if n := g.p.Requests(); n.OCSP != 2 {
		t.Fatalf("unauthorised answer cached: %d requests", n.OCSP)
	}

	// Without a clock nothing is cached.
	fe4 := &revocation.HTTPFetcher{}
	for i := 0; i < 2; i++ {
		if _, err := fe4.OCSP(ctx, g.cert, g.issuer); err != nil {
			t.Fatal(err)
		}
	}
	if s := fe4.Stats(); s.CacheHits != 0 || s.Requests != 2 {
		t.Fatalf("stats without clock %+v", s)
	}
}

func TestHTTPFetcherCacheBound(t *testing.T) {
	p := sigtest.New(t)
	fe := &revocation.HTTPFetcher{Now: func() time.Time { return sigtest.Now }, MaxEntries: 2}
	ctx := context.Background()
	for i := 0; i < 4; i++ {
		l := p.Issue(sigtest.LeafOptions{})
		if _, err := fe.OCSP(ctx, mustCert(t, l.DER), mustCert(t, l.Issuer.DER)); err != nil {
			t.Fatal(err)
		}
	}
	if n := fe.CacheLen(); n != 2 {
		t.Fatalf("%d cache entries, want 2", n)
	}
}
