package pki

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"testing"
	"time"
)

var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

type testCA struct {
	cert *Certificate
	key  *ecdsa.PrivateKey
}

var serial int64 = 100

// mkCert issues a certificate for key (new when nil) signed by parent
// (self-signed when nil). edit adjusts the template.
func mkCert(t testing.TB, cn string, parent *testCA, key *ecdsa.PrivateKey, edit func(*x509.Certificate)) *testCA {
	t.Helper()
	if key == nil {
		var err error
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
	}
	serial++
	pub, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	var spki struct {
		A pkix.AlgorithmIdentifier
		K asn1.BitString
	}
	asn1.Unmarshal(pub, &spki)
	ski := sha1.Sum(spki.K.Bytes)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		Subject:               pkix.Name{CommonName: cn, Country: []string{"LV"}},
		NotBefore:             testNow.Add(-365 * 24 * time.Hour),
		NotAfter:              testNow.Add(365 * 24 * time.Hour),
		BasicConstraintsValid: true,
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		SubjectKeyId:          ski[:],
	}
	if edit != nil {
		edit(tmpl)
	}
	pc, pk := tmpl, key
	if parent != nil {
		pc, pk = parent.cert.Certificate, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, pc, &key.PublicKey, pk)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCA{c, key}
}

func leafEdit(x *x509.Certificate) {
	x.IsCA = false
	x.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
}

func pathKind(err error) PathErrorKind {
	var pe *PathError
	if errors.As(err, &pe) {
		return pe.Kind
	}
	return 0
}

