package revocation_test

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"github.com/sigintake/sigintake/signature/revocation"
	"math/big"
	"testing"
	"time"

	"github.com/sigintake/sigintake/signature/pki"
	"github.com/sigintake/sigintake/signature/sigtest"
)

func ctx(tag int, compound bool, content []byte) []byte {
	b, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: tag, IsCompound: compound, Bytes: content})
	if err != nil {
		panic(err)
	}
	return b
}

// idpExt encodes issuingDistributionPoint (RFC 5280 §5.2.5): uri (when not
// empty) as fullName, then the booleans [1] onlyUser, [2] onlyCA,
// [4] indirect, [5] onlyAttribute.
func idpExt(uri string, onlyUser, onlyCA, indirect, onlyAttr bool) pkix.Extension {
	var body []byte
	if uri != "" {
		body = append(body, ctx(0, true, ctx(0, true, ctx(6, false, []byte(uri))))...)
	}
	for _, x := range []struct {
		tag int
		on  bool
	}{{1, onlyUser}, {2, onlyCA}, {4, indirect}, {5, onlyAttr}} {
		if x.on {
			body = append(body, ctx(x.tag, false, []byte{0xff})...)
		}
	}
	v, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: body})
	return pkix.Extension{Id: oidIDP, Critical: true, Value: v}
}

// makeCRL signs a CRL as iss with the given entries and extensions.
func makeCRL(t *testing.T, iss *sigtest.Issuer, entries []x509.RevocationListEntry, exts ...pkix.Extension) []byte {
	t.Helper()
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(7), ThisUpdate: sigtest.Now, NextUpdate: sigtest.Now.Add(24 * time.Hour),
		RevokedCertificateEntries: entries, ExtraExtensions: exts,
	}, iss.Cert, iss.Key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func withSerial(c *pki.Certificate, s *big.Int) *pki.Certificate {
	x := *c.Certificate
	x.SerialNumber = s
	cc := *c
	cc.Certificate = &x
	return &cc
}

func TestCheckCRLScopeAndEntries(t *testing.T) {
	p := sigtest.New(t)
	leaf := p.Issue(sigtest.LeafOptions{})
	cert, issuer := mustCert(t, leaf.DER), mustCert(t, leaf.Issuer.DER)
	ca, root := mustCert(t, p.Intermediate.DER), mustCert(t, p.Root.DER)
	revAt := sigtest.Now.Add(-time.Hour).Truncate(time.Second)
	neg := big.NewInt(-0x1234)
	negCert := withSerial(cert, neg)
	posCert := withSerial(cert, new(big.Int).Neg(neg))
	entry := func(s *big.Int, reason int, exts ...pkix.Extension) []x509.RevocationListEntry {
		return []x509.RevocationListEntry{{SerialNumber: s, RevocationTime: revAt, ReasonCode: reason, ExtraExtensions: exts}}
	}
	dp := leaf.Issuer.CRLURL()

	tests := []struct {
		name    string
		iss     *sigtest.Issuer
		cert    *pki.Certificate
		issuer  *pki.Certificate
		entries []x509.RevocationListEntry
		exts    []pkix.Extension
		status  revocation.Status
		reason  int
		wantErr error
	}{
		{name: "ok/negative-serial-revoked", iss: leaf.Issuer, cert: negCert, issuer: issuer, entries: entry(neg, 1), status: revocation.Revoked, reason: 1},
		{name: "ok/positive-twin-of-negative-not-revoked", iss: leaf.Issuer, cert: posCert, issuer: issuer, entries: entry(neg, 1), status: revocation.Good, reason: -1},
		{name: "ok/no-reason-code", iss: leaf.Issuer, cert: cert, issuer: issuer, entries: entry(cert.SerialNumber, 0), status: revocation.Revoked, reason: -1},
		{name: "ok/idp-user-only-leaf", iss: leaf.Issuer, cert: cert, issuer: issuer, exts: []pkix.Extension{idpExt("", true, false, false, false)}, status: revocation.Good, reason: -1},
		{name: "ok/idp-ca-only-ca", iss: p.Root, cert: ca, issuer: root, exts: []pkix.Extension{idpExt("", false, true, false, false)}, status: revocation.Good, reason: -1},
		{name: "ok/idp-matching-partition", iss: leaf.Issuer, cert: cert, issuer: issuer, exts: []pkix.Extension{idpExt(dp, false, false, false, false)}, entries: entry(cert.SerialNumber, 4), status: revocation.Revoked, reason: 4},
		{name: "fail/idp-ca-only-leaf", iss: leaf.Issuer, cert: cert, issuer: issuer, exts: []pkix.Extension{idpExt("", false, true, false, false)}, wantErr: revocation.ErrScope},
		{name: "fail/idp-user-only-ca", iss: p.Root, cert: ca, issuer: root, exts: []pkix.Extension{idpExt("", true, false, false, false)}, wantErr: revocation.ErrScope},
		{name: "fail/idp-attribute-only", iss: leaf.Issuer, cert: cert, issuer: issuer, exts: []pkix.Extension{idpExt("", false, false, false, true)}, wantErr: revocation.ErrScope},
		{name: "fail/idp-other-partition", iss: leaf.Issuer, cert: cert, issuer: issuer, exts: []pkix.Extension{idpExt("http://127.0.0.1/other.crl", false, false, false, false)}, wantErr: revocation.ErrScope},
		{name: "fail/indirect", iss: leaf.Issuer, cert: cert, issuer: issuer, exts: []pkix.Extension{idpExt("", false, false, true, false)}, wantErr: revocation.ErrUnsupported},
		{name: "fail/delta", iss: leaf.Issuer, cert: cert, issuer: issuer, exts: []pkix.Extension{{Id: oidDeltaCRL, Critical: true, Value: []byte{2, 1, 6}}}, wantErr: revocation.ErrUnsupported},
		{name: "fail/unknown-critical-extension", iss: leaf.Issuer, cert: cert, issuer: issuer, exts: []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 2, 3, 4}, Critical: true, Value: []byte{5, 0}}}, wantErr: revocation.ErrUnsupported},
		{name: "fail/entry-certificateIssuer", iss: leaf.Issuer, cert: cert, issuer: issuer, entries: entry(big.NewInt(99), 1, pkix.Extension{Id: oidCertIssuer, Critical: true, Value: []byte{0x30, 0}}), wantErr: revocation.ErrUnsupported},
		{name: "fail/removeFromCRL-in-base", iss: leaf.Issuer, cert: cert, issuer: issuer, entries: entry(cert.SerialNumber, 8), wantErr: revocation.ErrMalformed},
		{name: "fail/rogue-signed-for-other-issuer", iss: p.Rogue, cert: cert, issuer: issuer, wantErr: revocation.ErrUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			der := makeCRL(t, tc.iss, tc.entries, tc.exts...)
			r, err := revocation.CheckCRL(der, tc.cert, tc.issuer)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || r != nil {
					t.Fatalf("err = %v (result %v), want %v", err, r, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != tc.status || r.Reason != tc.reason {
				t.Fatalf("status %s reason %d, want %s %d", r.Status, r.Reason, tc.status, tc.reason)
			}
			if r.Status == revocation.Revoked && !r.RevokedAt.Equal(revAt) {
				t.Errorf("revoked at %v, want %v", r.RevokedAt, revAt)
			}
		})
	}
}

var (
	oidIDP        = asn1.ObjectIdentifier{2, 5, 29, 28}
	oidDeltaCRL   = asn1.ObjectIdentifier{2, 5, 29, 27}
	oidCertIssuer = asn1.ObjectIdentifier{2, 5, 29, 29}
)
