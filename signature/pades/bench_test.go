package pades_test

import (
	"context"
	"testing"

	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/pades"
	"github.com/sigintake/sigintake/signature/pades/padestest"
	"github.com/sigintake/sigintake/signature/sigtest"
)

// signedLT returns a PDF of about size bytes with one PAdES-BASELINE-LT
// signature (signature timestamp, OCSP response in the /DSS) and the
// offline options that validate it.
func signedLT(b *testing.B, size int) ([]byte, signature.Options) {
	p := sigtest.New(b)
	l := p.Issue(sigtest.LeafOptions{QC: sigtest.Qualified()})
	doc := padestest.New(padestest.Options{Filler: size}).
		Sign(padestest.SignOptions{Leaf: l, CMS: sigtest.CMSOptions{SignatureTimestamp: true}}).
		DSS([][]byte{l.Issuer.Cert.Raw}, [][]byte{l.Issuer.OCSPResponse(l.Cert)}, nil)
	return doc.Data, signature.Options{Time: sigtest.Now, Trust: p.Trust()}
}

func benchValidate(b *testing.B, size int) {
	data, o := signedLT(b, size)
	res, err := pades.Validate(context.Background(), data, pades.Limits{}, o)
	if err != nil || len(res.Signatures) != 1 || res.Signatures[0].Indication != signature.TotalPassed || res.Signatures[0].Level != "PAdES-BASELINE-LT" {
		b.Fatalf("setup: %v %+v", err, res)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, err := pades.Validate(context.Background(), data, pades.Limits{}, o)
		if err != nil || res.Signatures[0].Indication != signature.TotalPassed {
			b.Fatal("validation failed")
		}
	}
}

// BenchmarkValidate1MBOfflineLT validates a signed 1 MB PDF offline with
// its revocation data embedded (/DSS): parsing, byte-range digest, CMS,
// timestamp, path, revocation and change analysis.
func BenchmarkValidate1MBOfflineLT(b *testing.B) { benchValidate(b, 1<<20) }

// BenchmarkValidate10MBOfflineLT is the issue's target case: a 10 MB PDF
// with one signature, at most 30 ms per validation on one core.
func BenchmarkValidate10MBOfflineLT(b *testing.B) { benchValidate(b, 10<<20) }
