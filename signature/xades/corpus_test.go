package xades

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/xmldsig"
)

var testOpts = signature.Options{Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}

// TestCorpus checks ../shared/corpus/xades against its MANIFEST
// expectations (see signature/asic/CORPUS.md).
func TestCorpus(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "corpus", "xades")
	want := map[string]signature.SubIndication{
		"dss__dss-signed.xml":                             signature.NoCertificateChainFound,
		"dss__dss-signed-altered-signedPropsRemoved.xml":  signature.SigCryptoFailure,
		"dss__xades-tampered-reference.xml":               signature.FormatFailure, // DigestValue altered into invalid base64
		"dss__XSW-enveloped-fake-signedProperties.xml":    signature.FormatFailure, // DSS: SIGNED_DATA_NOT_FOUND
		"dss__XSW-enveloped-fake-content-two-same-id.xml": signature.FormatFailure,
	}
	for name, sub := range want {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Skip(err)
			}
			res, err := ValidateFile(context.Background(), data, Options{}, testOpts)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Signatures) != 1 {
				t.Fatalf("%d signatures", len(res.Signatures))
			}
			s := res.Signatures[0]
			if s.Passed() || s.SubIndication != sub {
				t.Fatalf("%s %s (%s), want %s", s.Indication, s.SubIndication, strings.Join(s.Errors, " | "), sub)
			}
		})
	}
}

// TestAttacks: no file of ../shared/attacks/xml is accepted, each within a
// second.
func TestAttacks(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "attacks", "xml")
	var files []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if len(files) == 0 {
		t.Skip("no attack files")
	}
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f)
		t.Run(rel, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			res, err := ValidateFile(context.Background(), data, Options{}, testOpts)
			if d := time.Since(start); d > timeBound {
				t.Errorf("took %v", d)
			}
			if err != nil {
				if strings.Contains(rel, "dos__") || strings.Contains(rel, "xxe") || strings.Contains(rel, "bomb") {
					if !errors.Is(err, xmldsig.ErrDTD) {
						t.Errorf("want the DTD refused, got %v", err)
					}
				}
				t.Logf("refused: %v", err)
				return
			}
			for _, s := range res.Signatures {
				if s.Passed() {
					t.Errorf("signature %s accepted", s.ID)
				}
				t.Logf("%s %s %s", s.ID, s.Indication, s.SubIndication)
			}
		})
	}
}
