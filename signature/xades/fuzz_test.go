package xades

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// FuzzValidateFile: the XAdES reader never panics and never passes a
// signature without a trust anchor.
func FuzzValidateFile(f *testing.F) {
	wd, _ := os.Getwd()
	for d := wd; filepath.Dir(d) != d; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			for _, dir := range []string{"corpus/xades", "attacks/xml/dss"} {
				files, _ := filepath.Glob(filepath.Join(filepath.Dir(d), "shared", dir, "*.xml"))
				for _, p := range files {
					if b, err := os.ReadFile(p); err == nil && len(b) < 1<<20 {
						f.Add(b)
					}
				}
			}
			break
		}
	}
	f.Add([]byte(`<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="S"><ds:SignedInfo/><ds:SignatureValue/></ds:Signature>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := ValidateFile(context.Background(), data, Options{}, testOpts)
		if err != nil {
			return
		}
		for _, s := range res.Signatures {
			if s.Passed() {
				t.Fatalf("signature passed without anchors")
			}
		}
	})
}
