package trust

import (
	"context"
	"encoding/asn1"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
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

// TestCorpusTLVariants: the container tsl.asice is GOOD (qualified
// signature with a qualified timestamp) or BAD with each list of
// ../shared/corpus/tl as its MANIFEST says. Only the trust part is
// checked here: the signer's qualification and the TSA's qualification at
// the signing time (OCSP services are not consulted by this package).
func TestCorpusTLVariants(t *testing.T) {
	leaf, signing, tsaCerts := tslAsiceMaterial(t)
	for _, c := range []struct {
		file string
		good bool
	}{
		{"ldd__EE_T-CA-withdrawn.xml", false},
		{"ldd__EE_T-no_QCStatement.xml", false},
		{"ldd__EE_T-TSA-withdrawn.xml", false},
		{"ldd__EE_T-CA-non-qa.xml", false},
		{"ldd__EE_T-OCSP-withdrawn-granted-before.xml", true},
	} {
		name := map[bool]string{true: "ok/", false: "fail/"}[c.good] + c.file
		t.Run(name, func(t *testing.T) {
			ls, err := Load(context.Background(), LoadOptions{
				Files: []string{filepath.Join(sharedDir(t), "corpus/tl", c.file)},
				At:    time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), SkipSignatureCheck: true,
			})
			if err != nil {
				t.Fatal(err)
			}
			q := ls.Qualify(pki.Path{leaf}, signing)
			tsa := ls.QualifiedTSA(tsaCerts, signing)
			if got := q.Qualification == signature.QESig && tsa; got != c.good {
				t.Fatalf("good = %v (%s, TSA qualified %v), want %v; %q", got, q.Qualification, tsa, c.good, q.Reasons)
			}
		})
	}
}

// TestEE_TSignatures: contrary to the shared README ("only the base list's
// signature verifies"), every EE_T list verifies with TSL.crt — xmlsec1
// agrees (xmlsec1 --verify --pubkey-cert-pem TSL.crt --id-attr:Id
// TrustServiceStatusList: OK for each); libdigidocpp re-signs its variants.
// A byte changed in a signed list makes it fail.
func TestEE_TSignatures(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "trust/tl/status-history-EE_T")
	signer := pemOrDER(t, filepath.Join(dir, "TSL.crt"))
	files, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
	if len(files) < 20 {
		t.Fatalf("%d lists", len(files))
	}
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, f := range files {
		ls, err := Load(context.Background(), LoadOptions{Files: []string{f}, Signers: []*pki.Certificate{signer}, At: at})
		if err != nil {
			t.Fatal(err)
		}
		if s := ls.Summaries()[0]; s.Status != StatusOK {
			t.Errorf("%s: %s (%s)", filepath.Base(f), s.Status, s.Error)
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, "EE_T-CA-withdrawn.xml"))
	tampered := strings.Replace(string(b), "Svcstatus/supervisionrevoked", "Svcstatus/undersupervision", 1)
	if tampered == string(b) {
		t.Fatal("nothing to tamper")
	}
	ls, _ := Load(context.Background(), LoadOptions{Files: []string{writeTemp(t, "t.xml", []byte(tampered))}, Signers: []*pki.Certificate{signer}, At: at})
	if s := ls.Summaries()[0]; s.Status != StatusBadSig {
		t.Errorf("tampered: %s", s.Status)
	}
}

func pemOrDER(t *testing.T, path string) *pki.Certificate {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if blk, _ := pem.Decode(b); blk != nil {
		b = blk.Bytes
	}
	c, err := pki.ParseCertificate(b)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
