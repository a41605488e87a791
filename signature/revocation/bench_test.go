package revocation_test

import (
	"crypto/rand"
	"crypto/x509"
	"math/big"
	"testing"
	"time"

	"github.com/sigintake/sigintake/signature/revocation"
	"github.com/sigintake/sigintake/signature/sigtest"
)

func BenchmarkCheckOCSP(b *testing.B) {
	p := sigtest.New(b)
	l := p.Issue(sigtest.LeafOptions{})
	der := l.Issuer.OCSPResponse(l.Cert)
	cert, issuer := mustCert(b, l.DER), mustCert(b, l.Issuer.DER)
	b.SetBytes(int64(len(der)))
	for b.Loop() {
		if _, err := revocation.CheckOCSP(der, cert, issuer, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckCRL100k checks a certificate against a CRL of 100 000
// entries (national CAs publish CRLs of this size).
func BenchmarkCheckCRL100k(b *testing.B) {
	p := sigtest.New(b)
	l := p.Issue(sigtest.LeafOptions{})
	entries := make([]x509.RevocationListEntry, 100000)
	for i := range entries {
		entries[i] = x509.RevocationListEntry{SerialNumber: big.NewInt(int64(i) + 1e12), RevocationTime: sigtest.Now.Add(-time.Hour), ReasonCode: 1}
	}
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(1), ThisUpdate: sigtest.Now, NextUpdate: sigtest.Now.Add(time.Hour), RevokedCertificateEntries: entries,
	}, l.Issuer.Cert, l.Issuer.Key)
	if err != nil {
		b.Fatal(err)
	}
	cert, issuer := mustCert(b, l.DER), mustCert(b, l.Issuer.DER)
	b.SetBytes(int64(len(der)))
	b.ReportAllocs()
	for b.Loop() {
		if r, err := revocation.CheckCRL(der, cert, issuer); err != nil || r.Status != revocation.Good {
			b.Fatal(r, err)
		}
	}
}
