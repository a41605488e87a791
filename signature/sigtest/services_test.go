package sigtest

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"
)

func post(t *testing.T, url, ctype string, body []byte) []byte {
	t.Helper()
	resp, err := http.Post(url, ctype, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("POST %s: %d %v", url, resp.StatusCode, err)
	}
	return b
}

func fetch(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return b
}

func ocspQuery(t *testing.T, l *Leaf) *ocsp.Response {
	t.Helper()
	req, err := ocsp.CreateRequest(l.Cert, l.Issuer.Cert, &ocsp.RequestOptions{Hash: crypto.SHA256})
	if err != nil {
		t.Fatal(err)
	}
	der := post(t, l.Cert.OCSPServer[0], "application/ocsp-request", req)
	resp, err := ocsp.ParseResponseForCert(der, l.Cert, l.Issuer.Cert)
	if err != nil {
		t.Fatalf("parse OCSP response: %v", err)
	}
	return resp
}

func TestOCSP(t *testing.T) {
	p := New(t)
	good := p.Issue(LeafOptions{})
	revoked := p.Issue(LeafOptions{})
	later := p.Issue(LeafOptions{})
	p.Revoke(revoked.Cert, Now.Add(-time.Hour), ReasonKeyCompromise)
	p.Revoke(later.Cert, Now.Add(time.Hour), ReasonSuperseded)

	t.Run("ok/good-delegated", func(t *testing.T) {
		r := ocspQuery(t, good)
		if r.Status != ocsp.Good || !r.ProducedAt.Equal(Now) || !r.ThisUpdate.Equal(Now) {
			t.Errorf("status %d producedAt %v thisUpdate %v", r.Status, r.ProducedAt, r.ThisUpdate)
		}
		if r.Certificate == nil || !bytes.Equal(r.Certificate.Raw, p.Intermediate.Responder.DER) {
			t.Fatalf("responder certificate not embedded")
		}
		if r.Certificate.ExtKeyUsage[0] != x509.ExtKeyUsageOCSPSigning {
			t.Errorf("responder EKU %v", r.Certificate.ExtKeyUsage)
		}
		nocheck := false
		for _, e := range r.Certificate.Extensions {
			nocheck = nocheck || e.Id.Equal(oidOCSPNoCheck)
		}
		if !nocheck {
			t.Errorf("responder lacks id-pkix-ocsp-nocheck")
		}
	})
	t.Run("ok/revoked", func(t *testing.T) {
		r := ocspQuery(t, revoked)
		if r.Status != ocsp.Revoked || r.RevocationReason != ocsp.KeyCompromise || !r.RevokedAt.Equal(Now.Add(-time.Hour)) {
			t.Errorf("status %d reason %d at %v", r.Status, r.RevocationReason, r.RevokedAt)
		}
	})
	t.Run("ok/revocation-after-clock-is-good", func(t *testing.T) {
		if r := ocspQuery(t, later); r.Status != ocsp.Good {
			t.Errorf("status %d", r.Status)
		}
		p.SetClock(Now.Add(2 * time.Hour))
		defer p.SetClock(Now)
		if r := ocspQuery(t, later); r.Status != ocsp.Revoked || !r.ProducedAt.Equal(Now.Add(2*time.Hour)) {
			t.Errorf("status %d producedAt %v", r.Status, r.ProducedAt)
		}
	})
	t.Run("ok/by-ca", func(t *testing.T) {
		p.Intermediate.SetOCSPMode(OCSPByCA)
		defer p.Intermediate.SetOCSPMode(OCSPDelegated)
		r := ocspQuery(t, good)
		if r.Status != ocsp.Good || r.Certificate != nil {
			t.Errorf("status %d, cert %v", r.Status, r.Certificate != nil)
		}
	})
	t.Run("ok/unknown", func(t *testing.T) {
		p.Intermediate.SetOCSPMode(OCSPUnknown)
		defer p.Intermediate.SetOCSPMode(OCSPDelegated)
		if r := ocspQuery(t, good); r.Status != ocsp.Unknown {
			t.Errorf("status %d", r.Status)
		}
	})
	t.Run("ok/ec-ca", func(t *testing.T) {
		if r := ocspQuery(t, p.Issue(LeafOptions{Issuer: p.IntermediateEC})); r.Status != ocsp.Good {
			t.Errorf("status %d", r.Status)
		}
	})
	t.Run("fail/unauthorised", func(t *testing.T) {
		p.Intermediate.SetOCSPMode(OCSPUnauthorised)
		defer p.Intermediate.SetOCSPMode(OCSPDelegated)
		req, _ := ocsp.CreateRequest(good.Cert, p.Intermediate.Cert, nil)
		der := post(t, good.Cert.OCSPServer[0], "application/ocsp-request", req)
		if _, err := ocsp.ParseResponseForCert(der, good.Cert, p.Intermediate.Cert); err == nil {
			t.Errorf("x/crypto/ocsp accepted a response from the rogue responder")
		}
		r, err := ocsp.ParseResponse(der, nil)
		if err != nil || r.Certificate.Issuer.CommonName != "Sigtest Rogue CA" {
			t.Errorf("rogue responder response: %v", err)
		}
	})
	t.Run("fail/responder-without-eku", func(t *testing.T) {
		p.Intermediate.SetOCSPMode(OCSPResponderWithoutEKU)
		defer p.Intermediate.SetOCSPMode(OCSPDelegated)
		// x/crypto/ocsp does not check the responder's EKU, so only the EKU
		// may be wrong here: the response verifies and the certificate is
		// this CA's.
		r, err := ocsp.ParseResponseForCert(p.Intermediate.OCSPResponse(good.Cert), good.Cert, p.Intermediate.Cert)
		if err != nil || r.Status != ocsp.Good {
			t.Fatalf("%v", err)
		}
		if len(r.Certificate.ExtKeyUsage) != 0 || r.Certificate.CheckSignatureFrom(p.Intermediate.Cert) != nil {
			t.Errorf("responder EKU %v", r.Certificate.ExtKeyUsage)
		}
	})
	t.Run("fail/bad-signature", func(t *testing.T) {
		p.Intermediate.SetOCSPMode(OCSPBadSignature)
		defer p.Intermediate.SetOCSPMode(OCSPDelegated)
		if _, err := ocsp.ParseResponseForCert(p.Intermediate.OCSPResponse(good.Cert), good.Cert, p.Intermediate.Cert); err == nil {
			t.Errorf("bad signature accepted")
		}
	})
	t.Run("fail/stale", func(t *testing.T) {
		p.Intermediate.SetOCSPMode(OCSPStale)
		defer p.Intermediate.SetOCSPMode(OCSPDelegated)
		r, err := ocsp.ParseResponseForCert(p.Intermediate.OCSPResponse(good.Cert), good.Cert, p.Intermediate.Cert)
		if err != nil || !r.NextUpdate.Before(Now) {
			t.Errorf("stale: %v %v", err, r)
		}
	})
	t.Run("fail/try-later", func(t *testing.T) {
		p.Intermediate.SetOCSPMode(OCSPTryLater)
		defer p.Intermediate.SetOCSPMode(OCSPDelegated)
		req, _ := ocsp.CreateRequest(good.Cert, p.Intermediate.Cert, nil)
		_, err := ocsp.ParseResponse(post(t, good.Cert.OCSPServer[0], "application/ocsp-request", req), nil)
		var re ocsp.ResponseError
		if !errors.As(err, &re) || re.Status != ocsp.TryLater {
			t.Errorf("got %v", err)
		}
	})
	t.Run("fail/garbage", func(t *testing.T) {
		p.Intermediate.SetOCSPMode(OCSPGarbage)
		defer p.Intermediate.SetOCSPMode(OCSPDelegated)
		if _, err := ocsp.ParseResponse(p.Intermediate.OCSPResponse(good.Cert), nil); err == nil {
			t.Errorf("garbage parsed")
		}
	})
	t.Run("fail/hang", func(t *testing.T) {
		p.Intermediate.SetOCSPMode(OCSPHang)
		defer p.Intermediate.SetOCSPMode(OCSPDelegated)
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		req, _ := ocsp.CreateRequest(good.Cert, p.Intermediate.Cert, nil)
		hr, _ := http.NewRequestWithContext(ctx, http.MethodPost, good.Cert.OCSPServer[0], bytes.NewReader(req))
		if resp, err := http.DefaultClient.Do(hr); err == nil {
			resp.Body.Close()
			t.Errorf("hanging responder answered")
		}
	})
	t.Run("ok/get-and-basic", func(t *testing.T) {
		req, _ := ocsp.CreateRequest(good.Cert, p.Intermediate.Cert, nil)
		der := fetch(t, p.Intermediate.OCSPURL()+"/"+Base64(req))
		if r, err := ocsp.ParseResponseForCert(der, good.Cert, p.Intermediate.Cert); err != nil || r.Status != ocsp.Good {
			t.Errorf("GET: %v", err)
		}
		if len(p.Intermediate.BasicOCSPResponse(good.Cert)) == 0 {
			t.Errorf("no BasicOCSPResponse")
		}
	})
	// The intermediate's own status comes from the root's responder.
	t.Run("ok/intermediate", func(t *testing.T) {
		r, err := ocsp.ParseResponseForCert(p.Root.OCSPResponse(p.Intermediate.Cert), p.Intermediate.Cert, p.Root.Cert)
		if err != nil || r.Status != ocsp.Good {
			t.Errorf("%v %v", err, r)
		}
	})
}

