package trust

import (
	"context"
	"encoding/asn1"
	"path/filepath"
	"testing"
	"time"

	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/pki"
)

// tslAsiceMaterial returns the signer certificate, signing time and the
// certificates of the signature timestamp token of the libdigidocpp test
// container tsl.asice.
func tslAsiceMaterial(t *testing.T) (*pki.Certificate, time.Time, []*pki.Certificate) {
	path := filepath.Join(sharedDir(t), "trust/tl/status-history-EE_T/tsl.asice")
	leaf, signing := edocSigner(t, path)
	b := zipMember(t, path, "META-INF/signatures0.xml")
	m := encapsulatedTS.FindSubmatch(b)
	if m == nil {
		t.Fatal("no EncapsulatedTimeStamp")
	}
	der, err := b64(string(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	return leaf, signing, cmsCertificates(t, der)
}

// cmsCertificates returns the certificates field of a CMS SignedData
// (RFC 5652 §5.1), parsed by hand: this test must not depend on the cms
// package.
func cmsCertificates(t *testing.T, der []byte) []*pki.Certificate {
	var ci struct {
		Type    asn1.ObjectIdentifier
		Content asn1.RawValue `asn1:"explicit,tag:0"`
	}
	if _, err := asn1.Unmarshal(der, &ci); err != nil {
		t.Fatal(err)
	}
	var sd asn1.RawValue
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil {
		t.Fatal(err)
	}
	rest := sd.Bytes
	var out []*pki.Certificate
	for len(rest) > 0 {
		var f asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &f); err != nil {
			t.Fatal(err)
		}
		if f.Class != asn1.ClassContextSpecific || f.Tag != 0 {
			continue
		}
		cs := f.Bytes
		for len(cs) > 0 {
			var c asn1.RawValue
			if cs, err = asn1.Unmarshal(cs, &c); err != nil {
				t.Fatal(err)
			}
			if pc, err := pki.ParseCertificate(c.FullBytes); err == nil {
				out = append(out, pc)
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no certificates in the timestamp token")
	}
	return out
}

// TestStatusHistoryEE_T reads the libdigidocpp status-history variants
// (edited after signing, so with the signature check off in this test
// only) and checks the outcome each README line describes for tsl.asice,
// signed 2016-11-28T13:46:41Z.
func TestStatusHistoryEE_T(t *testing.T) {
	leaf, signing, tsaCerts := tslAsiceMaterial(t)
	if !signing.Equal(time.Date(2016, 11, 28, 13, 46, 41, 0, time.UTC)) {
		t.Fatalf("signing time %s", signing)
	}
	qualified := signature.QESig
	for _, c := range []struct {
		file string
		want signature.Qualification // "" when only the TSA is concerned
		tsa  bool
	}{
		{"EE_T.xml", qualified, true},
		{"EE_T-CA-withdrawn.xml", signature.AdESig, true},
		{"EE_T-CA-withdrawn-granted-later.xml", signature.AdESig, true},
		{"EE_T-CA-granted-later.xml", signature.AdESig, true},
		{"EE_T-CA-invalid-type.xml", signature.AdESig, true},
		{"EE_T-CA-non-qa.xml", signature.AdESig, true},
		// Not in the README; from the lists: the service became CA/QC
		// (from CA/PKC) before, resp. after, the certificate was issued
		// (2013-04-23T11:49Z). TS 119 615 wants QC status at issuance.
		{"EE_T-CA-noqscd-granted-before.xml", qualified, true},
		{"EE_T-CA-noqscd-granted-later.xml", signature.AdESig, true},
		{"EE_T-no_QCStatement.xml", signature.AdESig, true},
		{"EE_T-TSA-withdrawn.xml", qualified, false},
		{"EE_T-TSA-withdrawn-granted-before.xml", qualified, true},
		{"EE_T-TSA-withdrawn-granted-later.xml", qualified, false},
		{"EE_T-TSA-granted-later.xml", qualified, false},
		{"EE_T-TSA-invalid-type.xml", qualified, false},
	} {
		name := "ok/"
		if c.want != qualified || !c.tsa {
			name = "fail/"
		}
		t.Run(name+c.file, func(t *testing.T) {
			ls, err := Load(context.Background(), LoadOptions{
				Files:              []string{filepath.Join(sharedDir(t), "trust/tl/status-history-EE_T", c.file)},
				At:                 time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), // when these lists were current
				SkipSignatureCheck: true,
			})
			if err != nil {
				t.Fatal(err)
			}
			if s := ls.Summaries()[0]; s.Status != StatusUnchecked {
				t.Fatalf("list: %+v", s)
			}
			r := ls.Qualify(pki.Path{leaf}, signing)
			if r.Qualification != c.want {
				t.Errorf("qualification %s, want %s; reasons %q", r.Qualification, c.want, r.Reasons)
			}
			if got := ls.QualifiedTSA(tsaCerts, signing); got != c.tsa {
				t.Errorf("qualified TSA %v, want %v", got, c.tsa)
			}
		})
	}
}
