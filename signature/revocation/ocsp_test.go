package revocation_test

import (
	"bytes"
	"crypto"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"io"
	"math/big"
	"net/http"
	"testing"
	"time"

	"github.com/sigintake/sigintake/signature/pki"
	"github.com/sigintake/sigintake/signature/revocation"
	"github.com/sigintake/sigintake/signature/sigtest"
)

// ocspRequest builds an OCSPRequest whose CertID uses h (RFC 6960 §4.1.1).
func ocspRequest(t *testing.T, h crypto.Hash, oid asn1.ObjectIdentifier, cert, issuer *pki.Certificate) []byte {
	t.Helper()
	var spki struct {
		Alg asn1.RawValue
		Key asn1.BitString
	}
	if _, err := asn1.Unmarshal(issuer.RawSubjectPublicKeyInfo, &spki); err != nil {
		t.Fatal(err)
	}
	sum := func(b []byte) []byte { d := h.New(); d.Write(b); return d.Sum(nil) }
	type certID struct {
		Alg      pkix.AlgorithmIdentifier
		NameHash []byte
		KeyHash  []byte
		Serial   *big.Int
	}
	type request struct{ ID certID }
	type tbs struct{ List []request }
	type req struct{ TBS tbs }
	der, err := asn1.Marshal(req{tbs{[]request{{certID{
		pkix.AlgorithmIdentifier{Algorithm: oid, Parameters: asn1.NullRawValue},
		sum(cert.RawIssuer), sum(spki.Key.Bytes), cert.SerialNumber,
	}}}}})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestCheckOCSPCertIDHashes(t *testing.T) {
	f := newFixture(t, sigtest.LeafOptions{})
	for _, h := range []struct {
		name string
		h    crypto.Hash
		oid  asn1.ObjectIdentifier
	}{
		{"sha256", crypto.SHA256, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}},
		{"sha384", crypto.SHA384, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}},
		{"sha512", crypto.SHA512, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}},
	} {
		t.Run("ok/"+h.name, func(t *testing.T) {
			resp, err := http.Post(f.leaf.Issuer.OCSPURL(), "application/ocsp-request", bytes.NewReader(ocspRequest(t, h.h, h.oid, f.cert, f.issuer)))
			if err != nil {
				t.Fatal(err)
			}
			der, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			r, err := revocation.CheckOCSP(der, f.cert, f.issuer, nil)
			if err != nil || r.Status != revocation.Good {
				t.Fatalf("%v %v", r, err)
			}
		})
	}
}

func TestOCSPResponseStatus(t *testing.T) {
	f := newFixture(t, sigtest.LeafOptions{})
	for _, tc := range []struct {
		name                         string
		status                       byte
		unavailable, rejected, tryLt bool
	}{
		{name: "fail/malformedRequest", status: 1, rejected: true},
		{name: "fail/internalError", status: 2, unavailable: true},
		{name: "fail/tryLater", status: 3, unavailable: true, tryLt: true},
		{name: "fail/sigRequired", status: 5, rejected: true},
		{name: "fail/unauthorized", status: 6, rejected: true},
		{name: "fail/undefined-4", status: 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := revocation.CheckOCSP([]byte{0x30, 0x03, 0x0a, 0x01, tc.status}, f.cert, f.issuer, nil)
			var se *revocation.OCSPStatusError
			if !errors.As(err, &se) || se.Status != int(tc.status) {
				t.Fatalf("err = %v, want *OCSPStatusError %d", err, tc.status)
			}
			if errors.Is(err, revocation.ErrUnavailable) != tc.unavailable || errors.Is(err, revocation.ErrRejected) != tc.rejected ||
				errors.Is(err, revocation.ErrTryLater) != tc.tryLt {
				t.Fatalf("classification of %v wrong", err)
			}
		})
	}
	t.Run("fail/successful-without-bytes", func(t *testing.T) {
		if _, err := revocation.CheckOCSP([]byte{0x30, 0x03, 0x0a, 0x01, 0x00}, f.cert, f.issuer, nil); !errors.Is(err, revocation.ErrMalformed) {
			t.Fatalf("err = %v, want ErrMalformed", err)
		}
	})
	t.Run("fail/trailing-bytes", func(t *testing.T) {
		der := append(f.leaf.Issuer.OCSPResponse(f.leaf.Cert), 0)
		if _, err := revocation.CheckOCSP(der, f.cert, f.issuer, nil); !errors.Is(err, revocation.ErrMalformed) {
			t.Fatalf("err = %v, want ErrMalformed", err)
		}
	})
	t.Run("fail/tampered-status", func(t *testing.T) {
		// Flip CertStatus good [0] to unknown [2]: the signature breaks.
		der := f.leaf.Issuer.OCSPResponse(f.leaf.Cert)
		i := bytes.Index(der, []byte{0x80, 0x00, 0x18, 0x0f}) // good NULL, thisUpdate GeneralizedTime
		if i < 0 {
			t.Fatal("good CertStatus not found")
		}
		bad := bytes.Clone(der)
		bad[i] = 0x82
		if _, err := revocation.CheckOCSP(bad, f.cert, f.issuer, nil); !errors.Is(err, revocation.ErrSignature) {
			t.Fatalf("err = %v, want ErrSignature", err)
		}
	})
	t.Run("fail/expired-delegated-responder", func(t *testing.T) {
		// The responder's certificate is valid Now-1y..Now+2y or so: an
		// answer produced long after is refused.
		p := sigtest.New(t)
		l := p.Issue(sigtest.LeafOptions{NotAfter: sigtest.Now.Add(20 * 365 * 24 * time.Hour)})
		p.SetClock(l.Issuer.Responder.Cert.NotAfter.Add(24 * time.Hour))
		_, err := revocation.CheckOCSP(l.Issuer.OCSPResponse(l.Cert), mustCert(t, l.DER), mustCert(t, l.Issuer.DER), nil)
		if !errors.Is(err, revocation.ErrUnauthorized) {
			t.Fatalf("err = %v, want ErrUnauthorized", err)
		}
	})
}

func TestFreshAt(t *testing.T) {
	r := &revocation.Result{ThisUpdate: sigtest.Now, NextUpdate: sigtest.Now.Add(24 * time.Hour)}
	noNext := &revocation.Result{ThisUpdate: sigtest.Now}
	for _, tc := range []struct {
		name   string
		r      *revocation.Result
		at     time.Time
		maxAge time.Duration
		want   bool
	}{
		{"ok/at-thisUpdate", r, sigtest.Now, time.Hour, true},
		{"ok/within-maxAge", r, sigtest.Now.Add(30 * time.Minute), time.Hour, true},
		{"ok/no-maxAge-before-next", r, sigtest.Now.Add(23 * time.Hour), 0, true},
		{"ok/at-nextUpdate", r, sigtest.Now.Add(24 * time.Hour), 0, true},
		{"ok/no-nextUpdate", noNext, sigtest.Now.Add(100 * time.Hour), 0, true},
		{"fail/older-than-maxAge", r, sigtest.Now.Add(2 * time.Hour), time.Hour, false},
		{"fail/after-nextUpdate", r, sigtest.Now.Add(25 * time.Hour), 0, false},
		{"fail/nil", nil, sigtest.Now, 0, false},
		{"fail/no-thisUpdate", &revocation.Result{}, sigtest.Now, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.r.FreshAt(tc.at, tc.maxAge); got != tc.want {
				t.Fatalf("FreshAt = %v, want %v", got, tc.want)
			}
		})
	}
}