func TestCRL(t *testing.T) {
	p := New(t)
	l := p.Issue(LeafOptions{})
	p.Revoke(l.Cert, Now.Add(-time.Hour), ReasonKeyCompromise)
	p.Revoke(p.Issue(LeafOptions{}).Cert, Now.Add(time.Hour), ReasonKeyCompromise)
	parse := func(der []byte) *x509.RevocationList {
		t.Helper()
		crl, err := x509.ParseRevocationList(der)
		if err != nil {
			t.Fatal(err)
		}
		return crl
	}
	crl := parse(fetch(t, l.Cert.CRLDistributionPoints[0]))
	if err := crl.CheckSignatureFrom(p.Intermediate.Cert); err != nil {
		t.Fatal(err)
	}
	if len(crl.RevokedCertificateEntries) != 1 || crl.RevokedCertificateEntries[0].SerialNumber.Cmp(l.Cert.SerialNumber) != 0 ||
		crl.RevokedCertificateEntries[0].ReasonCode != ReasonKeyCompromise || !crl.ThisUpdate.Equal(Now) {
		t.Errorf("CRL entries %+v thisUpdate %v", crl.RevokedCertificateEntries, crl.ThisUpdate)
	}
	p.Intermediate.SetCRLMode(CRLStale)
	if crl := parse(p.Intermediate.CRL()); !crl.NextUpdate.Before(Now) {
		t.Errorf("stale CRL nextUpdate %v", crl.NextUpdate)
	}
	p.Intermediate.SetCRLMode(CRLWrongSigner)
	if crl := parse(p.Intermediate.CRL()); crl.CheckSignatureFrom(p.Intermediate.Cert) == nil ||
		!bytes.Equal(crl.RawIssuer, p.Intermediate.Cert.RawSubject) {
		t.Errorf("wrong-signer CRL verifies or names another issuer")
	}
	p.Intermediate.SetCRLMode(CRLNotFound)
	if resp, err := http.Get(p.Intermediate.CRLURL()); err != nil || resp.StatusCode != 404 {
		t.Errorf("not found: %v", err)
	} else {
		resp.Body.Close()
	}
	p.Intermediate.SetCRLMode(CRLGood)
	if crl := parse(p.Root.CRL()); crl.CheckSignatureFrom(p.Root.Cert) != nil {
		t.Errorf("root CRL signature")
	}
}

func TestCountersAndCAIssuers(t *testing.T) {
	p := New(t)
	if n := p.Requests().Total(); n != 0 {
		t.Fatalf("fresh PKI served %d requests", n)
	}
	l := p.Issue(LeafOptions{})
	p.Timestamp(crypto.SHA256, make([]byte, 32))
	p.Intermediate.OCSPResponse(l.Cert)
	p.Intermediate.CRL()
	if n := p.Requests().Total(); n != 0 {
		t.Fatalf("direct calls counted as %d requests", n)
	}
	c, err := x509.ParseCertificate(fetch(t, l.Cert.IssuingCertificateURL[0]))
	if err != nil || !c.Equal(p.Intermediate.Cert) {
		t.Fatalf("caIssuers: %v", err)
	}
	fetch(t, p.Intermediate.CRLURL())
	if got := p.Requests(); got != (Counts{CAIssuers: 1, CRL: 1}) {
		t.Errorf("counts %+v", got)
	}
}
