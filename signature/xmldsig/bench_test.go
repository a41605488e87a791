package xmldsig

import "testing"

// BenchmarkCanonicalize canonicalises the real Latvian list (211 kB,
// about 5,000 elements) with each algorithm.
func BenchmarkCanonicalize(b *testing.B) {
	doc, err := Parse(readShared(b, "trust/tl/LV-TL-seq41-2023-09-12.xml"), Limits{})
	if err != nil {
		b.Fatal(err)
	}
	for _, alg := range []string{ExcC14N, C14N10, C14N11} {
		b.Run(alg[len(alg)-12:], func(b *testing.B) {
			for b.Loop() {
				if _, err := canonicalizeDocument(doc, nil, alg, ""); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerifyLOTL parses and verifies the 2023 LOTL (467 kB).
func BenchmarkVerifyLOTL(b *testing.B) {
	data := readShared(b, "trust/tl/EU-LOTL-seq332-2023-09-27.xml")
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		doc, err := Parse(data, Limits{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Verify(doc, FindSignatures(doc.Root())[0], Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
