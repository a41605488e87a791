package verify_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigintake/sigintake/internal/testshared"
	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/pki"
	"github.com/sigintake/sigintake/signature/verify"
)

// corpusWant is the outcome of each ../shared/corpus/cms file, offline and
// without a trusted list, as its MANIFEST expects (docs/corpus-cms.md).
// "VALID crypto" in DSS's tests, which run without a trusted list, is
// INDETERMINATE here with every cryptographic check passed.
var corpusWant = []struct {
	file    string
	anchor  string // a trust anchor from the corpus, if the source project used one
	ind     signature.Indication
	sub     signature.SubIndication
	intact  bool // the signature value and digest verify
	comment string
}{
	{"dss__BER_reordered_prova.txt.p7m", "", signature.Indeterminate, signature.NoCertificateChainFound, true, "VALID crypto (DSS-667)"},
	{"dss__DER_reordered_prova.txt.p7m", "", signature.Indeterminate, signature.NoCertificateChainFound, true, "VALID crypto"},
	{"dss__CAdES-BpB-att-SHA256-SHA3_256withRSAandMGF1.p7m", "", signature.Indeterminate, signature.NoCertificateChainFound, true, "VALID crypto, RSASSA-PSS with SHA3-256"},
	{"dss__CAdES-BpB_revoked_signingCertificate.p7m", "", signature.Indeterminate, signature.NoCertificateChainFound, true, "not acceptable: no chain (DSS refuses augmentation)"},
	{"dss__CAdES-BpLTA_modified_ats_hash_element.p7m", "", signature.Indeterminate, signature.NoCertificateChainFound, true, "archive timestamp not accepted as proof"},
	{"dss__Signature-C-B-LTA-10.p7m", "", signature.Indeterminate, signature.NoCertificateChainFound, true, "VALID crypto, CAdES-A"},
	{"dss__cades-enveloping.pkcs7", "", signature.Indeterminate, signature.NoCertificateChainFound, true, "VALID crypto"},
	{"dss__screenshot.png.signed_qes_detached.p7s", "", signature.Indeterminate, signature.NoCertificateChainFound, true, "VALID crypto, detached over dss__screenshot.png"},
	{"dss__cades-enveloping-broken.pkcs7", "", signature.TotalFailed, signature.HashFailure, false, "INVALID: data not intact"},
	{"dss__cms-no-sign-cert.p7m", "", signature.Indeterminate, signature.NoSigningCertificateFound, false, "INDETERMINATE / NO_SIGNING_CERTIFICATE_FOUND"},
	{"dss__Signature-C-DE_CRY-4.p7m", "", signature.TotalFailed, signature.SigCryptoFailure, false, "INVALID: signature not intact"},
	{"tb__alice.dsig.SHA256.multipart.eml", "tb__TestCA.pem", signature.Indeterminate, signature.TryLater, true, "GOOD; offline, no revocation data"},
	{"tb__alice.sig.SHA256.opaque.eml", "tb__TestCA.pem", signature.Indeterminate, signature.TryLater, true, "GOOD; offline, no revocation data"},
	{"tb__alice.sig.SHA1.opaque.eml", "tb__TestCA.pem", signature.Indeterminate, signature.TryLater, true, "BAD: SHA-1 (crypto constraints also reported)"},
	{"tb__alice.dsig.SHA256.multipart.bad.eml", "tb__TestCA.pem", signature.TotalFailed, signature.HashFailure, false, "BAD: body altered"},
	{"tb__alice.dsig.SHA256.multipart.mismatch-econtent.eml", "tb__TestCA.pem", signature.TotalFailed, signature.FormatFailure, false, "BAD: embedded eContent differs"},
}

func readAnchor(t *testing.T, path string) []*pki.Certificate {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	certs, err := pki.ParsePEM(data)
	if err != nil || len(certs) == 0 {
		t.Fatalf("%s: %v", path, err)
	}
	return certs
}

func TestCorpusCMS(t *testing.T) {
	dir := testshared.Path(t, "corpus", "cms")
	var table strings.Builder
	table.WriteString("| file | expected (source project) | ours |\n|---|---|---|\n")
	for _, c := range corpusWant {
		t.Run(c.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, c.file))
			if err != nil {
				t.Fatal(err)
			}
			o := signature.Options{Time: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
			if c.anchor != "" {
				o.Anchors = readAnchor(t, filepath.Join(dir, c.anchor))
			}
			in := verify.Input{Name: c.file, Data: data, Sibling: func(name string) ([]byte, bool) {
				b, err := os.ReadFile(filepath.Join(dir, name))
				return b, err == nil
			}}
			fr := verify.File(context.Background(), in, o)
			if len(fr.Signatures) != 1 {
				t.Fatalf("%d signatures, reasons %q", len(fr.Signatures), fr.Reasons)
			}
			s := fr.Signatures[0]
			fmt.Fprintf(&table, "| %s | %s | %s %s |\n", c.file, c.comment, s.Indication, s.SubIndication)
			if s.Indication != c.ind || s.SubIndication != c.sub {
				t.Errorf("got %s/%s, want %s/%s; errors %q", s.Indication, s.SubIndication, c.ind, c.sub, s.Errors)
			}
			if got := intact(s); got != c.intact {
				t.Errorf("crypto intact = %v, want %v; errors %q", got, c.intact, s.Errors)
			}
			if fr.Verdict == signature.Accepted {
				t.Errorf("accepted without a trusted list")
			}
		})
	}
	t.Logf("corpus table:\n%s", table.String())
}

// intact reports whether the report says the signature value and signed
// data verified.
func intact(s signature.Report) bool {
	for _, e := range s.Errors {
		if strings.Contains(e, "digest mismatch") || strings.Contains(e, "signature value does not verify") || strings.Contains(e, "not what was signed") {
			return false
		}
	}
	for _, i := range s.Infos {
		if strings.Contains(i, "are intact") {
			return true
		}
	}
	return false
}

func TestCorpusSHA1RefusedByPolicy(t *testing.T) {
	dir := testshared.Path(t, "corpus", "cms")
	data, err := os.ReadFile(filepath.Join(dir, "tb__alice.sig.SHA1.opaque.eml"))
	if err != nil {
		t.Fatal(err)
	}
	o := signature.Options{Time: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), Anchors: readAnchor(t, filepath.Join(dir, "tb__TestCA.pem"))}
	fr := verify.File(context.Background(), verify.Input{Name: "a.eml", Data: data}, o)
	if len(fr.Signatures) != 1 || !strings.Contains(strings.Join(fr.Signatures[0].Errors, "\n"), "SHA-1") {
		t.Fatalf("SHA-1 not reported: %+v", fr.Signatures)
	}
}
