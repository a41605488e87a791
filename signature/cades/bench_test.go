package cades_test

import (
	"context"
	"crypto/rand"
	"testing"

	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/cades"
	"github.com/sigintake/sigintake/signature/sigtest"
)

// BenchmarkDetached1MBOfflineLT validates a detached CAdES-LT .p7s (signature
// timestamp, embedded OCSP response) over a 1 MB file, offline: the whole
// validation, from parsing to the report. Target: at most 2 ms per
// operation on one core.
func BenchmarkDetached1MBOfflineLT(b *testing.B) {
	p := sigtest.New(b)
	l := p.Issue(sigtest.LeafOptions{QC: sigtest.Qualified()})
	data := make([]byte, 1<<20)
	if _, err := rand.Read(data); err != nil {
		b.Fatal(err)
	}
	p7s := sigtest.SignCMS(data, l, sigtest.CMSOptions{
		Detached:           true,
		SignatureTimestamp: true,
		RevocationValues:   &sigtest.RevocationValues{OCSP: [][]byte{l.Issuer.BasicOCSPResponse(l.Cert)}},
	})
	o := signature.Options{Time: sigtest.Now, Trust: p.Trust()}
	content := &cades.Content{Name: "data.bin", Data: data}
	res, err := cades.Validate(context.Background(), p7s, content, o)
	if err != nil || res.Signatures[0].Indication != signature.TotalPassed {
		b.Fatalf("setup: %v %+v", err, res)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, err := cades.Validate(context.Background(), p7s, content, o)
		if err != nil || res.Signatures[0].Indication != signature.TotalPassed {
			b.Fatal("validation failed")
		}
	}
}
