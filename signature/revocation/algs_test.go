package revocation_test

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/sigintake/sigintake/signature/revocation"
	"github.com/sigintake/sigintake/signature/sigtest"
)

// TestKeyTypes checks OCSP answers and CRLs of CAs with each key type
// sigtest makes (RSASSA-PSS, ECDSA P-256 and P-384).
func TestKeyTypes(t *testing.T) {
	p := sigtest.New(t)
	for _, kt := range []sigtest.KeyType{sigtest.RSAPSS, sigtest.ECDSAP256, sigtest.ECDSAP384} {
		ca := p.NewIntermediate(sigtest.IssuerOptions{CommonName: "Sigtest CA " + kt.String(), KeyType: kt})
		l := p.Issue(sigtest.LeafOptions{Issuer: ca, KeyType: kt})
		cert, issuer := mustCert(t, l.DER), mustCert(t, ca.DER)
		for _, m := range []sigtest.OCSPMode{sigtest.OCSPDelegated, sigtest.OCSPByCA} {
			ca.SetOCSPMode(m)
			der := ca.OCSPResponse(l.Cert)
			parsed, err := revocation.ParseOCSP(der)
			if err != nil {
				t.Fatal(err)
			}
			r, err := revocation.CheckOCSP(der, cert, issuer, nil)
			if err != nil || r.Status != revocation.Good {
				t.Errorf("ok/%s/ocsp-mode-%d (sigAlg %v): %v %v", kt, m, parsed.SigAlg.Algorithm, r, err)
			} else {
				t.Logf("%s mode %d: OCSP signed with %v", kt, m, parsed.SigAlg.Algorithm)
			}
		}
		r, err := revocation.CheckCRL(ca.CRL(), cert, issuer)
		if err != nil || r.Status != revocation.Good {
			t.Errorf("ok/%s/crl: %v %v", kt, r, err)
		}
	}
}

var (
	oidRSAPSS = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidSHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidMGF1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}
)

// pssAlgorithm is RSASSA-PSS with SHA-256, MGF1-SHA-256, salt 32 (RFC 4055).
func pssAlgorithm(t *testing.T) pkix.AlgorithmIdentifier {
	sha := pkix.AlgorithmIdentifier{Algorithm: oidSHA256, Parameters: asn1.NullRawValue}
	shaDER, _ := asn1.Marshal(sha)
	mgf, _ := asn1.Marshal(pkix.AlgorithmIdentifier{Algorithm: oidMGF1, Parameters: asn1.RawValue{FullBytes: shaDER}})
	salt, _ := asn1.Marshal(32)
	var body []byte
	body = append(body, ctx(0, true, shaDER)...)
	body = append(body, ctx(1, true, mgf)...)
	body = append(body, ctx(2, true, salt)...)
	params, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: body})
	if err != nil {
		t.Fatal(err)
	}
	return pkix.AlgorithmIdentifier{Algorithm: oidRSAPSS, Parameters: asn1.RawValue{FullBytes: params}}
}

// TestRSAPSSSigned re-signs a CA-signed BasicOCSPResponse with RSASSA-PSS
// and makes a PSS-signed CRL.
func TestRSAPSSSigned(t *testing.T) {
	p := sigtest.New(t)
	ca := p.NewIntermediate(sigtest.IssuerOptions{CommonName: "Sigtest PSS CA", KeyType: sigtest.RSAPSS})
	l := p.Issue(sigtest.LeafOptions{Issuer: ca})
	cert, issuer := mustCert(t, l.DER), mustCert(t, ca.DER)
	ca.SetOCSPMode(sigtest.OCSPByCA)
	var basic struct {
		TBS       asn1.RawValue
		SigAlg    pkix.AlgorithmIdentifier
		Signature asn1.BitString
		Certs     asn1.RawValue `asn1:"optional,explicit,tag:0"`
	}
	if _, err := asn1.Unmarshal(ca.BasicOCSPResponse(l.Cert), &basic); err != nil {
		t.Fatal(err)
	}
	d := sha256.Sum256(basic.TBS.FullBytes)
	sig, err := ca.Key.Sign(rand.Reader, d[:], &rsa.PSSOptions{SaltLength: 32, Hash: crypto.SHA256})
	if err != nil {
		t.Fatal(err)
	}
	pss := pssAlgorithm(t)
	resign := func(sig []byte) []byte {
		der, err := asn1.Marshal(struct {
			TBS       asn1.RawValue
			SigAlg    pkix.AlgorithmIdentifier
			Signature asn1.BitString
		}{basic.TBS, pss, asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)}})
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	t.Run("ok/ocsp-pss", func(t *testing.T) {
		r, err := revocation.CheckOCSP(resign(sig), cert, issuer, nil)
		if err != nil || r.Status != revocation.Good {
			t.Fatalf("%v %v", r, err)
		}
	})
	t.Run("fail/ocsp-pss-flipped", func(t *testing.T) {
		bad := bytes.Clone(sig)
		bad[10] ^= 1
		if _, err := revocation.CheckOCSP(resign(bad), cert, issuer, nil); !errors.Is(err, revocation.ErrSignature) {
			t.Fatalf("err = %v, want ErrSignature", err)
		}
	})
	t.Run("ok/crl-pss", func(t *testing.T) {
		der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
			Number: big.NewInt(1), ThisUpdate: sigtest.Now, NextUpdate: sigtest.Now.Add(time.Hour),
			SignatureAlgorithm: x509.SHA256WithRSAPSS,
		}, ca.Cert, ca.Key)
		if err != nil {
			t.Fatal(err)
		}
		r, err := revocation.CheckCRL(der, cert, issuer)
		if err != nil || r.Status != revocation.Good {
			t.Fatalf("%v %v", r, err)
		}
	})
}
