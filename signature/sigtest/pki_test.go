package sigtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"testing"
	"time"
)

func verify(t *testing.T, p *PKI, l *x509.Certificate, at time.Time, inter ...*x509.Certificate) error {
	t.Helper()
	pool := x509.NewCertPool()
	for _, c := range inter {
		pool.AddCert(c)
	}
	_, err := l.Verify(x509.VerifyOptions{
		Roots: p.RootPool(), Intermediates: pool, CurrentTime: at,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	return err
}

func TestPKIHierarchy(t *testing.T) {
	p := New(t)
	if p.Root.Cert.Subject.CommonName != "Sigtest Root CA" || p.Intermediate.Cert.Subject.CommonName != "Sigtest Qualified CA" {
		t.Fatalf("names: %q, %q", p.Root.Cert.Subject.CommonName, p.Intermediate.Cert.Subject.CommonName)
	}
	if _, ok := p.IntermediateEC.Cert.PublicKey.(*ecdsa.PublicKey); !ok {
		t.Fatalf("IntermediateEC key is %T", p.IntermediateEC.Cert.PublicKey)
	}
	for _, tc := range []struct {
		name string
		o    LeafOptions
		at   time.Time
		want error // nil or a sample of the x509 error type
	}{
		{"ok/rsa", LeafOptions{}, Now, nil},
		{"ok/ec-issuer", LeafOptions{Issuer: p.IntermediateEC, KeyType: ECDSAP256}, Now, nil},
		{"ok/pss", LeafOptions{KeyType: RSAPSS}, Now, nil},
		{"ok/p384", LeafOptions{KeyType: ECDSAP384}, Now, nil},
		{"fail/expired", LeafOptions{Expired: true}, Now, x509.CertificateInvalidError{}},
		{"fail/not-yet-valid", LeafOptions{NotYetValid: true}, Now, x509.CertificateInvalidError{}},
		{"fail/rogue", LeafOptions{Issuer: p.Rogue}, Now, x509.UnknownAuthorityError{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := p.Issue(tc.o)
			err := verify(t, p, l.Cert, tc.at, p.Intermediate.Cert, p.IntermediateEC.Cert)
			switch tc.want.(type) {
			case nil:
				if err != nil {
					t.Fatal(err)
				}
			case x509.CertificateInvalidError:
				var e x509.CertificateInvalidError
				if !errors.As(err, &e) || e.Reason != x509.Expired {
					t.Fatalf("want expired error, got %v", err)
				}
			case x509.UnknownAuthorityError:
				var e x509.UnknownAuthorityError
				if !errors.As(err, &e) {
					t.Fatalf("want unknown authority, got %v", err)
				}
			}
		})
	}
	if l := p.Issue(LeafOptions{KeyType: RSAPSS}); l.Cert.SignatureAlgorithm != x509.SHA256WithRSAPSS {
		t.Errorf("PSS leaf signed with %v", l.Cert.SignatureAlgorithm)
	}
}

func TestConstraintCAs(t *testing.T) {
	p := New(t)
	zero := p.NewIntermediate(IssuerOptions{CommonName: "PathLen0", PathLenZero: true})
	under := p.NewIntermediate(IssuerOptions{CommonName: "Under PathLen0", Parent: zero})
	l := p.Issue(LeafOptions{Issuer: under})
	var ce x509.CertificateInvalidError
	if err := verify(t, p, l.Cert, Now, zero.Cert, under.Cert); !errors.As(err, &ce) || ce.Reason != x509.TooManyIntermediates {
		t.Errorf("path length violation: got %v", err)
	}
	if l := p.Issue(LeafOptions{Issuer: zero}); verify(t, p, l.Cert, Now, zero.Cert) != nil {
		t.Errorf("leaf directly under pathLen 0 CA must verify")
	}

	noSign := p.NewIntermediate(IssuerOptions{CommonName: "No keyCertSign", NoKeyCertSign: true})
	if noSign.Cert.KeyUsage&x509.KeyUsageCertSign != 0 || !noSign.Cert.IsCA {
		t.Fatalf("NoKeyCertSign CA: ku=%v isCA=%v", noSign.Cert.KeyUsage, noSign.Cert.IsCA)
	}
	if err := verify(t, p, p.Issue(LeafOptions{Issuer: noSign}).Cert, Now, noSign.Cert); err == nil {
		t.Errorf("chain through CA without keyCertSign verified")
	}
	noBC := p.NewIntermediate(IssuerOptions{CommonName: "No BC", NoBasicConstraints: true})
	if noBC.Cert.BasicConstraintsValid {
		t.Fatalf("NoBasicConstraints CA has basicConstraints")
	}
	if err := verify(t, p, p.Issue(LeafOptions{Issuer: noBC}).Cert, Now, noBC.Cert); err == nil {
		t.Errorf("chain through CA without basicConstraints verified")
	}
	notCA := p.NewIntermediate(IssuerOptions{CommonName: "Not CA", NotCA: true})
	if !notCA.Cert.BasicConstraintsValid || notCA.Cert.IsCA {
		t.Fatalf("NotCA: bc=%v isCA=%v", notCA.Cert.BasicConstraintsValid, notCA.Cert.IsCA)
	}
	if err := verify(t, p, p.Issue(LeafOptions{Issuer: notCA}).Cert, Now, notCA.Cert); err == nil {
		t.Errorf("chain through cA=FALSE verified")
	}
}

func TestLeafSubject(t *testing.T) {
	p := New(t)
	n := p.Issue(LeafOptions{Email: "janis@example.lv"})
	if got := n.Cert.Subject.SerialNumber; got != "PNOLV-010101-11111" {
		t.Errorf("serialNumber %q", got)
	}
	if n.Cert.Subject.CommonName != "Jānis Bērziņš" || n.Cert.EmailAddresses[0] != "janis@example.lv" {
		t.Errorf("subject %v %v", n.Cert.Subject, n.Cert.EmailAddresses)
	}
	if n.Cert.KeyUsage != x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment {
		t.Errorf("key usage %v", n.Cert.KeyUsage)
	}
	attrs := map[string]string{}
	for _, a := range n.Cert.Subject.Names {
		attrs[a.Type.String()], _ = a.Value.(string)
	}
	if attrs["2.5.4.4"] != "Bērziņš" || attrs["2.5.4.42"] != "Jānis" {
		t.Errorf("surname/givenName: %v", attrs)
	}
	lp := p.Issue(LeafOptions{Kind: LegalPerson, Organization: "Valsts kase", QC: Qualified()})
	found := false
	for _, a := range lp.Cert.Subject.Names {
		if a.Type.Equal(asn1.ObjectIdentifier{2, 5, 4, 97}) && a.Value == "NTRLV-90000000000" {
			found = true
		}
	}
	if !found || lp.Cert.Subject.CommonName != "Valsts kase" {
		t.Errorf("legal person subject %v", lp.Cert.Subject.Names)
	}
	if len(lp.Cert.Policies) != 1 || lp.Cert.Policies[0].String() != "0.4.0.194112.1.3" {
		t.Errorf("policies %v", lp.Cert.Policies)
	}
	ke := p.Issue(LeafOptions{KeyUsage: x509.KeyUsageKeyEncipherment})
	if ke.Cert.KeyUsage != x509.KeyUsageKeyEncipherment {
		t.Errorf("key usage %v", ke.Cert.KeyUsage)
	}
	if n.Cert.OCSPServer[0] != p.Intermediate.OCSPURL() || n.Cert.CRLDistributionPoints[0] != p.Intermediate.CRLURL() ||
		n.Cert.IssuingCertificateURL[0] != p.Intermediate.CAIssuersURL() {
		t.Errorf("URLs %v %v %v", n.Cert.OCSPServer, n.Cert.CRLDistributionPoints, n.Cert.IssuingCertificateURL)
	}
}

// decodeQC is an independent reader of EN 319 412-5 QCStatements.
func decodeQC(t *testing.T, c *x509.Certificate) map[string]asn1.RawValue {
	t.Helper()
	out := map[string]asn1.RawValue{}
	for _, e := range c.Extensions {
		if !e.Id.Equal(asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 3}) {
			continue
		}
		var sts []struct {
			ID   asn1.ObjectIdentifier
			Info asn1.RawValue `asn1:"optional"`
		}
		if rest, err := asn1.Unmarshal(e.Value, &sts); err != nil || len(rest) > 0 {
			t.Fatalf("QCStatements: %v", err)
		}
		for _, s := range sts {
			out[s.ID.String()] = s.Info
		}
	}
	return out
}

func TestQCStatements(t *testing.T) {
	p := New(t)
	if qc := decodeQC(t, p.Issue(LeafOptions{}).Cert); len(qc) != 0 {
		t.Errorf("plain leaf has QC statements %v", qc)
	}
	for _, tc := range []struct {
		name string
		o    LeafOptions
		typ  string
	}{
		{"esign", LeafOptions{QC: Qualified()}, "0.4.0.1862.1.6.1"},
		{"eseal", LeafOptions{Kind: LegalPerson, QC: Qualified()}, "0.4.0.1862.1.6.2"},
		{"web", LeafOptions{QC: &QCOptions{Compliance: true, Type: QcTypeWeb}}, "0.4.0.1862.1.6.3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			qc := decodeQC(t, p.Issue(tc.o).Cert)
			if _, ok := qc["0.4.0.1862.1.1"]; !ok {
				t.Errorf("no QcCompliance: %v", qc)
			}
			var types []asn1.ObjectIdentifier
			if _, err := asn1.Unmarshal(qc["0.4.0.1862.1.6"].FullBytes, &types); err != nil || len(types) != 1 || types[0].String() != tc.typ {
				t.Errorf("QcType %v %v, want %s", types, err, tc.typ)
			}
		})
	}
	qc := decodeQC(t, p.Issue(LeafOptions{QC: Qualified()}).Cert)
	if _, ok := qc["0.4.0.1862.1.4"]; !ok {
		t.Errorf("no QcSSCD")
	}
	var pds []struct {
		URL  string
		Lang string
	}
	if _, err := asn1.Unmarshal(qc["0.4.0.1862.1.5"].FullBytes, &pds); err != nil || len(pds) != 1 || pds[0].Lang != "en" {
		t.Errorf("QcPDS %v %v", pds, err)
	}
	if qc := decodeQC(t, p.Issue(LeafOptions{QC: &QCOptions{Compliance: true, Type: QcTypeNone}}).Cert); len(qc) != 1 {
		t.Errorf("QcTypeNone: %v", qc)
	}
}

