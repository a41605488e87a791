package pades_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/pades"
	"github.com/sigintake/sigintake/signature/pades/padestest"
	"github.com/sigintake/sigintake/signature/sigtest"
)

// FuzzValidate runs signature extraction, byte range checks, the CMS and
// the change analysis on arbitrary bytes: no panic, no hang, and a
// signature is never TOTAL_PASSED without a trust anchor.
func FuzzValidate(f *testing.F) {
	p := sigtest.New(f)
	l := p.Issue(sigtest.LeafOptions{QC: sigtest.Qualified()})
	signed := padestest.New(padestest.Options{TextField: "F"}).Sign(padestest.SignOptions{Leaf: l})
	f.Add(signed.Data)
	f.Add(signed.AddAnnotation("x").Data)
	f.Add(signed.AddPage("y").Data)
	for _, b := range sharedSeeds() {
		f.Add(b)
	}
	o := signature.Options{Time: sigtest.Now}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := pades.Validate(context.Background(), data, pades.Limits{MaxStream: 1 << 20, MaxDecoded: 4 << 20}, o)
		if err != nil {
			return
		}
		for _, s := range res.Signatures {
			if s.Indication == signature.TotalPassed {
				t.Fatalf("%s passed without any trust anchor", s.ID)
			}
		}
	})
}

// sharedSeeds returns the small signed PDFs of the shared corpus and
// attack folders, none when they are absent.
func sharedSeeds() [][]byte {
	dir := os.Getenv("SIGINTAKE_SHARED")
	if dir == "" {
		wd, _ := os.Getwd()
		for d := wd; d != filepath.Dir(d); d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				dir = filepath.Join(filepath.Dir(d), "shared")
				break
			}
		}
	}
	var out [][]byte
	for _, sub := range []string{"corpus/pades", "attacks/pdf"} {
		filepath.WalkDir(filepath.Join(dir, sub), func(p string, de os.DirEntry, err error) error {
			if err == nil && !de.IsDir() && strings.HasSuffix(p, ".pdf") {
				if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
					out = append(out, b)
				}
			}
			return nil
		})
	}
	return out
}
