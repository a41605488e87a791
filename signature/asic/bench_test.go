package asic

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/sigtest"
)

// BenchmarkValidateLT1MB validates an LT eDoc holding one 1 MB document
// offline (embedded OCSP and CRLs, one signature timestamp).
func BenchmarkValidateLT1MB(b *testing.B) {
	p := sigtest.New(b)
	leaf := p.Issue(sigtest.LeafOptions{QC: sigtest.Qualified()})
	doc := make([]byte, 1<<20)
	r := rand.New(rand.NewPCG(1, 2)) // incompressible, like a PDF's streams
	for i := range doc {
		doc[i] = byte(r.Uint32())
	}
	files := []dataFile{{Name: "letter.pdf", MediaType: "application/pdf", Data: doc}}
	data := container(b, files, signXAdES(b, p, leaf, files, buildOpts{Level: "LT"}))
	o := signature.Options{Time: sigtest.Now.Add(time.Hour), Trust: p.Trust()}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, err := Validate(context.Background(), data, Limits{}, o)
		if err != nil || !res.Signatures[0].Passed() {
			b.Fatalf("%v %+v", err, res)
		}
	}
}