func TestBuildPaths(t *testing.T) {
	root := mkCert(t, "Root", nil, nil, nil)
	ica := mkCert(t, "ICA", root, nil, nil)
	leaf := mkCert(t, "Leaf", ica, nil, leafEdit)
	ctx := context.Background()

	t.Run("ok/simple", func(t *testing.T) {
		paths, err := BuildPaths(ctx, leaf.cert, PathOptions{Anchors: NewPool(root.cert), Intermediates: NewPool(ica.cert)})
		if err != nil {
			t.Fatal(err)
		}
		if len(paths[0]) != 3 || paths[0].Anchor() != root.cert || paths[0].Leaf() != leaf.cert {
			t.Fatalf("path %v", paths[0])
		}
		if err := paths[0].CheckValidity(testNow); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ok/anchor-is-intermediate", func(t *testing.T) {
		paths, err := BuildPaths(ctx, leaf.cert, PathOptions{Anchors: NewPool(ica.cert)})
		if err != nil || len(paths[0]) != 2 {
			t.Fatal(paths, err)
		}
	})
	t.Run("ok/shortest-first", func(t *testing.T) {
		// a cross-certified ICA: ICA' (same key and name) under a second root
		root2 := mkCert(t, "Root2", nil, nil, nil)
		mid := mkCert(t, "Mid", root2, nil, nil)
		icaX := mkCert(t, "ICA", mid, ica.key, nil)
		paths, err := BuildPaths(ctx, leaf.cert, PathOptions{Anchors: NewPool(root.cert, root2.cert), Intermediates: NewPool(icaX.cert, mid.cert, ica.cert)})
		if err != nil || len(paths) != 2 || len(paths[0]) != 3 || len(paths[1]) != 4 {
			t.Fatalf("%d paths, %v", len(paths), err)
		}
	})
	t.Run("fail/no-anchor", func(t *testing.T) {
		_, err := BuildPaths(ctx, leaf.cert, PathOptions{Intermediates: NewPool(ica.cert, root.cert)})
		if pathKind(err) != NoChain {
			t.Fatal(err)
		}
	})
	t.Run("fail/wrong-key-same-name", func(t *testing.T) {
		fakeICA := mkCert(t, "ICA", root, nil, nil)
		_, err := BuildPaths(ctx, leaf.cert, PathOptions{Anchors: NewPool(root.cert), Intermediates: NewPool(fakeICA.cert)})
		if pathKind(err) != NoChain {
			t.Fatal(err)
		}
	})
	t.Run("fail/issuer-not-ca", func(t *testing.T) {
		notCA := mkCert(t, "NotCA", root, nil, func(x *x509.Certificate) { x.IsCA = false })
		l := mkCert(t, "L", notCA, nil, leafEdit)
		_, err := BuildPaths(ctx, l.cert, PathOptions{Anchors: NewPool(root.cert), Intermediates: NewPool(notCA.cert)})
		if pathKind(err) != Constraints {
			t.Fatal(err)
		}
	})
	t.Run("fail/no-basic-constraints", func(t *testing.T) {
		noBC := mkCert(t, "NoBC", root, nil, func(x *x509.Certificate) { x.BasicConstraintsValid, x.IsCA = false, false })
		l := mkCert(t, "L", noBC, nil, leafEdit)
		_, err := BuildPaths(ctx, l.cert, PathOptions{Anchors: NewPool(root.cert), Intermediates: NewPool(noBC.cert)})
		if pathKind(err) != Constraints {
			t.Fatal(err)
		}
	})
	t.Run("fail/no-keyCertSign", func(t *testing.T) {
		noKCS := mkCert(t, "NoKCS", root, nil, func(x *x509.Certificate) { x.KeyUsage = x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature })
		l := mkCert(t, "L", noKCS, nil, leafEdit)
		_, err := BuildPaths(ctx, l.cert, PathOptions{Anchors: NewPool(root.cert), Intermediates: NewPool(noKCS.cert)})
		if pathKind(err) != Constraints {
			t.Fatal(err)
		}
	})
	t.Run("pathlen", func(t *testing.T) {
		ica0 := mkCert(t, "ICA0", root, nil, func(x *x509.Certificate) { x.MaxPathLen, x.MaxPathLenZero = 0, true })
		sub := mkCert(t, "Sub", ica0, nil, nil)
		l := mkCert(t, "L", sub, nil, leafEdit)
		_, err := BuildPaths(ctx, l.cert, PathOptions{Anchors: NewPool(root.cert), Intermediates: NewPool(ica0.cert, sub.cert)})
		if pathKind(err) != Constraints {
			t.Fatalf("fail/pathlen 0 with a sub-CA: %v", err)
		}
		l0 := mkCert(t, "L0", ica0, nil, leafEdit)
		if _, err := BuildPaths(ctx, l0.cert, PathOptions{Anchors: NewPool(root.cert), Intermediates: NewPool(ica0.cert)}); err != nil {
			t.Fatalf("ok/pathlen 0 issuing leaves: %v", err)
		}
		ica1 := mkCert(t, "ICA1", root, nil, func(x *x509.Certificate) { x.MaxPathLen = 1 })
		sub1 := mkCert(t, "Sub1", ica1, nil, nil)
		l1 := mkCert(t, "L1", sub1, nil, leafEdit)
		if _, err := BuildPaths(ctx, l1.cert, PathOptions{Anchors: NewPool(root.cert), Intermediates: NewPool(ica1.cert, sub1.cert)}); err != nil {
			t.Fatalf("ok/pathlen 1 with one sub-CA: %v", err)
		}
	})
	t.Run("fail/unknown-critical-extension", func(t *testing.T) {
		l := mkCert(t, "L", ica, nil, func(x *x509.Certificate) {
			leafEdit(x)
			x.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 2, 3, 4}, Critical: true, Value: []byte{5, 0}}}
		})
		_, err := BuildPaths(ctx, l.cert, PathOptions{Anchors: NewPool(root.cert), Intermediates: NewPool(ica.cert)})
		if pathKind(err) != Constraints {
			t.Fatal(err)
		}
	})
	t.Run("ok/critical-qcstatements", func(t *testing.T) {
		qc, _ := asn1.Marshal([]qcStatementASN1{{ID: OIDQcCompliance}})
		l := mkCert(t, "L", ica, nil, func(x *x509.Certificate) {
			leafEdit(x)
			x.ExtraExtensions = []pkix.Extension{{Id: oidExtQCStatements, Critical: true, Value: qc}}
		})
		if !l.cert.QC.Compliance {
			t.Fatal("QcCompliance not parsed")
		}
		if _, err := BuildPaths(ctx, l.cert, PathOptions{Anchors: NewPool(root.cert), Intermediates: NewPool(ica.cert)}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("name-constraints", func(t *testing.T) {
		nc := mkCert(t, "NC", root, nil, func(x *x509.Certificate) {
			x.PermittedEmailAddresses = []string{"gov.lv"}
			x.PermittedDNSDomainsCritical = true
		})
		good := mkCert(t, "G", nc, nil, func(x *x509.Certificate) { leafEdit(x); x.EmailAddresses = []string{"a@gov.lv"} })
		bad := mkCert(t, "B", nc, nil, func(x *x509.Certificate) { leafEdit(x); x.EmailAddresses = []string{"a@evil.example"} })
		o := PathOptions{Anchors: NewPool(root.cert), Intermediates: NewPool(nc.cert)}
		if _, err := BuildPaths(ctx, good.cert, o); err != nil {
			t.Fatalf("ok/permitted: %v", err)
		}
		if _, err := BuildPaths(ctx, bad.cert, o); pathKind(err) != Constraints {
			t.Fatalf("fail/excluded: %v", err)
		}
	})
	t.Run("fail/validity", func(t *testing.T) {
		exp := mkCert(t, "Exp", ica, nil, func(x *x509.Certificate) {
			leafEdit(x)
			x.NotBefore, x.NotAfter = testNow.Add(-48*time.Hour), testNow.Add(-time.Hour)
		})
		paths, err := BuildPaths(ctx, exp.cert, PathOptions{Anchors: NewPool(root.cert), Intermediates: NewPool(ica.cert)})
		if err != nil {
			t.Fatalf("expired certificates still get a path: %v", err)
		}
		var ve *ValidityError
		if err := paths[0].CheckValidity(testNow); !errors.As(err, &ve) || !ve.Expired || ve.Cert != exp.cert {
			t.Fatalf("want expired: %v", err)
		}
		if err := paths[0].CheckValidity(testNow.Add(-400 * 24 * time.Hour)); !errors.As(err, &ve) || !ve.NotYetValid {
			t.Fatalf("want not yet valid: %v", err)
		}
	})
}

// TestBuildPathsLoop: two CAs cross-certify each other and no anchor is
// reachable; the search must stop quickly.
func TestBuildPathsLoop(t *testing.T) {
	ka, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	kb, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	aSelf := mkCert(t, "A", nil, ka, nil)
	bSelf := mkCert(t, "B", nil, kb, nil)
	var inter []*Certificate
	// many cross certificates A<->B with different serials
	for i := 0; i < 20; i++ {
		inter = append(inter, mkCert(t, "A", bSelf, ka, nil).cert, mkCert(t, "B", aSelf, kb, nil).cert)
	}
	leaf := mkCert(t, "L", aSelf, nil, leafEdit)
	other := mkCert(t, "Other root", nil, nil, nil)
	start := time.Now()
	_, err := BuildPaths(context.Background(), leaf.cert, PathOptions{Anchors: NewPool(other.cert), Intermediates: NewPool(inter...), MaxDepth: 50})
	if pathKind(err) != NoChain {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("loop took %v", d)
	}
	// with B's self-signed certificate as anchor the loop resolves
	paths, err := BuildPaths(context.Background(), leaf.cert, PathOptions{Anchors: NewPool(bSelf.cert), Intermediates: NewPool(inter...)})
	if err != nil || paths[0].Anchor() != bSelf.cert || len(paths[0]) != 3 {
		t.Fatal(paths, err)
	}
}

func TestUsage(t *testing.T) {
	root := mkCert(t, "Root", nil, nil, nil)
	sign := mkCert(t, "S", root, nil, leafEdit)
	enc := mkCert(t, "E", root, nil, func(x *x509.Certificate) { x.IsCA = false; x.KeyUsage = x509.KeyUsageKeyEncipherment })
	tsa := mkCert(t, "T", root, nil, func(x *x509.Certificate) {
		x.IsCA = false
		x.KeyUsage = x509.KeyUsageDigitalSignature
		ext, _ := asn1.Marshal([]asn1.ObjectIdentifier{oidEKUTimeStamping})
		x.ExtraExtensions = []pkix.Extension{{Id: oidExtExtKeyUsage, Critical: true, Value: ext}}
	})
	tsaNC := mkCert(t, "T2", root, nil, func(x *x509.Certificate) {
		x.IsCA = false
		x.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}
	})
	ocsp := mkCert(t, "O", root, nil, func(x *x509.Certificate) {
		x.IsCA = false
		x.KeyUsage = x509.KeyUsageDigitalSignature
		x.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
	})
	for _, c := range []struct {
		name string
		err  error
		ok   bool
	}{
		{"ok/signing", CheckSigningUsage(sign.cert), true},
		{"fail/signing-keyEncipherment", CheckSigningUsage(enc.cert), false},
		{"ok/tsa", CheckTimestampingUsage(tsa.cert), true},
		{"fail/tsa-eku-not-critical", CheckTimestampingUsage(tsaNC.cert), false},
		{"fail/tsa-no-eku", CheckTimestampingUsage(sign.cert), false},
		{"ok/ocsp", CheckOCSPSigningUsage(ocsp.cert), true},
		{"fail/ocsp", CheckOCSPSigningUsage(tsa.cert), false},
		{"ok/crl", CheckCRLSigningUsage(root.cert), true},
		{"fail/crl", CheckCRLSigningUsage(sign.cert), false},
	} {
		if (c.err == nil) != c.ok || (c.err != nil && !errors.Is(c.err, ErrKeyUsage)) {
			t.Errorf("%s: %v", c.name, c.err)
		}
	}
}

func TestNamesAndQC(t *testing.T) {
	root := mkCert(t, "Root", nil, nil, nil)
	qc, _ := asn1.Marshal([]qcStatementASN1{
		{ID: OIDQcCompliance}, {ID: OIDQcSSCD},
		{ID: OIDQcType, Info: rawOf(t, []asn1.ObjectIdentifier{OIDQcTypeESeal})},
		{ID: OIDQcPDS, Info: rawOf(t, []pdsASN1{{URL: "https://www.eparaksts.lv/pds", Language: "en"}})},
		{ID: OIDQcRetentionPeriod, Info: rawOf(t, 10)},
		{ID: OIDQcsPkixSyntaxV2, Info: rawOf(t, semanticsASN1{ID: OIDSemanticsLegal})},
	})
	c := mkCert(t, "x", root, nil, func(x *x509.Certificate) {
		leafEdit(x)
		x.Subject = pkix.Name{Country: []string{"LV"}, Organization: []string{"Valsts kase"}, CommonName: "Valsts kase, Rīga",
			ExtraNames: []pkix.AttributeTypeAndValue{{Type: oidOrganizationID, Value: "NTRLV-90000050138"}, {Type: oidSerialNumber, Value: "PNOLV-010101-11111"}}}
		pol, _ := x509.OIDFromInts([]uint64{0, 4, 0, 194112, 1, 3})
		x.Policies = []x509.OID{pol}
		x.ExtraExtensions = []pkix.Extension{{Id: oidExtQCStatements, Value: qc}}
	}).cert
	if c.OrganizationIdentifier() != "NTRLV-90000050138" || c.SubjectSerialNumber() != "PNOLV-010101-11111" || c.Organization() != "Valsts kase" || c.CommonName() != "Valsts kase, Rīga" {
		t.Errorf("attributes: %q %q %q %q", c.OrganizationIdentifier(), c.SubjectSerialNumber(), c.Organization(), c.CommonName())
	}
	if s := c.SubjectString(); s != `serialNumber=PNOLV-010101-11111,organizationIdentifier=NTRLV-90000050138,CN=Valsts kase\, Rīga,O=Valsts kase,C=LV` {
		t.Errorf("SubjectString %s", s)
	}
	q := c.QC
	if !q.Present || !q.Compliance || !q.SSCD || !q.IsESeal() || q.IsESign() || q.RetentionPeriod != 10 || len(q.PDS) != 1 || q.PDS[0].Language != "en" || len(q.SemanticsIDs) != 1 || !q.SemanticsIDs[0].Equal(OIDSemanticsLegal) {
		t.Errorf("QC %+v", q)
	}
	if !c.IsQCPlQSCD() || c.IsQCPnQSCD() {
		t.Error("policies")
	}
	// malformed QCStatements are reported and claim nothing
	bad := mkCert(t, "bad", root, nil, func(x *x509.Certificate) {
		leafEdit(x)
		x.ExtraExtensions = []pkix.Extension{{Id: oidExtQCStatements, Value: []byte{0x30, 0x03, 0x06, 0x01, 0x00}}}
	}).cert
	if bad.QC.Malformed == "" || bad.QC.Compliance {
		t.Errorf("malformed QC: %+v", bad.QC)
	}
}

func rawOf(t testing.TB, v any) asn1.RawValue {
	b, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return asn1.RawValue{FullBytes: b}
}
