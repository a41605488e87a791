package pades_test

import (
	"context"
	"github.com/sigintake/sigintake/internal/testshared"
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
	return testshared.Seeds(".pdf", 64<<10, "corpus/pades", "attacks/pdf")
}
