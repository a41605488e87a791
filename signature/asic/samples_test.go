package asic

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/pki"
	"github.com/sigintake/sigintake/signature/trust"
)

func pemCerts(t testing.TB, glob string) []*pki.Certificate {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(sharedDir(t), glob))
	var out []*pki.Certificate
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		cs, err := pki.ParsePEM(data)
		if err != nil {
			if c, err2 := pki.ParseCertificate(data); err2 == nil {
				cs = []*pki.Certificate{c}
			} else {
				t.Fatalf("%s: %v", f, err)
			}
		}
		out = append(out, cs...)
	}
	if len(out) == 0 {
		t.Skipf("no certificates at %s", glob)
	}
	return out
}

// TestLatvianSampleQESig: the real LV eID signature of 2021 in
// test+test.edoc (eParaksts timestamp, embedded OCSP) is TOTAL_PASSED
// QESig offline with the bundled 2023 LOTL and Latvian list, validated in
// October 2023 (inside the lists' validity; the certificate was valid then
// too).
func TestLatvianSampleQESig(t *testing.T) {
	shared := sharedDir(t)
	tl := func(n string) string { return filepath.Join(shared, "trust", "tl", n) }
	at := time.Date(2023, 10, 10, 0, 0, 0, 0, time.UTC)
	ls, err := trust.Load(context.Background(), trust.LoadOptions{
		LOTLFiles: []string{tl("EU-LOTL-pivot-282.xml"), tl("EU-LOTL-pivot-300.xml"), tl("EU-LOTL-seq332-2023-09-27.xml")},
		Files:     []string{tl("LV-TL-seq41-2023-09-12.xml")},
		Signers:   pemCerts(t, "trust/certs/lotl-signers-oj-2019-C276/*.cer"),
		At:        at,
	})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(shared, "trust", "samples-lv", "test+test.edoc"))
	if err != nil {
		t.Skip(err)
	}
	res, err := Validate(context.Background(), data, Limits{}, signature.Options{Time: at, Trust: ls})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Signatures) != 1 || len(res.Problems) != 0 {
		t.Fatalf("%d signatures, problems %q", len(res.Signatures), res.Problems)
	}
	s := res.Signatures[0]
	t.Logf("%s %s %s %s best=%s revocation=%+v ts=%+v warnings=%q", s.Indication, s.SubIndication, s.Qualification, s.Level, s.BestSignatureTime, s.Revocation, s.Timestamps, s.Warnings)
	if s.Indication != signature.TotalPassed || s.Qualification != signature.QESig {
		t.Fatalf("%s %s %s: %s", s.Indication, s.SubIndication, s.Qualification, strings.Join(s.Errors, " | "))
	}
	if s.BestSignatureTime.Year() != 2021 || s.Revocation.Source != signature.RevocationEmbedded {
		t.Fatalf("best signature time %s, revocation %+v", s.BestSignatureTime, s.Revocation)
	}
}