func TestLeafKeyReuse(t *testing.T) {
	p := New(t)
	a := p.Issue(LeafOptions{})
	b := p.Issue(LeafOptions{Key: a.Key, Issuer: p.Rogue})
	if !bytes.Equal(a.Cert.SubjectKeyId, b.Cert.SubjectKeyId) || a.Cert.SerialNumber.Cmp(b.Cert.SerialNumber) == 0 {
		t.Errorf("key not reused or serial repeated")
	}
	if c := p.Issue(LeafOptions{}); bytes.Equal(a.Cert.SubjectKeyId, c.Cert.SubjectKeyId) {
		t.Errorf("fresh leaf got the same key")
	}
}

func TestLeafKeyPool(t *testing.T) {
	a, b := New(t), New(t)
	seen := map[string]bool{}
	for _, l := range []*Leaf{a.Issue(LeafOptions{}), a.Issue(LeafOptions{KeyType: RSAPSS}), a.Issue(LeafOptions{}), a.Issue(LeafOptions{FreshKey: true})} {
		if seen[string(l.Cert.SubjectKeyId)] {
			t.Fatalf("key repeated within one PKI")
		}
		seen[string(l.Cert.SubjectKeyId)] = true
	}
	if seen[string(a.Root.Cert.SubjectKeyId)] || bytes.Equal(a.Root.Cert.SubjectKeyId, b.Root.Cert.SubjectKeyId) ||
		bytes.Equal(a.Intermediate.Cert.SubjectKeyId, b.Intermediate.Cert.SubjectKeyId) {
		t.Fatalf("CA keys shared")
	}
	// Across PKIs the pool is reused, but chains never cross.
	lb := b.Issue(LeafOptions{})
	if _, err := lb.Cert.Verify(x509.VerifyOptions{Roots: a.RootPool(), Intermediates: a.IntermediatePool(), CurrentTime: Now}); err == nil {
		t.Errorf("leaf of PKI b verifies under PKI a")
	}
}
